import threading
import time

import pytest

from fixtures import leases
from fixtures.errors import CoordinationError
from fixtures.leases import DURATION_S, EXCLUSIVE, NAMESPACE, RunLeases
from fakeleases import Clock, FakeApi


@pytest.fixture
def api():
    return FakeApi()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def process(api, clock):
    """A process of a run, joined: process("run-a", "gw0")."""
    def make(run_id, worker="gw0"):
        p = RunLeases(api, api, run_id, worker, clock=clock, sleep=lambda s: None)
        p.join()
        return p
    return make


def test_joining_creates_the_suites_namespace_and_a_lease_of_the_process(api, clock, process):
    a = process("run-a", "gw0")
    assert NAMESPACE in api.namespaces
    lease = api.leases["run-run-a-gw0"]
    assert lease["metadata"]["labels"] == {leases.RUN_LABEL: "run-a"}
    assert api.shared_mark("run-run-a-gw0") == "false"
    assert lease["spec"]["holderIdentity"] == "run-a/gw0"
    assert lease["spec"]["renewTime"] == leases.stamp(clock.now) == "2026-11-27T03:00:00.000000Z"
    process("run-b", "gw0")
    assert a.alive_runs() == {"run-a", "run-b"}


def test_exclusive_is_acquired_when_absent_and_then_refused_to_another_run(api, process):
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    assert api.spec(EXCLUSIVE)["holderIdentity"] == "run-a/gw0"
    assert b.try_exclusive() == "run-a/gw0"
    assert api.spec(EXCLUSIVE)["holderIdentity"] == "run-a/gw0"


def test_another_process_of_the_same_run_waits_too(process):
    a0, a1 = process("run-a", "gw0"), process("run-a", "gw1")
    assert a0.try_exclusive() is None
    assert a1.try_exclusive() == "run-a/gw0"


def test_renewing_keeps_the_process_and_its_exclusive_hold_alive(api, clock, process):
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    acquired = api.spec(EXCLUSIVE)["acquireTime"]
    for _ in range(4):
        clock.advance(DURATION_S - 5)
        a.renew()
        b.renew()
    assert b.try_exclusive() == "run-a/gw0"
    assert b.alive_runs() == {"run-a", "run-b"}
    assert api.spec(EXCLUSIVE)["renewTime"] == leases.stamp(clock.now)
    assert api.spec(EXCLUSIVE)["acquireTime"] == acquired


def test_an_expired_exclusive_hold_is_taken_over_and_its_run_counts_as_gone(api, clock, process):
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    clock.advance(DURATION_S - 1)
    b.renew()
    assert b.try_exclusive() == "run-a/gw0"      # not yet expired
    clock.advance(2)
    b.renew()
    assert b.try_exclusive() is None
    assert api.spec(EXCLUSIVE)["holderIdentity"] == "run-b/gw0"
    assert api.spec(EXCLUSIVE)["leaseTransitions"] == 1
    assert b.alive_runs() == {"run-b"}
    assert b.remove_expired() == ["run-run-a-gw0"]
    assert "run-run-a-gw0" not in api.leases


def test_a_concurrent_takeover_loses_on_the_resource_version(api, clock, process):
    a, b, c = process("run-a"), process("run-b"), process("run-c")
    assert a.try_exclusive() is None
    clock.advance(DURATION_S + 1)
    # c takes it over between b's read and b's write
    api.before("replace_namespaced_lease", lambda: c.try_exclusive())
    assert b.try_exclusive() == "another run (it changed meanwhile)"
    assert api.spec(EXCLUSIVE)["holderIdentity"] == "run-c/gw0"


def test_release_frees_exclusive_for_the_next(api, process):
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    a.release_exclusive()
    assert "holderIdentity" not in api.spec(EXCLUSIVE)
    assert b.try_exclusive() is None
    assert api.spec(EXCLUSIVE)["leaseTransitions"] == 1


def test_shared_backs_off_while_another_run_holds_exclusive(api, process):
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    api.calls.clear()
    assert b.try_shared() == "run-a/gw0"
    assert api.shared_mark("run-run-b-gw0") == "false"
    assert api.calls == [("read_namespaced_lease", EXCLUSIVE)]    # waiting costs no write
    a.release_exclusive()
    assert b.try_shared() is None
    assert api.shared_mark("run-run-b-gw0") == "true"
    b.end_shared()
    assert api.shared_mark("run-run-b-gw0") == "false"


def test_exclusive_waits_for_the_shared_tests_of_other_runs_only(process):
    a0, a1, b = process("run-a", "gw0"), process("run-a", "gw1"), process("run-b")
    assert b.try_shared() is None
    assert a1.try_shared() is None           # its own run: the file lock orders those
    assert a0.try_exclusive() is None
    assert a0.others_sharing() == ["run-b/gw0"]
    b.end_shared()
    assert a0.others_sharing() == []


def test_the_shared_mark_of_a_gone_run_does_not_hold_exclusive_back(clock, process):
    a, b = process("run-a"), process("run-b")
    assert b.try_shared() is None
    clock.advance(DURATION_S + 1)            # b is killed: nothing renews its lease
    a.renew()
    assert a.try_exclusive() is None
    assert a.others_sharing() == []


def test_dekker_a_shared_mark_and_an_exclusive_take_racing_never_both_enter(api, process):
    """The shared side has written its mark; before it reads `exclusive`, the other run takes
    `exclusive` and looks for marks. The exclusive side sees the mark and waits; the shared side
    sees the hold and backs off; then the exclusive side goes ahead."""
    a, b = process("run-a"), process("run-b")
    seen = {}

    def exclusive_side():
        seen["take"] = a.try_exclusive()
        seen["sharing"] = a.others_sharing()

    api.before("read_namespaced_lease", exclusive_side, skip=1)     # b's read after its mark
    assert b.try_shared() == "run-a/gw0"      # backed off
    assert seen == {"take": None, "sharing": ["run-b/gw0"]}   # waited
    assert a.others_sharing() == []            # and now goes ahead


def test_dekker_the_other_order(api, process):
    """The exclusive side has taken `exclusive`; before it looks for marks, the shared side
    marks and reads. The shared side sees the hold; its mark is off when the other side looks."""
    a, b = process("run-a"), process("run-b")
    seen = {}
    api.before("list_namespaced_lease", lambda: seen.setdefault("shared", b.try_shared()))
    assert a.try_exclusive() is None
    assert a.others_sharing() == []
    assert seen == {"shared": "run-a/gw0"}


def test_leaving_releases_exclusive_and_removes_the_process_lease(api, process):
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    a.leave()
    assert "run-run-a-gw0" not in api.leases
    assert b.try_exclusive() is None
    assert b.alive_runs() == {"run-b"}


def test_a_lease_removed_while_the_process_was_silent_is_made_again_on_renewal(api, process):
    a = process("run-a")
    api.delete_namespaced_lease("run-run-a-gw0", NAMESPACE)
    a.renew()
    assert api.leases["run-run-a-gw0"]["spec"]["holderIdentity"] == "run-a/gw0"


def test_joining_without_the_right_to_write_leases_names_what_is_missing(api, clock):
    api.forbidden.add("create_namespaced_lease")
    with pytest.raises(CoordinationError, match=f"cannot create lease {NAMESPACE}/run-run-a-gw0: 403 Forbidden"):
        RunLeases(api, api, "run-a", "gw0", clock=clock).join()


def test_the_namespace_is_made_once_and_a_race_to_make_it_is_harmless(api, clock):
    api.before("create_namespace", lambda: api.namespaces.add(NAMESPACE))   # another run made it first
    RunLeases(api, api, "run-a", "gw0", clock=clock).join()
    RunLeases(api, api, "run-b", "gw0", clock=clock).join()
    assert [c for c in api.calls if c[0] == "create_namespace"] == [("create_namespace", NAMESPACE)]


# -- the context managers, with real threads --------------------------------------------------

class Holder:
    """Enters a context manager in a thread and stays until released."""

    def __init__(self, cm):
        self.entered, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, args=(cm,), daemon=True)
        self._thread.start()

    def _run(self, cm):
        with cm:
            self.entered.set()
            self._release.wait(10)

    def release(self):
        self._release.set()
        self._thread.join(10)
        assert not self._thread.is_alive()


@pytest.fixture
def threaded(api, clock, monkeypatch):
    monkeypatch.setattr(leases, "POLL_S", 0.01)

    def make(run_id, worker="gw0"):
        p = RunLeases(api, api, run_id, worker, clock=clock)
        p.join()
        return p
    return make


def test_a_shared_test_of_one_run_waits_for_the_exclusive_test_of_another(threaded):
    a, b = threaded("run-a"), threaded("run-b")
    x = Holder(a.exclusive())
    assert x.entered.wait(5)
    s = Holder(b.shared())
    assert not s.entered.wait(0.3)
    x.release()
    assert s.entered.wait(5)
    s.release()


def test_an_exclusive_test_waits_until_the_other_runs_shared_tests_end(threaded):
    a, b0, b1 = threaded("run-a"), threaded("run-b", "gw0"), threaded("run-b", "gw1")
    s0, s1 = Holder(b0.shared()), Holder(b1.shared())
    assert s0.entered.wait(5) and s1.entered.wait(5)
    x = Holder(a.exclusive())
    assert not x.entered.wait(0.3)
    late = Holder(b0.shared())               # a new shared test of b waits behind the exclusive one
    s0.release()
    assert not x.entered.wait(0.3)
    s1.release()
    assert x.entered.wait(5)
    assert not late.entered.wait(0.3)
    x.release()
    assert late.entered.wait(5)
    late.release()


def test_a_turn_that_never_comes_is_an_error_naming_the_holder(threaded, monkeypatch):
    a, b = threaded("run-a"), threaded("run-b")
    assert a.try_exclusive() is None
    monkeypatch.setattr(leases, "WAIT_LIMIT_S", 0.1)
    started = time.monotonic()
    with pytest.raises(CoordinationError, match=r"run-b/gw0 waited \d+ s for its turn beside other runs: "
                                                r"run-a/gw0 still holds the cluster alone"):
        with b.shared():
            pass
    assert time.monotonic() - started < 3


def test_the_renewer_renews_in_the_background(api, monkeypatch):
    monkeypatch.setattr(leases, "RENEW_S", 0.05)
    p = RunLeases(api, api, "run-a", "gw0")
    p.join()
    first = api.spec("run-run-a-gw0")["renewTime"]
    p.start_renewing()
    time.sleep(0.3)
    assert api.spec("run-run-a-gw0")["renewTime"] > first
    p.leave()
    assert "run-run-a-gw0" not in api.leases


def test_a_process_whose_lease_was_removed_meanwhile_takes_and_ends_its_turn_with_a_new_one(api, process):
    a = process("run-a")
    del api.leases["run-run-a-gw0"]
    assert a.try_shared() is None
    assert api.shared_mark("run-run-a-gw0") == "true"
    del api.leases["run-run-a-gw0"]
    a.end_shared()
    assert api.shared_mark("run-run-a-gw0") == "false"
