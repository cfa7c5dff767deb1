"""N4 and N5's non-mutating test against a simulated scheduler on nodes as a staging cluster has
them (the control plane tainted NoSchedule by its installer): a scheduler that honours taints and
tolerations passes it; one that ignores taints, or ignores tolerations, fails it with a message
naming the pod and what it saw. On a cluster with no such node it skips, saying it cannot prove."""

from types import SimpleNamespace

import pytest
from kubernetes import client

from fixtures import node_state
from fixtures.proof import CANNOT_PROVE_HERE
from fixtures.timeline import Timeline
from fixtures.timeouts import Timeouts
from kubeobjects import node
from suites import test_scheduling as scheduling

CONTROL_TAINT = (node_state.CONTROL_PLANE_ROLE, None, "NoSchedule")
NEW_MESSAGE = "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 node(s) didn't match Pod's node affinity/selector."


def cluster_nodes(control_taints=(CONTROL_TAINT,)):
    return [node("master", labels={node_state.CONTROL_PLANE_ROLE: "", "kubernetes.io/hostname": "master"},
                 taints=control_taints)] + [node(w, labels={"kubernetes.io/hostname": w}) for w in ("w1", "w2", "w3")]


def tolerated(taint, tolerations) -> bool:
    return any(t.get("effect") in (None, taint.effect) and t["key"] == taint.key
               and (t["operator"] == "Exists" or t.get("value") == taint.value) for t in tolerations)


class Scheduler:
    """Places a pod the moment it is applied: the nodes its hostname selector names, less those
    with a NoSchedule taint it does not tolerate (as told: taints and tolerations honoured or not)."""

    def __init__(self, nodes, *, taints=True, tolerations=True, message=NEW_MESSAGE):
        self.nodes, self.taints, self.tolerations, self.message = nodes, taints, tolerations, message

    def place(self, doc) -> str | None:
        wanted = doc["spec"]["nodeSelector"]["kubernetes.io/hostname"]
        tolerations = doc["spec"].get("tolerations", []) if self.tolerations else []
        for n in self.nodes:
            if n.metadata.labels["kubernetes.io/hostname"] != wanted:
                continue
            if self.taints and any(t.effect == "NoSchedule" and not tolerated(t, tolerations) for t in n.spec.taints or []):
                return None
            return n.metadata.name
        return None


class FakeKube:
    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.core = SimpleNamespace(list_node=lambda: SimpleNamespace(items=scheduler.nodes))
        self.timeouts, self.timeline = Timeouts(), Timeline()
        self.pods = {}

    def apply(self, doc):
        placed = self.scheduler.place(doc)
        self.pods[doc["metadata"]["name"]] = client.V1Pod(
            metadata=client.V1ObjectMeta(name=doc["metadata"]["name"]),
            spec=client.V1PodSpec(node_name=placed, containers=[]),
            status=client.V1PodStatus(
                phase="Running" if placed else "Pending",
                conditions=[client.V1PodCondition(type="PodScheduled", status="True")] if placed else
                [client.V1PodCondition(type="PodScheduled", status="False", reason="Unschedulable",
                                       message=self.scheduler.message)]))

    def wait_pod(self, name, condition, timeout=None):
        pod = self.pods[name]
        assert condition.met(pod), f"pod/{name} is not {condition.description}: node {pod.spec.node_name}"
        return pod


def run(scheduler):
    kube = FakeKube(scheduler)
    scheduling.test_a_node_already_tainted_noschedule_takes_a_pinned_pod_only_with_a_matching_toleration(
        kube, Timeouts())
    return kube


def test_a_scheduler_honouring_taints_and_tolerations_passes_on_the_control_plane_node():
    kube = run(Scheduler(cluster_nodes()))
    assert kube.pods["with-toleration"].spec.node_name == "master"
    assert kube.pods["without-toleration"].spec.node_name is None
    assert "taken as tainted: node-role.kubernetes.io/control-plane:NoSchedule" in kube.timeline.render()


def test_a_scheduler_that_still_names_the_taint_passes_when_it_names_one_of_the_nodes():
    old = "0/4 nodes are available: 1 node(s) had untolerated taint {gpu: true}, 3 node(s) didn't match ..."
    run(Scheduler(cluster_nodes(control_taints=(CONTROL_TAINT, ("gpu", "true", "NoSchedule"))), message=old))
    with pytest.raises(AssertionError, match=r"does not name node-role.kubernetes.io/control-plane: "):
        run(Scheduler(cluster_nodes(), message=old))


def test_a_scheduler_ignoring_taints_fails_naming_the_pod_it_placed():
    with pytest.raises(AssertionError, match=r"^pod/without-toleration is not PodScheduled=False with reason "
                                             r"Unschedulable: node master"):
        run(Scheduler(cluster_nodes(), taints=False))


def test_a_scheduler_ignoring_tolerations_fails_naming_the_pod_it_refused():
    with pytest.raises(AssertionError, match=r"^pod/with-toleration is not scheduled on node master: node None"):
        run(Scheduler(cluster_nodes(), tolerations=False))


def test_every_noschedule_taint_of_the_node_is_tolerated_by_its_own_key_value_and_effect():
    taints = (CONTROL_TAINT, ("dedicated", "infra", "NoSchedule"))
    kube = run(Scheduler(cluster_nodes(control_taints=taints)))
    assert kube.pods["with-toleration"].spec.node_name == "master"


def test_without_a_node_tainted_by_someone_else_it_skips_saying_it_cannot_prove():
    with pytest.raises(pytest.skip.Exception, match=f"^{CANNOT_PROVE_HERE}no Ready node carries a NoSchedule taint"):
        run(Scheduler(cluster_nodes(control_taints=())))
