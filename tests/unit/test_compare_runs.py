import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare-runs.py"


def run_file(tmp_path, name, version, **tests):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"run_id": name, "server_version": version, "tests": tests}))
    return path


def entry(outcome="passed", reason="", catalog=(), **measurements):
    e = {"outcome": outcome, "measurements": measurements, "catalog": list(catalog)}
    if reason:
        e["reason"] = reason
    return e


def table_rows(stdout):
    lines = stdout.splitlines()
    return {line.split()[1]: line for line in lines[lines.index(next(l for l in lines if l.startswith("---"))) + 1:]}


def compare(tmp_path, before, after, *args):
    b = run_file(tmp_path, "before", "v1.35.4", **before)
    a = run_file(tmp_path, "after", "v1.36.3", **after)
    out = tmp_path / "out" / "comparison.txt"
    done = subprocess.run([sys.executable, str(SCRIPT), str(b), str(a), "--out", str(out), *args],
                          capture_output=True, text=True)
    return done, out


def test_the_same_outcomes_and_durations_are_accepted_and_written(tmp_path):
    runs = {"R1": entry(to_running=2.0), "N4": entry("skipped", reason="needs a taint")}
    done, out = compare(tmp_path, runs, runs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == "ACCEPT: 1 tests pass after as before; no regression"
    assert out.read_text() == done.stdout
    assert "before: run before on v1.35.4" in done.stdout and "after:  run after on v1.36.3" in done.stdout


def test_a_test_that_passed_before_and_fails_after_is_named_first(tmp_path):
    r1, n4 = "suites/test_runtime.py::test_r1", "suites/test_scheduling.py::test_n4"
    done, _ = compare(tmp_path, {r1: entry(catalog=["R1"]), n4: entry(catalog=["N4"])},
                      {r1: entry(catalog=["R1"]), n4: entry("skipped", reason="no schedulable worker", catalog=["N4"])})
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "REJECT: 1 regression(s)"
    assert lines[1] == "  - N4 test_scheduling::test_n4: passed before, skipped after: no schedulable worker"
    rows = table_rows(done.stdout)
    assert rows["test_scheduling::test_n4"].startswith("N4  ")
    assert "!passed before, skipped after" in rows["test_scheduling::test_n4"]
    assert rows["test_runtime::test_r1"].startswith("R1  ") and "!" not in rows["test_runtime::test_r1"]


def test_a_passing_test_missing_after_rejects_but_a_skipped_one_does_not(tmp_path):
    done, _ = compare(tmp_path, {"R1": entry(), "I1": entry("skipped")}, {})
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == ["REJECT: 1 regression(s)", "  - R1: passed before, missing after"]


def test_a_failure_before_that_passes_after_is_noted_not_rejected(tmp_path):
    done, _ = compare(tmp_path, {"R1": entry("failed")}, {"R1": entry()})
    assert done.returncode == 0
    assert "passes now" in done.stdout


@pytest.mark.parametrize("before_s, after_s, rejected", [
    (2.0, 8.0, True),      # +300 % and +6 s
    (2.0, 6.5, False),     # +225 % but only +4.5 s
    (20.0, 27.0, False),   # +7 s but only +35 %
    (20.0, 31.0, True),    # +55 % and +11 s
], ids=["much-slower", "small-absolute-growth", "small-relative-growth", "both-beyond"])
def test_a_duration_rejects_only_beyond_both_thresholds(tmp_path, before_s, after_s, rejected):
    done, _ = compare(tmp_path, {"R1": entry(to_running=before_s)}, {"R1": entry(to_running=after_s)})
    assert (done.returncode == 1) is rejected, done.stdout
    assert (f"R1: slower: to_running {before_s:.1f}s -> {after_s:.1f}s" in done.stdout) is rejected


def test_thresholds_are_configurable(tmp_path):
    done, _ = compare(tmp_path, {"R1": entry(to_running=2.0)}, {"R1": entry(to_running=3.5)},
                      "--threshold", "0.2", "--min-delta", "1")
    assert done.returncode == 1
    assert "duration threshold: +20% and +1s" in done.stdout


def test_a_reason_from_outside_the_runs_rejects_too(tmp_path):
    done, _ = compare(tmp_path, {"R1": entry()}, {"R1": entry()}, "--reject", "workloads restarted")
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == ["REJECT: 1 regression(s)", "  - workloads restarted"]


def test_an_unreadable_run_is_a_clear_error(tmp_path):
    b = run_file(tmp_path, "before", "v1", R1=entry())
    done = subprocess.run([sys.executable, str(SCRIPT), str(b), str(tmp_path / "nope.json")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert f"cannot read observations {tmp_path / 'nope.json'}" in done.stderr


def test_a_long_test_name_keeps_its_start_and_its_parameters(tmp_path):
    long = "suites/test_probes.py::test_" + "x" * 120 + "[exec-exit-1-fails]"
    done, _ = compare(tmp_path, {long: entry(catalog=["P4"])}, {long: entry(catalog=["P4"])})
    (name,) = table_rows(done.stdout)
    assert len(name) == 90
    assert name.startswith("test_probes::test_xxx") and name.endswith("x[exec-exit-1-fails]") and "\u2026" in name


def test_the_largest_growth_of_a_duration_is_reported(tmp_path):
    done, _ = compare(tmp_path, {"R1": entry(to_running=2.0), "R5": entry(gone=20.0)},
                      {"R1": entry(to_running=2.5), "R5": entry(gone=21.25)})
    assert "largest growth of a duration: +1.25s: R5: gone 20.0s -> 21.2s" in done.stdout


def test_a_duration_that_grew_once_but_not_when_run_again_is_accepted(tmp_path):
    """Seen in an upgrade's acceptance on a busy 2-core host: mysql-client's start 1.8 s -> 10.4 s
    after the upgrade, while mysql57-pod's went 14.4 s -> 2.9 s in the same test."""
    r4, r1 = "suites/test_runtime.py::test_r4", "suites/test_runtime.py::test_r1"
    before = {r4: entry(catalog=["R4"], client=1.8), r1: entry(catalog=["R1"], start=2.0)}
    after = {r4: entry(catalog=["R4"], client=10.4), r1: entry(catalog=["R1"], start=2.1)}
    slower = tmp_path / "slower.txt"
    done, _ = compare(tmp_path, before, after, "--slower-tests", str(slower))
    assert done.returncode == 1 and "R4 test_runtime::test_r4: slower: client 1.8s -> 10.4s" in done.stdout
    assert slower.read_text() == f"{r4}\n"

    again = run_file(tmp_path, "again", "v1.36.3", **{r4: entry(catalog=["R4"], client=2.2)})
    done, _ = compare(tmp_path, before, after, "--again", str(again), "--slower-tests", str(slower))
    assert done.returncode == 0, done.stdout
    assert "the shortest of the run after and 1 later run(s)" in done.stdout
    assert slower.read_text() == ""


def test_a_duration_that_grew_again_when_run_again_still_rejects(tmp_path):
    r4 = "suites/test_runtime.py::test_r4"
    again = run_file(tmp_path, "again", "v1.36.3", **{r4: entry(catalog=["R4"], client=9.0)})
    done, _ = compare(tmp_path, {r4: entry(catalog=["R4"], client=1.8)}, {r4: entry(catalog=["R4"], client=10.4)},
                      "--again", str(again))
    assert done.returncode == 1
    assert "R4 test_runtime::test_r4: slower: client 1.8s -> 9.0s" in done.stdout
