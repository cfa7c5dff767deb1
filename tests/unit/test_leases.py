import threading
import time

import pytest

from kubernetes.client.rest import ApiException

from fixtures.coordination import leases, processes
from fixtures.coordination.leases import DURATION_S, EXCLUSIVE, GONE_MARGIN_S, NAMESPACE, LeaseLapsed, Member
from fixtures.errors import CoordinationError
from fakeleases import Clock, FakeApi, ended_process


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
        p = Member(api, api, run_id, worker, clock=clock, sleep=lambda s: None)
        p.join()
        return p
    return make


def test_joining_creates_the_suites_namespace_and_a_lease_of_the_process(api, clock, process):
    a = process("run-a", "gw0")
    assert NAMESPACE in api.namespaces
    lease = api.leases["run-run-a-gw0"]
    assert lease["metadata"]["labels"] == {leases.RUN_LABEL: "run-a"}
    assert lease["metadata"]["annotations"][leases.PROCESS] == processes.identity()
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


def test_an_exclusive_hold_is_taken_over_once_its_holder_is_gone_not_merely_expired(api, clock, process):
    """Taking it over mends what its holder left on the nodes: a holder that is only late (stopped,
    or cut off from the API server) may yet come back, so it has the margin."""
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    for _ in range(4):                       # a is silent; b renews
        clock.advance((DURATION_S + GONE_MARGIN_S) / 4 - 1)
        b.renew()
    assert b.try_exclusive() == "run-a/gw0"      # expired, within the margin
    assert b.alive_runs() == {"run-a", "run-b"}
    clock.advance(5)
    b.renew()
    assert b.try_exclusive() is None
    assert api.spec(EXCLUSIVE)["holderIdentity"] == "run-b/gw0"
    assert api.spec(EXCLUSIVE)["leaseTransitions"] == 1
    assert b.alive_runs() == {"run-b"}
    assert b.remove_gone() == ["run-run-a-gw0"]
    assert "run-run-a-gw0" not in api.leases


def test_a_member_whose_process_this_host_shows_ended_is_gone_at_once(api, clock, process):
    """A run killed while it held the cluster alone (seen: a second run 2 s later left its
    namespaces and its paused kubelet, as its leases had not expired)."""
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    ident = ended_process()
    for name in ("run-run-a-gw0", EXCLUSIVE):
        api.leases[name]["metadata"]["annotations"][leases.PROCESS] = ident
    assert b.alive_runs() == {"run-b"}
    assert b.try_exclusive() is None


def test_a_member_on_another_host_is_gone_only_past_the_margin(api, clock, process):
    a, b = process("run-a"), process("run-b")
    api.leases["run-run-a-gw0"]["metadata"]["annotations"][leases.PROCESS] = "another-boot/4026531836 1 1"
    for _ in range(3):
        clock.advance(DURATION_S - 1)
        b.renew()
    assert b.alive_runs() == {"run-a", "run-b"}      # expired 57 s ago
    clock.advance(GONE_MARGIN_S)
    b.renew()
    assert b.alive_runs() == {"run-b"}


def test_a_concurrent_takeover_loses_on_the_resource_version(api, clock, process):
    a, b, c = process("run-a"), process("run-b"), process("run-c")
    assert a.try_exclusive() is None
    for _ in range(4):
        clock.advance(DURATION_S - 1)
        b.renew()
        c.renew()
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


def test_exclusive_waits_for_the_shared_tests_of_every_other_process_its_own_runs_too(process):
    a0, a1, b = process("run-a", "gw0"), process("run-a", "gw1"), process("run-b")
    assert b.try_shared() is None
    assert a1.try_shared() is None
    assert a0.try_exclusive() is None
    assert a0.others_sharing() == ["run-a/gw1", "run-b/gw0"]
    b.end_shared()
    a1.end_shared()
    assert a0.others_sharing() == []


def test_shared_backs_off_while_a_process_of_its_own_run_holds_exclusive(process):
    a0, a1 = process("run-a", "gw0"), process("run-a", "gw1")
    assert a0.try_exclusive() is None
    assert a1.try_shared() == "run-a/gw0"
    a0.release_exclusive()
    assert a1.try_shared() is None


def test_the_shared_mark_of_an_expired_member_does_not_hold_exclusive_back(clock, process):
    """It has lapsed: it stops at its next step, before it acts on the cluster again."""
    a, b = process("run-a"), process("run-b")
    assert b.try_shared() is None
    for _ in range(2):                       # b is stopped: nothing renews its lease
        clock.advance(DURATION_S / 2 + 1)
        a.renew()
    assert a.try_exclusive() is None
    assert a.others_sharing() == []


def test_the_shared_mark_of_a_process_this_host_shows_ended_does_not_hold_exclusive_back(api, clock, process):
    """A run killed in a shared test: its lease has not expired yet, but it is gone at once."""
    a, b = process("run-a"), process("run-b")
    assert b.try_shared() is None
    ident = ended_process()
    api.leases["run-run-b-gw0"]["metadata"]["annotations"][leases.PROCESS] = ident
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


def test_a_process_not_renewed_for_its_lease_duration_has_lapsed_and_writes_nothing_more(api, clock, process):
    """Another run may have judged it gone meanwhile and removed its namespaces: it must not carry
    on, nor make its lease anew (seen: a run stopped with SIGSTOP, resumed, reported P1 FAILED)."""
    a = process("run-a")
    clock.advance(DURATION_S + 17)           # stopped
    written = api.spec("run-run-a-gw0")["renewTime"]
    a.renew()                                # the renewer wakes first
    assert api.spec("run-run-a-gw0")["renewTime"] == written
    with pytest.raises(LeaseLapsed, match=r"^this run's lease on the cluster lapsed at 03:00:30 UTC \(not renewed for "
                                          r"47 s; the process was stopped\); another run may have removed its objects"):
        a.check()
    with pytest.raises(LeaseLapsed):
        a.try_shared()
    with pytest.raises(LeaseLapsed):
        a.try_exclusive()


def test_renewals_that_keep_failing_lapse_the_process_naming_the_error(api, clock, process):
    a = process("run-a")
    api.forbidden.add("replace_namespaced_lease")
    for _ in range(6):
        clock.advance(leases.RENEW_S)
        a.renew()
    a.check()                                # the last renewal, at 0 s, is 30 s old: not more
    clock.advance(leases.RENEW_S)
    a.renew()
    with pytest.raises(LeaseLapsed, match=r"lapsed at 03:00:30 UTC \(not renewed for 35 s; renewal failed: "
                                          r"ApiException: \(403\)"):
        a.check()


@pytest.mark.parametrize("change, seen", [
    (lambda api: api.delete_namespaced_lease("run-run-a-gw0", NAMESPACE), "removed"),
    (lambda api: api.patch_namespaced_lease("run-run-a-gw0", NAMESPACE, {"spec": {"holderIdentity": "x"}}), "changed"),
], ids=["removed", "changed"])
def test_a_lease_another_run_removed_or_changed_is_never_made_again(api, process, change, seen):
    a = process("run-a")
    change(api)
    a.renew()
    with pytest.raises(LeaseLapsed, match=f"renewal failed: .*: lease run-run-a-gw0 was {seen} by another run"):
        a.check()
    with pytest.raises(LeaseLapsed):
        a.try_shared()
    assert "run-run-a-gw0" not in api.leases or api.spec("run-run-a-gw0")["holderIdentity"] == "x"


def test_a_hold_of_exclusive_taken_over_lapses_its_former_holder(api, clock, process):
    a, b = process("run-a"), process("run-b")
    assert a.try_exclusive() is None
    api.patch_namespaced_lease(EXCLUSIVE, NAMESPACE, {"spec": {"holderIdentity": "run-b/gw0"}})
    a.renew()
    with pytest.raises(LeaseLapsed, match="lease exclusive was changed by another run"):
        a.check()


def test_inside_a_scripts_alone_turn_every_turn_is_part_of_it(api, process):
    script = process("lab-1", "script")
    assert script.try_exclusive() is None
    inside = Member(api, api, "run-a", "gw0", inside="lab-1/script", clock=script._clock, sleep=lambda s: None)
    inside.join()
    api.calls.clear()
    with inside.exclusive():
        with inside.shared():
            pass
    assert not [c for c in api.calls if c[0] != "read_namespaced_lease"], api.calls      # nothing written
    assert api.spec(EXCLUSIVE)["holderIdentity"] == "lab-1/script"
    outside = process("run-b")
    assert outside.try_shared() == "lab-1/script"
    script.release_exclusive()
    assert not inside.inside_held()
    assert inside.try_shared() is None          # the turn given back: the protocol as usual


def test_joining_without_the_right_to_write_leases_names_what_is_missing(api, clock):
    api.forbidden.add("create_namespaced_lease")
    with pytest.raises(CoordinationError, match=f"cannot create lease {NAMESPACE}/run-run-a-gw0: 403 Forbidden"):
        Member(api, api, "run-a", "gw0", clock=clock).join()


def test_a_race_to_make_the_namespace_is_harmless(api, clock):
    api.before("create_namespace", lambda: api.namespaces.add(NAMESPACE))   # another run made it first
    Member(api, api, "run-a", "gw0", clock=clock).join()
    Member(api, api, "run-b", "gw0", clock=clock).join()
    assert sorted(api.leases) == ["run-run-a-gw0", "run-run-b-gw0"]


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
        p = Member(api, api, run_id, worker, clock=clock)
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
    p = Member(api, api, "run-a", "gw0")
    p.join()
    first = api.spec("run-run-a-gw0")["renewTime"]
    p.start_renewing()
    time.sleep(0.3)
    assert api.spec("run-run-a-gw0")["renewTime"] > first
    p.leave()
    assert "run-run-a-gw0" not in api.leases


