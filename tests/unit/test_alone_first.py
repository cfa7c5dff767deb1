"""A run across its processes: tests that hold the cluster alone go first, and shared tests wait
until all of them have ended (order.py, xdist_scheduler.py, holds.py): the markers, the order, and whole runs
with and without pytest-xdist, with every turn of the lease protocol granted (no cluster); the
run's directory goes at its end, and a note made in any process reaches the run's summary."""

import contextlib
import threading
import time
from types import SimpleNamespace

import pytest

from fixtures.coordination.holds import Holds
from fixtures.coordination.order import order
from fixtures.coordination.run_directory import ALONE_PENDING


def item(name, *markers, slow=None):
    marks = {m: SimpleNamespace(args=()) for m in markers}
    if slow is not None:
        marks["slow"] = SimpleNamespace(args=(slow,) if slow else ())
    return SimpleNamespace(name=name, get_closest_marker=marks.get)


def test_tests_that_hold_the_cluster_alone_go_first_then_the_slowest_ones():
    items = [item("a"), item("slow-40", slow=40), item("taints", "node_mutation"), item("b"),
             item("pauses", "disruptive", slow=60), item("slow-150", slow=150), item("labels", "node_mutation"),
             item("slow-unsaid", slow=0)]
    order(items)
    assert [i.name for i in items] == ["pauses", "taints", "labels", "slow-150", "slow-unsaid", "slow-40", "a", "b"]


def test_without_alone_tests_aside_and_shared_tests_are_one_part():
    items = [item("a"), item("aside-quick", "aside"), item("slow-30", slow=30), item("aside-slow-20", "aside", slow=20)]
    order(items)
    assert [i.name for i in items] == ["slow-30", "aside-slow-20", "a", "aside-quick"]


def test_a_test_reaching_a_service_counts_as_taking_a_broken_layers_budget():
    """A broken Service layer makes each of them wait its whole budget: last in the order, they
    were a broken cluster's tail, one queued behind another."""
    items = [item("a"), item("svc", "reaches_service"), item("slow-20", slow=20), item("slow-40", slow=40),
             item("svc-slow-60", "reaches_service", slow=60)]
    order(items)
    assert [i.name for i in items] == ["svc-slow-60", "slow-40", "svc", "slow-20", "a"]
    from fixtures import services
    from fixtures.coordination.order import SERVICE_BUDGET_S
    assert SERVICE_BUDGET_S >= services.CLUSTER_IP_S


def holds(tmp_path, notes=None, scale=lambda s: s):
    return Holds(tmp_path, lambda: NoOtherRun(), notes if notes is not None else [], scale)


class NoOtherRun:
    def shared(self):
        return contextlib.nullcontext()

    exclusive = shared


def test_a_shared_hold_waits_while_the_runs_alone_tests_have_not_all_ended(tmp_path):
    pending = tmp_path / ALONE_PENDING
    pending.touch()
    threading.Timer(0.6, pending.unlink).start()
    started = time.monotonic()
    with holds(tmp_path).shared():
        assert time.monotonic() - started >= 0.5


def test_nothing_to_wait_for_when_the_scheduler_marked_nothing_pending(tmp_path):
    started = time.monotonic()
    with holds(tmp_path).shared():
        assert time.monotonic() - started < 0.5


def test_an_alone_tests_own_shared_hold_does_not_wait_for_the_alone_tests(tmp_path):
    """A session fixture read in a shared hold, set up for an alone test, waited for itself."""
    (tmp_path / ALONE_PENDING).touch()
    own = holds(tmp_path)
    own.in_alone_test = True
    started = time.monotonic()
    with own.shared():
        assert time.monotonic() - started < 0.5


def test_past_the_bound_shared_tests_go_on_and_the_summary_says_so(tmp_path):
    (tmp_path / ALONE_PENDING).touch()
    notes = []
    with holds(tmp_path, notes, scale=lambda s: 0.2).shared():
        pass
    assert not (tmp_path / ALONE_PENDING).exists()
    assert notes == ["tests that hold the cluster alone had not all ended after 0.2 s; shared tests went on beside them"]


CONFTEST = '''
from fixtures.run import Run


def pytest_configure(config):
    Run.clean_up_leftovers = lambda self: None     # no cluster to clean up, nor to probe
    Run.check_admission = lambda self: None
'''

RUN_TESTS = '''
import contextlib
import os
import time

import pytest

from fixtures.plugin import RUN


def record(what):
    with open(os.environ["TIMES"], "a") as f:
        f.write(f"{time.monotonic()} {what} {os.environ.get('PYTEST_XDIST_WORKER', 'main')}\\n")


class NoOtherRun:
    """The lease protocol with no other run on the cluster: every turn is granted."""

    def shared(self):
        return contextlib.nullcontext()

    exclusive = shared


@pytest.fixture(autouse=True)
def no_turn_to_wait_for(monkeypatch):
    from fixtures.run import Run
    monkeypatch.setattr(Run, "member", property(lambda self: NoOtherRun()))


@pytest.mark.parametrize("i", range(6))
def test_shared(request, i):
    with request.config.stash[RUN].alongside():
        record("shared-start")
        time.sleep(0.2)


@pytest.mark.aside
@pytest.mark.parametrize("i", range(2))
def test_aside(request, i):
    with request.config.stash[RUN].aside():
        record("aside-start")
        time.sleep(0.2)


@pytest.mark.node_mutation
@pytest.mark.parametrize("i", range(3))
def test_alone(request, i):
    with request.config.stash[RUN].alone():
        time.sleep(0.4)
        record("alone-end")
'''


@pytest.mark.parametrize("workers", [["-n", "0"], ["-n", "3"]], ids=["one process", "three xdist workers"])
def test_in_a_run_no_shared_test_starts_before_the_last_test_that_held_the_cluster_alone_ends(
        project, monkeypatch, workers):
    pytester, run = project
    (pytester.path / "conftest.py").write_text(CONFTEST)
    (pytester.path / "tests" / "test_turns.py").write_text(RUN_TESTS)
    times = pytester.path / "times.txt"
    monkeypatch.setenv("TIMES", str(times))
    tmp = pytester.path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    run("tests", "--no-allow-node-mutation", *workers).assert_outcomes(passed=11)
    assert list(tmp.glob("pod-conformance-*")) == [], "the run's directory outlived it"
    seen = [line.split() for line in times.read_text().splitlines()]
    last_alone = max(float(t) for t, what, _ in seen if what == "alone-end")
    shared = [float(t) for t, what, _ in seen if what == "shared-start"]
    assert len(shared) == 6 and min(shared) >= last_alone
    if workers == ["-n", "3"]:     # the alone tests on one worker, the aside tests beside them (xdist_scheduler.py)
        assert len({worker for _, what, worker in seen if what == "alone-end"}) == 1, seen
        assert min(float(t) for t, what, _ in seen if what == "aside-start") < last_alone, seen


CRASHING_TESTS = RUN_TESTS.replace("def test_shared(request, i):\n    with request.config.stash[RUN].alongside():\n        record(\"shared-start\")\n        time.sleep(0.2)",
                                   "def test_shared(request, i):\n    with request.config.stash[RUN].alongside():\n        record(\"shared-start\")\n        time.sleep(0.2)\n        record(\"shared-end\")")
CRASHING_TESTS = CRASHING_TESTS.replace("@pytest.mark.node_mutation\n@pytest.mark.parametrize", """@pytest.mark.node_mutation
def test_alone_crashes_its_worker(request):
    with request.config.stash[RUN].alone():
        os._exit(1)


@pytest.mark.node_mutation
@pytest.mark.parametrize""")


def test_a_worker_that_crashes_in_an_alone_test_keeps_no_shared_test_waiting(project, monkeypatch):
    """Its other alone tests go to other workers, and the shared tests go on at once (they waited
    900 s for alone tests that had lost their worker); from then on the leases keep the two apart,
    as between runs (test_leases.py)."""
    pytester, run = project
    assert CRASHING_TESTS.count("os._exit") == 1 and CRASHING_TESTS.count("shared-end") == 1
    (pytester.path / "conftest.py").write_text(CONFTEST)
    (pytester.path / "tests" / "test_turns.py").write_text(CRASHING_TESTS)
    times = pytester.path / "times.txt"
    monkeypatch.setenv("TIMES", str(times))
    started = time.monotonic()
    result = run("tests", "--no-allow-node-mutation", "-n", "3")
    result.assert_outcomes(passed=11, failed=1)
    result.stdout.fnmatch_lines(["*crashed while running*test_alone_crashes_its_worker*"])
    assert time.monotonic() - started < 45
    seen = [line.split() for line in times.read_text().splitlines()]
    assert [what for _, what, _ in seen].count("alone-end") == 3
    assert [what for _, what, _ in seen].count("shared-end") == 6


@pytest.mark.parametrize("selection, passed", [("test_alone", 3), ("test_alone and 0 or test_shared", 7)],
                         ids=["only-the-alone-tests", "one-alone-test"])
def test_a_small_selection_runs_to_its_end_under_xdist(project, monkeypatch, selection, passed):
    """An xdist worker starts a test only once another is queued behind it, or it was told to
    shut down: a scheduler that left the alone worker one test hung here."""
    pytester, run = project
    (pytester.path / "conftest.py").write_text(CONFTEST)
    (pytester.path / "tests" / "test_turns.py").write_text(RUN_TESTS)
    monkeypatch.setenv("TIMES", str(pytester.path / "times.txt"))
    run("tests", "--no-allow-node-mutation", "-n", "3", "-k", selection).assert_outcomes(passed=passed)


NOTING_TESTS = '''
def test_a_note(request):
    from fixtures.plugin import RUN
    request.config.stash[RUN].notes.append(f"kept namespace pc-x of failed test {request.node.nodeid}")
'''


@pytest.mark.parametrize("workers", [["-n", "0"], ["-n", "2"]], ids=["one process", "two xdist workers"])
def test_a_note_made_in_any_process_reaches_the_runs_summary(project, workers):
    pytester, run = project
    (pytester.path / "conftest.py").write_text(CONFTEST)
    (pytester.path / "tests" / "test_notes.py").write_text(NOTING_TESTS)
    result = run("tests", *workers)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*cluster housekeeping*",
                                 "kept namespace pc-x of failed test tests/test_notes.py::test_a_note"])
