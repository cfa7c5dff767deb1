"""Tests marked aside (fixtures/aside.py): their pods are pinned to the aside node, they hold
nothing, and the tests that hold the cluster alone can neither stop that node nor taint it so
that a pinned pod is evicted or kept off it."""

from types import SimpleNamespace

import pytest
from kubernetes import client

from fakeleases import FakeApi
from fixtures import aside, disruption
from fixtures.coordination import leases
from fixtures.coordination.leases import Member
from fixtures.coordination.order import order
from fixtures.errors import CoordinationError
from fixtures.nodes import NodeLedger
from kubeobjects import node
from test_nodes import FakeCore
from test_run import run_on_fake_leases

GUIDE = {"k8s-master": "cp", "k8s-node1": "w1", "k8s-node2": "w2", "k8s-node3": "w3"}


def pod_doc(**spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "main", "image": "busybox"}], **spec}}


def test_a_pod_is_pinned_to_the_aside_node_by_a_hostname_selector_added_to_a_copy():
    doc = pod_doc(nodeSelector={"disktype": "ssd"})
    pinned = aside.pin(doc, "w2")
    assert pinned["spec"]["nodeSelector"] == {"disktype": "ssd", "kubernetes.io/hostname": "w2"}
    assert doc["spec"]["nodeSelector"] == {"disktype": "ssd"}


@pytest.mark.parametrize("doc", [
    pod_doc(nodeName="w1"),
    pod_doc(nodeSelector={"kubernetes.io/hostname": "w3"}),
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}},
], ids=["pod-with-nodeName", "pod-with-a-hostname-selector", "service"])
def test_what_is_placed_already_and_what_is_no_pod_is_left_as_it_is(doc):
    assert aside.pin(doc, "w2") is doc


@pytest.mark.parametrize("w2, expected", [
    (node("w2"), "w2"),
    (node("w2", ready="False"), None),
    (node("w2", unschedulable=True), None),
    (node("w2", taints=[("maintenance", "x", "NoSchedule")]), None),
    (node("w2", taints=[("soft", "x", "PreferNoSchedule")]), "w2"),
], ids=["ready", "not-ready", "cordoned", "tainted-noschedule", "tainted-prefernoschedule"])
def test_the_aside_node_is_used_only_while_it_takes_pods(w2, expected):
    assert aside.usable(FakeCore(w2), GUIDE) == expected


def test_without_a_second_worker_there_is_no_aside_node():
    assert aside.usable(FakeCore(node("w1")), {"k8s-node1": "w1"}) is None


def item(name, *markers, slow=None):
    marks = {m: SimpleNamespace(args=()) for m in markers}
    if slow is not None:
        marks["slow"] = SimpleNamespace(args=(slow,))
    return SimpleNamespace(name=name, get_closest_marker=marks.get)


def test_aside_tests_come_right_after_the_tests_that_hold_the_cluster_alone():
    items = [item("shared"), item("aside-short", "aside"), item("shared-slow", slow=40), item("taints", "node_mutation"),
             item("aside-slow", "aside", slow=150)]
    order(items)
    assert [i.name for i in items] == ["taints", "aside-slow", "aside-short", "shared-slow", "shared"]


@pytest.mark.parametrize("effect", ["NoSchedule", "NoExecute"])
def test_the_ledger_refuses_a_taint_that_keeps_pods_off_the_aside_node(effect):
    core = FakeCore(node("w1"), node("w2"))
    ledger = NodeLedger(core, "run-1", spare="w2")
    with pytest.raises(CoordinationError, match=f"a {effect} taint on w2, the aside node"):
        ledger.taint("w2", "k", "v", effect)
    assert core.patches == []
    ledger.taint("w1", "k", "v", effect)
    ledger.taint("w2", "k", "v", "PreferNoSchedule")
    ledger.label("w2", "cputype", "gpu")
    assert core.nodes["w2"].metadata.labels["cputype"] == "gpu"


def test_the_disruptor_refuses_to_stop_the_aside_node(tmp_path):
    calls = tmp_path / "calls"
    record = ["sh", "-c", f'echo "$0" >> {calls}']
    disruptor = disruption.NodeDisruptor(record, record, spare="w2")
    with pytest.raises(CoordinationError, match="stopping the kubelet on w2, the aside node"):
        disruptor.pause("w2")
    disruptor.pause("w3")
    assert calls.read_text().split() == ["w3"]


def test_an_aside_hold_takes_no_lock_and_a_hold_inside_it_is_taken_for_itself(tmp_path, monkeypatch):
    api = FakeApi()
    run = run_on_fake_leases(tmp_path, monkeypatch, api)
    other = Member(api, api, "run-2", "gw0")
    other.join()
    assert other.try_exclusive() is None         # another run holds the cluster alone
    with run.aside():
        assert api.shared_mark("run-run-1-main") == "false"
        with pytest.raises(CoordinationError, match="a test marked aside cannot take the cluster alone"):
            with run.alone():
                pass
    other.release_exclusive()
    with run.aside():
        with run.alongside():                    # a session fixture's shared hold, made in an aside test
            assert api.shared_mark("run-run-1-main") == "true"
        assert api.shared_mark("run-run-1-main") == "false"
    assert leases.EXCLUSIVE in api.leases


def test_a_test_that_holds_the_cluster_alone_and_is_marked_aside_is_a_usage_error(project):
    pytester, run = project
    (pytester.path / "tests" / "test_both.py").write_text(
        "import pytest\n\n@pytest.mark.aside\n@pytest.mark.node_mutation\ndef test_a():\n    pass\n")
    result = run("tests")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tests/test_both.py::test_a: a test that holds the cluster alone cannot be marked aside*"])


def test_the_nodes_a_test_may_stop_or_taint_are_all_but_the_aside_node():
    assert aside.besides(["w1", "w2", "w3"], GUIDE) == ["w1", "w3"]
    assert aside.besides(["w1"], {"k8s-node1": "w1"}) == ["w1"]


def test_a_pinned_pod_scheduled_elsewhere_is_blamed_on_the_scheduler():
    def pod(selector, node_name):
        return client.V1Pod(metadata=client.V1ObjectMeta(name="p"),
                            spec=client.V1PodSpec(containers=[], node_selector=selector, node_name=node_name))
    pinned = {"kubernetes.io/hostname": "w2"}
    assert aside.misplaced(pod(pinned, "w1"), "w2") == (
        "pod/p was scheduled on w1, not on w2, the aside node its nodeSelector names: "
        "the scheduler ignores node affinity/selector")
    assert aside.misplaced(pod(pinned, "w2"), "w2") is None
    assert aside.misplaced(pod(pinned, None), "w2") is None             # not scheduled yet
    assert aside.misplaced(pod({"kubernetes.io/hostname": "w3"}, "w3"), "w2") is None   # pinned by the test itself


class FakeDiscovery:
    def __init__(self, *endpoints, status=None):
        self.endpoints, self.status, self.asked = list(endpoints), status, []

    def list_namespaced_endpoint_slice(self, namespace, label_selector):
        self.asked.append((namespace, label_selector))
        if self.status:
            raise client.ApiException(status=self.status, reason="Forbidden")
        return SimpleNamespace(items=[SimpleNamespace(endpoints=self.endpoints)])


def endpoint(node_name=None, pod=None):
    return SimpleNamespace(node_name=node_name, target_ref=SimpleNamespace(kind="Pod", name=pod) if pod else None)


@pytest.mark.parametrize("discovery, beside", [
    (FakeDiscovery(endpoint()), True),
    (FakeDiscovery(endpoint("w2", pod="coredns-a"), endpoint("w2", pod="coredns-b")), True),
    (FakeDiscovery(endpoint("w2", pod="coredns-a"), endpoint("w1", pod="coredns-b")), False),
    (FakeDiscovery(endpoint("cp", pod="coredns-a")), False),
    (FakeDiscovery(endpoint(pod="coredns-a")), False),
    (FakeDiscovery(), False),
    (FakeDiscovery(endpoint(), status=403), False),
], ids=["a-server-on-no-node", "all-on-the-aside-node", "one-on-another-worker", "on-the-control-plane",
        "a-pod-on-no-node-said", "no-endpoint", "not-allowed-to-list"])
def test_cluster_dns_is_beside_only_where_no_endpoint_is_on_a_node_the_alone_tests_may_stop(discovery, beside):
    assert aside.dns_beside(discovery, "w2") is beside
    assert discovery.asked == [("kube-system", "kubernetes.io/service-name=kube-dns")]
