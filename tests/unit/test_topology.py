"""Which nodes play the guide's, on clusters of every common shape."""

import json

import pytest

from fixtures import aside
from fixtures.nodes import LEDGER_ANNOTATION
from fixtures.topology import read
from kubeobjects import node

CONTROL = {"node-role.kubernetes.io/control-plane": ""}
CONTROL_TAINT = ("node-role.kubernetes.io/control-plane", None, "NoSchedule")


def master(**kw):
    return node("k8s-master", labels=CONTROL, taints=[CONTROL_TAINT], **kw)


def workers(count, prefix="w"):
    return [node(f"{prefix}{i:02d}") for i in range(1, count + 1)]


@pytest.mark.parametrize("count, played", [
    (1, ["w01", "w01", "w01"]),
    (2, ["w01", "w02", "w01"]),
    (3, ["w01", "w02", "w03"]),
    (10, ["w01", "w02", "w03"]),
], ids=["one-worker", "two-workers", "three-workers", "ten-workers"])
def test_the_guides_workers_are_played_by_the_workers_in_name_order(count, played):
    topology = read([master()] + workers(count)[::-1])
    assert [topology.guide_nodes()[g] for g in ("k8s-node1", "k8s-node2", "k8s-node3")] == played
    assert topology.guide_nodes()["k8s-master"] == "k8s-master"
    assert topology.workers == tuple(dict.fromkeys(played))


def test_two_different_nodes_are_asked_for_and_one_worker_has_not_two():
    assert read([master()] + workers(2)).distinct("k8s-node2", "k8s-node3") == ["w02", "w01"]
    one = read([master()] + workers(1))
    assert one.distinct("k8s-node1", "k8s-node2") is None
    assert one.too_few(2) == "this needs 2 nodes that take ordinary pods; this cluster has 1 (w01)"


def test_nodes_kept_off_by_their_owners_are_left_out_and_named():
    nodes = [master(), node("w01", unschedulable=True), node("w02", taints=[("dedicated", "gpu", "NoSchedule")]),
             node("w03"), node("w04", taints=[("team", None, "NoExecute"), ("soft", None, "PreferNoSchedule")])]
    topology = read(nodes)
    assert topology.workers == ("w03",)
    assert topology.left_out == {"w01": "cordoned", "w02": "tainted dedicated=gpu:NoSchedule",
                                 "w04": "tainted team:NoExecute"}
    assert topology.too_few(2) == ("this needs 2 nodes that take ordinary pods; this cluster has 1 (w03); left out "
                                   "by their owners' choice: w01 (cordoned); w02 (tainted dedicated=gpu:NoSchedule); "
                                   "w04 (tainted team:NoExecute)")


def test_nodes_in_trouble_and_nodes_a_run_has_tainted_stay_in():
    """NotReady nodes and the node controller's taints are faults the tests must see; a taint in
    the node ledger is a run's own and goes when its test ends."""
    ledger = {LEDGER_ANNOTATION: json.dumps({"run": "r1", "labels": {}, "taints": {"pod-conformance/evict:NoExecute": None}})}
    nodes = [master(), node("w01", ready="False", taints=[("node.kubernetes.io/not-ready", None, "NoExecute")]),
             node("w02", annotations=ledger, taints=[("pod-conformance/evict", "x", "NoExecute")]), node("w03")]
    topology = read(nodes)
    assert topology.workers == ("w01", "w02", "w03")
    assert topology.left_out == {}


def test_a_single_node_cluster_plays_every_worker_on_its_control_plane():
    only = node("kind-control-plane", labels=CONTROL)
    topology = read([only])
    assert topology.guide_nodes() == {"k8s-node1": "kind-control-plane", "k8s-node2": "kind-control-plane",
                                      "k8s-node3": "kind-control-plane", "k8s-master": "kind-control-plane"}
    assert aside.node_named(topology.guide_nodes()) is None


def test_workers_come_before_an_untainted_control_plane_and_a_hidden_one_is_not_missed():
    topology = read([node("cp", labels=CONTROL), node("w01")])
    assert topology.workers == ("w01", "cp")
    hidden = read(workers(3))
    assert hidden.control_plane is None and "k8s-master" not in hidden.guide_nodes()
    assert hidden.workers == ("w01", "w02", "w03")


def test_no_node_takes_pods():
    topology = read([master()])
    assert topology.workers == () and topology.guide_nodes() == {"k8s-master": "k8s-master"}
    assert topology.describe() == "no node takes ordinary pods, k8s-master=k8s-master"
    assert topology.too_few(1) == "this needs a node that takes ordinary pods; this cluster has none"
