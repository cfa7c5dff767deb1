import json

from fixtures import node_state
from fixtures.nodes import LEDGER_ANNOTATION
from kubeobjects import node

CONTROL = {node_state.CONTROL_PLANE_ROLE: ""}
CONTROL_TAINT = (node_state.CONTROL_PLANE_ROLE, None, "NoSchedule")


def ledger(run, *taint_ids):
    return {LEDGER_ANNOTATION: json.dumps({"run": run, "labels": {}, "taints": {t: None for t in taint_ids}})}


def test_a_ready_untainted_node_takes_pods():
    assert node_state.why_no_pods(node("w1", taints=[("x", "y", "PreferNoSchedule")])) == []


def test_a_node_tainted_by_someone_else_names_the_taint_as_kubectl_writes_it():
    tainted = node("w3", taints=[("pod-conformance/left-by-upgrade", "true", "NoSchedule"), ("gpu", None, "NoExecute")])
    assert node_state.why_no_pods(tainted) == [
        "tainted pod-conformance/left-by-upgrade=true:NoSchedule, not by the suite",
        "tainted gpu:NoExecute, not by the suite"]


def test_a_taint_the_ledger_records_is_named_as_a_gone_runs_leftover():
    leftover = node("w1", taints=[("pod-conformance/avoid", "x", "NoSchedule")],
                    annotations=ledger("20261126-abc", "pod-conformance/avoid:NoSchedule"))
    assert node_state.why_no_pods(leftover) == [
        "tainted pod-conformance/avoid=x:NoSchedule, left by the suite's run 20261126-abc, which is gone "
        "(a run allowed to change nodes puts it back)"]


def test_a_notready_or_cordoned_node_takes_no_pods_and_says_why():
    silent = node("w2", ready="Unknown", ready_reason="NodeStatusUnknown",
                  ready_message="Kubelet stopped posting node status.",
                  taints=[("node.kubernetes.io/unreachable", None, "NoExecute")])
    assert node_state.why_no_pods(silent) == [
        "NotReady (Ready=Unknown: NodeStatusUnknown: Kubelet stopped posting node status.)",
        "tainted node.kubernetes.io/unreachable:NoExecute, not by the suite"]
    assert node_state.why_no_pods(node("w2", ready=None)) == ["NotReady (Ready=missing)"]
    assert node_state.why_no_pods(node("w2", unschedulable=True)) == ["cordoned (spec.unschedulable)"]


def test_unfit_workers_name_what_they_stand_for_and_their_node():
    nodes = [node("k8s-master", labels=CONTROL, taints=[CONTROL_TAINT]), node("k8s-node1"),
             node("ip-10-0-0-2", ready="False"),
             node("k8s-node3", taints=[("pod-conformance/left-by-upgrade", "true", "NoSchedule")])]
    workers = {"k8s-node1": "k8s-node1", "k8s-node2": "ip-10-0-0-2", "k8s-node3": "k8s-node3"}
    assert node_state.unfit_workers(workers, nodes) == [
        "k8s-node2 (node ip-10-0-0-2): NotReady (Ready=False)",
        "k8s-node3: tainted pod-conformance/left-by-upgrade=true:NoSchedule, not by the suite"]
    assert node_state.unfit_workers({"k8s-node1": "gone"}, nodes) == ["k8s-node1 (node gone): no longer in the cluster"]


def test_the_control_plane_node_is_chosen_first_among_nodes_reserved_by_a_noschedule_taint():
    nodes = [node("a-gpu", taints=[("gpu", "true", "NoSchedule")]),
             node("master", labels=CONTROL, taints=[CONTROL_TAINT]), node("w1")]
    chosen, taints = node_state.reserved_by_noschedule(nodes)
    assert chosen.metadata.name == "master"
    assert [node_state.taint_text(t) for t in taints] == [f"{node_state.CONTROL_PLANE_ROLE}:NoSchedule"]


def test_any_other_node_reserved_by_a_noschedule_taint_when_the_control_plane_has_none():
    nodes = [node("master", labels=CONTROL), node("w1"),
             node("w2", taints=[("gpu", "true", "NoSchedule"), ("team", "a", "NoSchedule"), ("x", None, "PreferNoSchedule")])]
    chosen, taints = node_state.reserved_by_noschedule(nodes)
    assert chosen.metadata.name == "w2"
    assert [node_state.taint_text(t) for t in taints] == ["gpu=true:NoSchedule", "team=a:NoSchedule"]


def test_nodes_in_trouble_and_the_suites_own_taints_reserve_nothing():
    nodes = [node("notready", labels=CONTROL, taints=[CONTROL_TAINT], ready="False"),
             node("cordoned", taints=[("gpu", None, "NoSchedule")], unschedulable=True),
             node("evicting", taints=[("gpu", None, "NoSchedule"), ("drain", None, "NoExecute")]),
             node("pressure", taints=[("node.kubernetes.io/disk-pressure", None, "NoSchedule")]),
             node("suites", taints=[("pod-conformance/avoid", "x", "NoSchedule")],
                  annotations=ledger("r1", "pod-conformance/avoid:NoSchedule")),
             node("plain")]
    assert node_state.reserved_by_noschedule(nodes) is None
