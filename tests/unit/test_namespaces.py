import datetime as dt
import re
import time

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from fixtures import namespaces, waiting
from fixtures.errors import WaitTimeout
from fixtures.namespaces import KEPT_LABEL, LEASED_LABEL, RUN_LABEL, TEST_ANNOTATION, UNLEASED_LEFTOVER_AGE

DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@pytest.mark.parametrize("test_name", [
    "test_myweb1_runs",
    "test_pod_phase[Succeeded-restartPolicy=Never]",
    "test_image[docker.io/library/nginx:1.25.3-alpine]",
    "Test_UPPER__Case--and__underscores_",
    "test_" + "very_long_name_" * 20,
    "[]",
    "---",
    "test_unicode_드_ü[é]",
    "test_x[" + "a" * 80 + "-]",
])
def test_namespace_name_is_a_dns_label(test_name):
    name = namespaces.namespace_name(test_name)
    assert len(name) <= 63
    assert DNS_1123_LABEL.match(name), name
    assert name.startswith("pc-")


def test_namespace_name_keeps_a_readable_part_of_the_test_name():
    assert namespaces.namespace_name("test_pod_phase[Succeeded]").startswith("pc-test-pod-phase-succeeded-")


def test_namespace_names_differ_between_calls():
    names = {namespaces.namespace_name("test_same[param]") for _ in range(20)}
    assert len(names) == 20


def ns(name, run_id, age_minutes, phase="Active", leased=True):
    created = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=age_minutes)
    labels = {RUN_LABEL: run_id, **({LEASED_LABEL: "true"} if leased else {})}
    return client.V1Namespace(
        metadata=client.V1ObjectMeta(name=name, labels=labels, creation_timestamp=created),
        status=client.V1NamespaceStatus(phase=phase))


class FakeCore:
    def __init__(self, *items):
        self.items = list(items)
        self.list_calls = []
        self.created = []
        self.deleted = []
        self.patched = []
        self.delete_error = None

    def list_namespace(self, **kwargs):
        self.list_calls.append(kwargs)
        items = self.items
        if kwargs.get("field_selector", "").startswith("metadata.name="):
            wanted = kwargs["field_selector"].split("=", 1)[1]
            items = [i for i in items if i.metadata.name == wanted]
        return client.V1NamespaceList(metadata=client.V1ListMeta(resource_version="1"), items=items)

    def patch_namespace(self, name, body):
        self.patched.append((name, body))

    def create_namespace(self, body):
        self.created.append(body)

    def delete_collection_namespaced_pod(self, namespace, **kwargs):
        self.deleted.append((f"pods in {namespace}", kwargs))
        if self.delete_error:
            raise self.delete_error

    def delete_namespace(self, name, **kwargs):
        self.deleted.append((name, kwargs))
        self.items = [i for i in self.items if i.metadata.name != name]


def test_leftovers_are_the_namespaces_of_runs_not_alive_however_young():
    core = FakeCore(ns("mine", "run-1", 600), ns("live-old", "run-2", 600), ns("live-young", "run-2", 0),
                    ns("gone-young", "run-0", 1), ns("gone-old", "run-x", 24 * 60))
    assert sorted(namespaces.leftovers(core, "run-1", alive=lambda: {"run-2"})) == ["gone-old", "gone-young"]
    assert core.list_calls == [{"label_selector": f"{RUN_LABEL},!{KEPT_LABEL}"}]


def test_a_namespace_of_a_suite_without_leases_is_a_leftover_only_when_old():
    """Such a run cannot be asked whether it is alive: it may be running now."""
    age = UNLEASED_LEFTOVER_AGE.total_seconds() / 60
    core = FakeCore(ns("old", "run-0", age + 1, leased=False), ns("young", "run-0", age - 1, leased=False))
    assert namespaces.leftovers(core, "run-1", alive=set) == ["old"]


def test_leftovers_ask_who_is_alive_after_listing_and_only_when_there_is_something():
    order = []
    core = FakeCore()
    core.list_namespace = lambda **kw: order.append("list") or FakeCore.list_namespace(core, **kw)
    assert namespaces.leftovers(core, "run-1", alive=lambda: order.append("alive") or set()) == []
    assert order == ["list"]
    core.items = [ns("gone", "run-0", 1)]
    assert namespaces.leftovers(core, "run-1", alive=lambda: order.append("alive") or set()) == ["gone"]
    assert order == ["list", "list", "alive"]


def test_no_leftovers():
    assert namespaces.leftovers(FakeCore(ns("mine", "run-1", 600)), "run-1", alive=set) == []
    assert namespaces.leftovers(FakeCore(), "run-1", alive=set) == []


def test_a_kept_namespace_is_labelled_so_that_no_run_removes_it():
    core = FakeCore()
    namespaces.keep(core, "pc-failed-abc")
    assert core.patched == [("pc-failed-abc", {"metadata": {"labels": {KEPT_LABEL: "true"}}})]


def test_create_labels_with_run_and_annotates_with_test():
    core = FakeCore()
    namespaces.create(core, "pc-x-abc", "run-1", "suites/test_a.py::test_x")
    (body,) = core.created
    assert body.metadata.name == "pc-x-abc"
    assert body.metadata.labels == {RUN_LABEL: "run-1", LEASED_LABEL: "true"}
    assert body.metadata.annotations == {TEST_ANNOTATION: "suites/test_a.py::test_x"}


def test_remaining_lists_this_runs_namespaces_by_label():
    core = FakeCore(ns("a", "run-1", 1))
    assert namespaces.remaining(core, "run-1") == ["a"]
    assert core.list_calls == [{"label_selector": f"{RUN_LABEL}=run-1"}]


def test_delete_waits_until_gone_and_tolerates_404():
    core = FakeCore(ns("pc-a", "run-1", 1))
    namespaces.delete(core, "pc-a", 5)
    assert core.deleted == [("pods in pc-a", {"grace_period_seconds": 1}),
                            ("pc-a", {"propagation_policy": "Background"})]
    core = FakeCore()
    core.delete_error = ApiException(status=404, reason="Not Found")
    namespaces.delete(core, "pc-gone", 5)


def test_delete_propagates_other_errors():
    core = FakeCore(ns("pc-a", "run-1", 1))
    core.delete_error = ApiException(status=403, reason="Forbidden")
    with pytest.raises(ApiException):
        namespaces.delete(core, "pc-a", 5)


@pytest.fixture
def no_watch(monkeypatch):
    """Watches that see nothing happen: waits end by timeout, with what a list last showed."""
    class NoWatch:
        def stream(self, *a, **k):
            time.sleep(0.05)
            return iter(())

        def stop(self):
            pass

    monkeypatch.setattr(waiting.watch, "Watch", NoWatch)


def test_delete_times_out_naming_the_namespace(no_watch):
    class Stuck(FakeCore):
        def delete_namespace(self, name, **kwargs):
            self.deleted.append((name, kwargs))

    core = Stuck(ns("pc-stuck", "run-1", 1, phase="Terminating"))

    with pytest.raises(WaitTimeout, match="namespace/pc-stuck to be gone; last seen: namespace pc-stuck Terminating"):
        namespaces.delete(core, "pc-stuck", 0.5)


def test_delete_without_a_timeout_asks_for_the_deletion_and_does_not_wait():
    class Stuck(FakeCore):
        def delete_namespace(self, name, **kwargs):
            self.deleted.append((name, kwargs))

        def list_namespace(self, **kwargs):
            raise AssertionError("read the namespace although told not to wait")

    core = Stuck(ns("pc-stuck", "run-1", 1, phase="Terminating"))
    namespaces.delete(core, "pc-stuck", None)
    assert [name for name, _ in core.deleted] == ["pods in pc-stuck", "pc-stuck"]


def test_the_run_waits_for_its_namespaces_but_the_kept_ones_and_names_what_is_left(no_watch):
    core = FakeCore()
    namespaces.wait_run_gone(core, "run-1", 0.5)
    assert core.list_calls[0]["label_selector"] == f"{RUN_LABEL}=run-1,!{KEPT_LABEL}"
    core = FakeCore(ns("pc-slow", "run-1", 1, phase="Terminating"))
    with pytest.raises(WaitTimeout, match="the namespaces of run run-1 to be gone; last seen: .*pc-slow"):
        namespaces.wait_run_gone(core, "run-1", 0.5)


def test_at_its_end_the_run_deletes_what_its_tests_left_but_the_kept_and_the_going_ones():
    """A worker that crashed in a test never deleted that test's namespace."""
    core = FakeCore(ns("pc-crashed", "run-1", 1), ns("pc-going", "run-1", 1, phase="Terminating"))
    assert namespaces.delete_left(core, "run-1") == ["pc-crashed"]
    assert core.list_calls[0]["label_selector"] == f"{RUN_LABEL}=run-1,!{KEPT_LABEL}"
    assert [name for name, _ in core.deleted] == ["pods in pc-crashed", "pc-crashed"]
