import copy
import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from fakeleases import ended_process
from fixtures import nodes
from fixtures.coordination import processes
from fixtures.nodes import LEDGER_ANNOTATION, NodeLedger
from kubeobjects import node


class FakeCore:
    """Nodes in memory. patch_node applies a strategic-merge-like patch: labels and annotations
    merged (None deletes), spec.taints replaced, metadata.resourceVersion checked (409)."""

    def __init__(self, *items):
        self.nodes = {n.metadata.name: n for n in items}
        self.patches = []
        self.conflicts = 0          # this many taint patches fail with 409 first

    def list_node(self):
        return client.V1NodeList(items=[copy.deepcopy(n) for n in self.nodes.values()])

    def read_node(self, name):
        return copy.deepcopy(self.nodes[name])

    def patch_node(self, name, body):
        self.patches.append((name, copy.deepcopy(body)))
        n = self.nodes[name]
        meta = body.get("metadata", {})
        if "spec" in body and self.conflicts:
            self.conflicts -= 1
            n.metadata.resource_version = str(int(n.metadata.resource_version) + 1)   # someone else wrote
            raise ApiException(status=409, reason="Conflict")
        if meta.get("resourceVersion") not in (None, n.metadata.resource_version):
            raise ApiException(status=409, reason="Conflict")
        for field in ("labels", "annotations"):
            if field in meta:
                merged = dict(getattr(n.metadata, field) or {})
                for k, v in meta[field].items():
                    if v is None:
                        merged.pop(k, None)
                    else:
                        merged[k] = v
                setattr(n.metadata, field, merged)
        if "taints" in body.get("spec", {}):
            n.spec.taints = [client.V1Taint(**t) for t in body["spec"]["taints"] or []] or None
        n.metadata.resource_version = str(int(n.metadata.resource_version) + 1)
        return copy.deepcopy(n)

    # views for assertions
    def labels(self, name):
        return self.nodes[name].metadata.labels or {}

    def annotations(self, name):
        return self.nodes[name].metadata.annotations or {}

    def taints(self, name):
        return sorted((t.key, t.value, t.effect) for t in self.nodes[name].spec.taints or [])


INFRA = ("dedicated", "infra", "NoSchedule")


@pytest.fixture
def core():
    return FakeCore(node("n1", labels={"kubernetes.io/hostname": "n1", "tier": "a"}, taints=[INFRA]),
                    node("n2", labels={"kubernetes.io/hostname": "n2"}))


def test_label_and_restore_puts_back_the_original_value(core):
    ledger = NodeLedger(core, "run-1")
    ledger.label("n1", "tier", "b")
    ledger.label("n1", "tier", "c")
    assert core.labels("n1")["tier"] == "c"
    done = ledger.restore()
    assert core.labels("n1") == {"kubernetes.io/hostname": "n1", "tier": "a"}
    assert done == ["node n1: label tier -> 'a'"]


def test_restore_removes_a_label_that_did_not_exist(core):
    ledger = NodeLedger(core, "run-1")
    ledger.label("n2", "cputype", "gpu")
    assert core.labels("n2")["cputype"] == "gpu"
    ledger.restore()
    assert core.labels("n2") == {"kubernetes.io/hostname": "n2"}


def test_removed_label_comes_back(core):
    ledger = NodeLedger(core, "run-1")
    ledger.label("n1", "tier", None)
    assert "tier" not in core.labels("n1")
    ledger.restore()
    assert core.labels("n1")["tier"] == "a"


def test_taint_and_restore_keeps_other_taints(core):
    ledger = NodeLedger(core, "run-1")
    ledger.taint("n1", "cputype", "gpu", "NoSchedule")
    ledger.taint("n1", "cputype", "gpu", "NoExecute")
    assert core.taints("n1") == sorted([INFRA, ("cputype", "gpu", "NoSchedule"), ("cputype", "gpu", "NoExecute")])
    ledger.restore()
    assert core.taints("n1") == [INFRA]


def test_taint_replaces_the_value_of_the_same_key_and_effect(core):
    ledger = NodeLedger(core, "run-1")
    ledger.taint("n1", "dedicated", "other", "NoSchedule")
    assert core.taints("n1") == [("dedicated", "other", "NoSchedule")]
    ledger.restore()
    assert core.taints("n1") == [INFRA]


def test_untaint_and_restore_puts_the_taint_back(core):
    ledger = NodeLedger(core, "run-1")
    ledger.untaint("n1", "dedicated", "NoSchedule")
    assert core.taints("n1") == []
    assert core.nodes["n1"].spec.taints is None
    ledger.restore()
    assert core.taints("n1") == [INFRA]


def test_ledger_annotation_is_written_before_the_change_and_removed_on_restore(core):
    ledger = NodeLedger(core, "run-1")
    ledger.label("n2", "cputype", "gpu")
    (first, second) = core.patches
    assert first[0] == "n2" and "labels" not in first[1]["metadata"]
    book = json.loads(first[1]["metadata"]["annotations"][LEDGER_ANNOTATION])
    assert book == {"run": "run-1", "process": processes.identity(), "labels": {"cputype": None}, "taints": {}}
    assert second == ("n2", {"metadata": {"labels": {"cputype": "gpu"}}})
    assert LEDGER_ANNOTATION in core.annotations("n2")

    ledger.taint("n2", "cputype", "gpu", "NoSchedule")
    book = json.loads(core.annotations("n2")[LEDGER_ANNOTATION])
    assert book == {"run": "run-1", "process": processes.identity(), "labels": {"cputype": None},
                    "taints": {"cputype:NoSchedule": None}}

    ledger.restore()
    assert LEDGER_ANNOTATION not in core.annotations("n2")
    assert core.patches[-1] == ("n2", {"metadata": {"annotations": {LEDGER_ANNOTATION: None}}})


def test_differences_are_empty_after_restore(core):
    ledger = NodeLedger(core, "run-1")
    ledger.label("n1", "tier", "b")
    ledger.taint("n2", "cputype", "gpu", "NoSchedule")
    ledger.restore()
    assert ledger.differences() == []
    assert ledger.pending == {}


def test_differences_name_the_node_and_key(core):
    ledger = NodeLedger(core, "run-1")
    ledger.label("n1", "tier", "b")
    ledger.taint("n2", "cputype", "gpu", "NoSchedule")
    diffs = ledger.differences()
    assert "node n1: label tier='b', was 'a'" in diffs
    assert any(d.startswith("node n2: taint cputype:NoSchedule is {") and d.endswith("was None") for d in diffs)
    assert "node n1: ledger annotation still present" in diffs
    assert "node n2: ledger annotation still present" in diffs


def test_differences_see_a_change_made_after_restore(core):
    ledger = NodeLedger(core, "run-1")
    ledger.label("n1", "tier", "b")
    ledger.restore()
    core.patch_node("n1", {"metadata": {"labels": {"tier": "z"}}})
    assert ledger.differences() == ["node n1: label tier='z', was 'a'"]


def test_tracked_key_changed_by_someone_else_is_restored(core):
    ledger = NodeLedger(core, "run-1")
    ledger.track_label("n2", "color")
    core.patch_node("n2", {"metadata": {"labels": {"color": "red"}}})   # e.g. kubectl label
    ledger.restore()
    assert "color" not in core.labels("n2")


def test_unknown_node_is_refused_naming_the_nodes(core):
    ledger = NodeLedger(core, "run-1")
    with pytest.raises(KeyError, match="nope.*n1, n2"):
        ledger.label("nope", "a", "b")
    assert core.patches == []


def test_recover_leftovers_restores_from_the_annotation(core):
    killed = NodeLedger(core, "run-1")
    killed.label("n1", "tier", "b")
    killed.label("n2", "cputype", "gpu")
    killed.taint("n1", "cputype", "gpu", "NoSchedule")
    killed.untaint("n1", "dedicated", "NoSchedule")
    # the run is killed here: no restore

    done = nodes.recover_leftovers(core, alive=lambda: {"run-2"})
    assert core.labels("n1") == {"kubernetes.io/hostname": "n1", "tier": "a"}
    assert core.labels("n2") == {"kubernetes.io/hostname": "n2"}
    assert core.taints("n1") == [INFRA]
    assert LEDGER_ANNOTATION not in core.annotations("n1")
    assert LEDGER_ANNOTATION not in core.annotations("n2")
    assert "node n1: label tier -> 'a'" in done
    assert "node n2: label cputype -> None" in done
    assert nodes.recover_leftovers(core, alive=lambda: {"run-2"}) == []


def test_recover_leftovers_leaves_the_changes_of_a_live_run_alone(core):
    live = NodeLedger(core, "run-1")
    live.taint("n2", "cputype", "gpu", "NoExecute")     # in the middle of its test
    dead = json.dumps({"run": "run-0", "labels": {"tier": "a"}, "taints": {}})
    core.patch_node("n1", {"metadata": {"labels": {"tier": "b"}, "annotations": {LEDGER_ANNOTATION: dead}}})

    done = nodes.recover_leftovers(core, alive=lambda: {"run-1", "run-2"})
    assert done == ["node n1: label tier -> 'a'"]
    assert core.taints("n2") == [("cputype", "gpu", "NoExecute")]
    assert json.loads(core.annotations("n2")[LEDGER_ANNOTATION])["run"] == "run-1"
    assert LEDGER_ANNOTATION not in core.annotations("n1")


def test_recover_leftovers_mends_what_a_crashed_process_of_a_live_run_left(core):
    """A worker that crashed in a test that labels a node: the run's next alone test, on another
    worker, found the label there (it was put back only at the run's end)."""
    crashed = json.dumps({"run": "run-1", "process": ended_process(), "labels": {"tier": "a"}, "taints": {}})
    core.patch_node("n1", {"metadata": {"labels": {"tier": "b"}, "annotations": {LEDGER_ANNOTATION: crashed}}})
    live = NodeLedger(core, "run-1")
    live.taint("n2", "cputype", "gpu", "NoExecute")     # this process, in the middle of its test

    assert nodes.recover_leftovers(core, alive=lambda: {"run-1"}) == ["node n1: label tier -> 'a'"]
    assert core.taints("n2") == [("cputype", "gpu", "NoExecute")]


def test_recover_leftovers_asks_who_is_alive_after_reading_the_nodes_and_only_if_there_is_a_ledger(core):
    order = []
    original = core.list_node
    core.list_node = lambda: order.append("nodes") or original()
    assert nodes.recover_leftovers(core, alive=lambda: order.append("alive") or set()) == []
    assert order == ["nodes"]
    NodeLedger(core, "run-1").label("n2", "cputype", "gpu")
    order.clear()
    nodes.recover_leftovers(core, alive=lambda: order.append("alive") or set())
    assert order == ["nodes", "alive"]


def test_a_ledger_without_a_run_id_is_mended_unless_asked_to_leave_it(core):
    """A suite older than run ids mends such ledgers at its start only: one may be its run's."""
    old = json.dumps({"labels": {"tier": "a"}, "taints": {}})
    core.patch_node("n1", {"metadata": {"labels": {"tier": "b"}, "annotations": {LEDGER_ANNOTATION: old}}})
    assert nodes.recover_leftovers(core, alive=lambda: {"run-1"}, unnamed=False) == []
    assert core.labels("n1")["tier"] == "b"
    assert nodes.recover_leftovers(core, alive=lambda: {"run-1"}) == ["node n1: label tier -> 'a'"]


def test_taint_patch_conflict_is_retried(core):
    ledger = NodeLedger(core, "run-1")
    core.conflicts = 2
    ledger.taint("n2", "cputype", "gpu", "NoSchedule")
    assert core.taints("n2") == [("cputype", "gpu", "NoSchedule")]
    spec_patches = [b for _, b in core.patches if "spec" in b]
    assert len(spec_patches) == 3
    assert spec_patches[0]["metadata"]["resourceVersion"] != spec_patches[-1]["metadata"]["resourceVersion"]

    core.conflicts = 1
    ledger.restore()
    assert core.taints("n2") == []


def test_taint_patch_gives_up_after_repeated_conflicts(core):
    ledger = NodeLedger(core, "run-1")
    core.conflicts = 100
    with pytest.raises(ApiException) as info:
        ledger.taint("n2", "cputype", "gpu", "NoSchedule")
    assert info.value.status == 409


def test_other_patch_errors_are_not_retried(core):
    ledger = NodeLedger(core, "run-1")
    core.read_node = lambda name: (_ for _ in ()).throw(ApiException(status=403, reason="Forbidden"))
    calls = []
    original = core.patch_node
    core.patch_node = lambda name, body: calls.append(body) or original(name, body)
    with pytest.raises(ApiException) as info:
        ledger.taint("n2", "cputype", "gpu", "NoSchedule")
    assert info.value.status == 403
    assert len(calls) == 1          # the ledger annotation, no retries


def test_ledger_runs_names_the_runs_whose_ledgers_are_on_nodes(core):
    assert nodes.ledger_runs(core) == set()
    NodeLedger(core, "run-1").label("n1", "tier", "b")
    core.patch_node("n2", {"metadata": {"annotations": {LEDGER_ANNOTATION: '{"labels": {}, "taints": {}}'}}})
    assert nodes.ledger_runs(core) == {"run-1", ""}
