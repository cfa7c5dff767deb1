"""N1, N2 and N6's pinned test run against a simulated cluster: a scheduler that honours
nodeSelector passes them, one that ignores it (binding pods to the workers in turn) fails them,
naming the misplaced pods. The glue of the node_mutation tests is exercised here without
touching a real node; tests/cluster/test_broken_cluster_lab.py does the same for N1 on a cluster."""

import pytest
from kubernetes import client

from fixtures import manifests
from fixtures.timeouts import Timeouts
from fixtures.topology import Topology
from suites import test_scheduling as scheduling

WORKERS = ["w1", "w2", "w3"]
TOPOLOGY = Topology(workers=tuple(WORKERS), control_plane="cp")
GUIDE = TOPOLOGY.guide_nodes()


class FakeLedger:
    def __init__(self):
        self.labels = {n: {"kubernetes.io/hostname": n} for n in WORKERS}
        self.taints = []

    def label(self, node, key, value):
        self.labels[node][key] = value

    def taint(self, node, key, value, effect):
        self.taints.append((node, key, value, effect))


class FakeKube:
    """Applies pods by scheduling them at once with `choose(doc, labels)`."""

    def __init__(self, ledger, choose):
        self.ledger, self.choose = ledger, choose
        self.subs = manifests.Substitutions(namespace="ns", nodes=GUIDE)
        self.placed = {}

    def manifest(self, name):
        return manifests.load(name, self.subs)

    def apply(self, doc):
        self.placed[doc["metadata"]["name"]] = self.choose(doc, self.ledger.labels, len(self.placed))

    def wait_pod(self, name, condition, timeout=None):
        pod = client.V1Pod(metadata=client.V1ObjectMeta(name=name),
                           spec=client.V1PodSpec(node_name=self.placed[name], containers=[]),
                           status=client.V1PodStatus(phase="Running"))
        assert condition.met(pod), f"pod/{name} is not {condition.description}"
        return pod


def honours_selector(doc, labels, _):
    wanted = doc["spec"].get("nodeSelector") or {}
    return next(n for n in WORKERS if all(labels[n].get(k) == v for k, v in wanted.items()))


def ignores_selector(doc, labels, count):
    return WORKERS[count % len(WORKERS)]


def run(test, choose):
    ledger = FakeLedger()
    kube = FakeKube(ledger, choose)
    if test == "N1":
        scheduling.test_sch_test1_lands_on_the_node_its_hostname_selector_names(kube, WORKERS, TOPOLOGY, Timeouts())
    elif test == "N2":
        scheduling.test_sch_test2_lands_on_the_node_labelled_cputype_gpu(kube, WORKERS, TOPOLOGY, ledger, Timeouts())
    else:
        scheduling.test_a_prefernoschedule_node_takes_a_pod_no_other_node_fits(kube, WORKERS, TOPOLOGY, ledger,
                                                                              Timeouts())
    return kube.placed


@pytest.mark.parametrize("test", ["N1", "N2", "N6"])
def test_a_scheduler_honouring_node_selectors_passes(test):
    placed = run(test, honours_selector)
    assert len(placed) == scheduling.PLACED_PODS + 1
    control = [name for name in placed if name.endswith("-control")]
    assert len(control) == 1 and placed[control[0]] != placed[next(iter(placed))]


@pytest.mark.parametrize("test", ["N1", "N2", "N6"])
def test_a_scheduler_ignoring_node_selectors_fails_naming_the_misplaced_pods(test):
    with pytest.raises(AssertionError, match=r"^misplaced: (\S+ on w\d, wanted w\d(, )?)+; all: "):
        run(test, ignores_selector)


def test_a_scheduler_sending_every_pod_to_one_node_fails_on_the_control_pod():
    with pytest.raises(AssertionError, match=r"^misplaced: sch-test1-control on w1, wanted w2;"):
        run("N1", lambda doc, labels, count: "w1")
