"""fixtures/coordination/xdist_scheduler.py: under --dist load the tests that hold the cluster alone go to one
worker at the start, the others to every other worker; driven here as xdist's controller drives
it, with workers that, like xdist's, start a test only once another is queued behind it or they
have been told to shut down. A whole run through xdist is in test_alone_first.py."""

from types import SimpleNamespace

import pytest

import inspect

from fixtures.coordination import xdist_scheduler as scheduling

ALONE = ["t.py::alone_a", "t.py::alone_b", "t.py::alone_c"]
REST = ["t.py::aside_p1", "t.py::aside_x", "t.py::shared_1", "t.py::shared_2", "t.py::shared_3",
        "t.py::shared_4", "t.py::shared_5", "t.py::shared_6", "t.py::shared_7"]


class Worker:
    def __init__(self, name):
        self.name, self.sent, self.shutting_down = name, [], False
        self.gateway = SimpleNamespace(id=name)

    def send_runtest_some(self, indexes):
        self.sent.extend(indexes)

    def shutdown(self):
        self.shutting_down = True

    def __repr__(self):
        return self.name


def controller(tmp_path, collection, workers=3, published=ALONE):
    if published is not None:
        scheduling.publish(tmp_path, published)
    sched = scheduling.RunOrderScheduling(SimpleNamespace(), lambda *a: None, directory=tmp_path, workers=workers)
    nodes = [Worker(f"gw{i}") for i in range(workers)]
    for node in nodes:
        sched.add_node(node)
    for node in nodes:
        sched.add_node_collection(node, collection)
    sched.schedule()
    return sched, nodes


def run_to_the_end(sched, nodes, collection):
    """The workers take turns ending the first test they may start; returns what each ran. A run
    in which no worker may start a test while some are left is a hang."""
    ran = {node.name: [] for node in nodes}
    while any(sched.queued[n] for n in nodes) or sched.pending:
        startable = [n for n in nodes if sched.queued[n] and (len(sched.queued[n]) >= 2 or n.shutting_down)]
        if not startable:
            raise AssertionError(f"hung: queued {dict(sched.queued)}, pending {sched.pending}")
        for node in startable:
            index = sched.queued[node][0]
            ran[node.name].append(collection[index].split("::")[1])
            sched.mark_test_complete(node, index)
    assert all(node.shutting_down for node in nodes)
    return ran


def test_the_alone_tests_go_to_one_worker_and_the_others_start_on_the_rest(tmp_path):
    collection = ALONE + REST
    sched, nodes = controller(tmp_path, collection)
    first = {node.name: [collection[i].split("::")[1] for i in node.sent] for node in nodes}
    # Behind the last alone test and behind the slowest test, the quickest ones: each worker
    # starts a test only once another is queued behind it, and that one runs after it.
    assert first == {"gw0": ["alone_a", "alone_b", "alone_c", "shared_7"], "gw1": ["aside_p1", "shared_6"],
                     "gw2": ["aside_x", "shared_1"]}
    ran = run_to_the_end(sched, nodes, collection)
    assert ran["gw0"][:3] == ["alone_a", "alone_b", "alone_c"]
    assert sorted(sum(ran.values(), [])) == sorted(c.split("::")[1] for c in collection)


@pytest.mark.parametrize("collection, workers", [
    (ALONE[:2] + REST[:2], 2),
    (ALONE[:2] + REST[:2], 6),
    (ALONE, 3),
    (ALONE[:1] + REST, 4),
    (ALONE + REST, 1),
], ids=["as-many-tests-as-workers", "fewer-tests-than-workers", "only-alone-tests", "one-alone-test", "one-worker"])
def test_every_test_runs_and_every_worker_ends(tmp_path, collection, workers):
    sched, nodes = controller(tmp_path, collection, workers)
    ran = run_to_the_end(sched, nodes, collection)
    assert sorted(sum(ran.values(), [])) == sorted(c.split("::")[1] for c in collection)
    alone_in = [name for name, tests in ran.items() if any(t.startswith("alone") for t in tests)]
    assert alone_in == ["gw0"], ran
    alone = [c.split("::")[1] for c in collection if c in ALONE]
    assert ran["gw0"][:len(alone)] == alone, "the alone worker ran other tests first"


def test_without_the_workers_file_no_worker_is_kept_for_alone_tests(tmp_path):
    sched, nodes = controller(tmp_path, ALONE + REST, published=None)
    assert [node.sent for node in nodes] == [[0, 11], [1, 3], [2, 4]]


@pytest.mark.parametrize("ahead, pending, sent", [
    ("aside_slow_a", ["aside_slow_b", "shared_quick", "aside_quick"], "aside_quick"),
    ("aside_slow_a", ["aside_slow_b", "shared_quick"], "aside_slow_b"),
    ("shared_slow_a", ["shared_slow_b", "aside_quick", "shared_quick"], "shared_quick"),
    ("aside_quick", ["aside_slow_b", "aside_quick_2"], "aside_slow_b"),
], ids=["slow-behind-slow-takes-a-quick-one-of-its-part", "none-of-its-part-left", "shared-likewise",
        "behind-a-quick-one-the-next-in-order"])
def test_a_slow_test_is_not_queued_behind_a_slow_one_while_a_quick_one_of_its_part_is_pending(
        tmp_path, ahead, pending, sent, alone=("t.py::alone",)):
    collection = [f"t.py::{name}" for name in ("alone", "aside_slow_a", "aside_slow_b", "aside_quick", "aside_quick_2",
                                               "shared_slow_a", "shared_slow_b", "shared_quick")]
    scheduling.publish(tmp_path, list(alone), aside=[c for c in collection if "aside" in c],
                       slow=[c for c in collection if "slow" in c])
    sched, (gw0,) = controller(tmp_path, collection, workers=1, published=None)
    index = {c.split("::")[1]: i for i, c in enumerate(collection)}
    sched.pending[:] = [index[name] for name in pending]
    sched.queued[gw0][:] = [index[ahead]]
    sched._refill(gw0)
    assert collection[sched.queued[gw0][-1]] == f"t.py::{sent}"


def test_a_crashed_workers_queued_tests_go_to_the_front_and_the_crashed_one_is_named(tmp_path):
    collection = ALONE + REST
    sched, nodes = controller(tmp_path, collection)
    crashed = sched.remove_node(nodes[0])
    assert crashed == "t.py::alone_a"
    assert [collection[i] for i in sched.pending[:3]] == ["t.py::alone_b", "t.py::alone_c", "t.py::shared_7"]
    ran = run_to_the_end(sched, nodes[1:], collection)
    assert sorted(sum(ran.values(), [])) == sorted(c.split("::")[1] for c in collection if c != crashed)


def test_the_scheduler_is_written_to_xdists_protocol_alone_without_its_classes():
    source = inspect.getsource(scheduling)
    assert "import xdist" not in source and "from xdist" not in source
    for name in ("nodes", "collection_is_completed", "tests_finished", "has_pending", "add_node",
                 "add_node_collection", "mark_test_complete", "mark_test_pending",
                 "remove_pending_tests_from_node", "remove_node", "schedule"):
        assert hasattr(scheduling.RunOrderScheduling, name), name


def test_at_the_start_each_worker_takes_one_of_the_slowest_with_a_quick_one_behind_it(tmp_path):
    """Two slow tests on one worker kept the second from starting until the first had ended."""
    collection = [f"t.py::{name}" for name in ("slow_1", "slow_2", "slow_3", "quick_1", "quick_2", "quick_3",
                                               "quick_4", "quick_5")]
    scheduling.publish(tmp_path, [], slow=[c for c in collection if "slow" in c])
    sched, nodes = controller(tmp_path, collection, published=None)
    assert [[collection[i].split("::")[1] for i in node.sent] for node in nodes] == [
        ["slow_1", "quick_5"], ["slow_2", "quick_1"], ["slow_3", "quick_2"]]


def test_without_alone_tests_a_quick_one_of_either_part_goes_behind_a_slow_one(tmp_path):
    test_a_slow_test_is_not_queued_behind_a_slow_one_while_a_quick_one_of_its_part_is_pending(
        tmp_path, "aside_slow_a", ["aside_slow_b", "shared_quick"], "shared_quick", alone=())


def test_the_shared_tests_wait_while_the_alone_tests_have_not_all_ended(tmp_path):
    collection = ALONE + REST
    sched, nodes = controller(tmp_path, collection)
    pending = tmp_path / scheduling.ALONE_PENDING
    assert pending.exists()
    for index in range(len(ALONE) - 1):
        sched.mark_test_complete(nodes[0], index)
        assert pending.exists()
    sched.mark_test_complete(nodes[0], len(ALONE) - 1)
    assert not pending.exists()


def test_a_crashed_worker_keeps_no_shared_test_waiting(tmp_path):
    """Its alone tests go to other workers, which may be in shared tests that wait: seen before,
    every shared test waited 900 s. The leases keep the alone tests alone."""
    sched, nodes = controller(tmp_path, ALONE + REST)
    sched.remove_node(nodes[0])
    assert not (tmp_path / scheduling.ALONE_PENDING).exists()


def test_without_alone_tests_nothing_is_waited_for(tmp_path):
    controller(tmp_path, REST, published=[])
    assert not (tmp_path / scheduling.ALONE_PENDING).exists()
