import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("concurrent_runs", ROOT / "scripts" / "concurrent-runs.py")
concurrent_runs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(concurrent_runs)

ALONE = "suites/test_scheduling.py::test_taint"


def ns(run, test, added, gone):
    return {"run": run, "test": test, "added": added, "gone": gone}


def test_a_namespace_of_another_run_living_during_an_exclusive_test_is_an_overlap():
    seen = {"x": ns("a", ALONE, 10, 20), "y": ns("b", "suites/t.py::test_plain", 19, 30)}
    (found,) = concurrent_runs.overlaps(seen, {ALONE})
    assert found == (f"{ALONE} (run a, namespace x) overlapped suites/t.py::test_plain (run b, namespace y) by 1.0s")


def test_turns_taken_one_after_the_other_and_the_own_runs_tests_are_no_overlap():
    seen = {"x": ns("a", ALONE, 10, 20), "y": ns("b", "suites/t.py::test_plain", 20.5, 30),
            "z": ns("b", ALONE, 1, 9.5), "w": ns("a", "suites/t.py::test_plain", 12, 18)}
    assert concurrent_runs.overlaps(seen, {ALONE}) == []


def test_a_namespace_never_gone_lasts_to_the_end():
    seen = {"x": ns("a", ALONE, 10, None), "y": ns("b", "suites/t.py::test_plain", 500, 600)}
    assert len(concurrent_runs.overlaps(seen, {ALONE})) == 1
