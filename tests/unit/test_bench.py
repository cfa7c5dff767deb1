import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
bench = importlib.util.module_from_spec(spec)
sys.modules["bench"] = bench          # its dataclasses look their module up
spec.loader.exec_module(bench)

METRICS = """\
# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb.
# TYPE apiserver_request_total counter
apiserver_request_total{code="0",component="apiserver",resource="pods",subresource="exec",verb="CONNECT"} 31
apiserver_request_total{code="200",component="",resource="",subresource="/readyz",verb="GET"} 7
apiserver_request_total{code="201",component="apiserver",resource="leases",verb="POST"} 1.5e+03 1700000000000
apiserver_request_terminations_total{code="429"} 1000
apiserver_request_total_other 1000
apiserver_request_duration_seconds_count{verb="GET"} 1000
"""

JUNIT = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="3" time="100.500">
<testcase classname="suites.test_runtime" name="test_short" time="10.000">
  <properties><property name="catalog" value="R5"/><property name="hold" value="shared"/>
  <property name="hold_wait_s" value="2.500"/><property name="api_requests" value="40"/></properties></testcase>
<testcase classname="suites.test_scheduling" name="test_alone" time="40.000">
  <properties><property name="hold" value="exclusive"/><property name="hold_wait_s" value="35.000"/>
  <property name="api_requests" value="120"/></properties></testcase>
<testcase classname="suites.test_discovery" name="test_without_properties" time="1.000"/>
</testsuite></testsuites>
"""


def test_the_servers_count_is_the_sum_of_every_apiserver_request_total_series():
    assert bench.requests_total(METRICS) == 31 + 7 + 1500
    assert bench.requests_total("") == 0


def test_the_junit_gives_the_wall_time_and_each_tests_total_waiting_and_own_time_longest_first(tmp_path):
    (tmp_path / "junit.xml").write_text(JUNIT)
    wall, cases = bench.read_junit(tmp_path / "junit.xml")
    assert wall == 100.5
    assert [(c.name, c.total_s, c.waiting_s, c.own_s, c.hold, c.api_requests) for c in cases] == [
        ("suites.test_scheduling::test_alone", 40.0, 35.0, 5.0, "exclusive", 120),
        ("suites.test_runtime::test_short", 10.0, 2.5, 7.5, "shared", 40),
        ("suites.test_discovery::test_without_properties", 1.0, 0.0, 1.0, "?", None)]


def test_the_report_names_the_longest_test_the_ratio_each_test_and_the_servers_delta(tmp_path):
    (tmp_path / "junit.xml").write_text(JUNIT)
    memory = bench.MemorySampler(1)
    memory.peak_sum_kib, memory.peak_one_kib, memory.samples = 600 * 1024, 200 * 1024, 40
    f = bench.figures(*bench.read_junit(tmp_path / "junit.xml"), 130.0,
                      {"before": 9000, "after": 12000, "delta": 3000}, memory, 0)
    assert (f["longest"], f["ratio"], f["client_requests"]) == (
        {"test": "suites.test_runtime::test_short", "s": 7.5, "total_s": 10.0}, 13.4, 160)
    text = "\n".join(bench.render(f))
    assert "suite wall time: 100.50 s (pytest's own timing: the JUnit testsuite time)" in text
    assert ("longest test (its own time, waiting for its holds left out): suites.test_runtime::test_short 7.50 s "
            "(10.00 s with waiting); wall time / longest = 13.4") in text
    assert "   40.00    35.00     5.00      120  exclusive        suites.test_scheduling::test_alone" in text
    assert "    1.00     0.00     1.00        -  ?                suites.test_discovery::test_without_properties" in text
    assert "API requests through the suite's client during tests: 160" in text
    assert "the API server counted during the run: 3000 (apiserver_request_total summed, 9000 before" in text
    assert "every client's" in text
    assert "600 MiB summed resident sets (shared pages counted in each), 200 MiB the largest process" in text


def test_a_server_count_that_went_down_or_could_not_be_read_is_said_so():
    counter = bench.ServerCounter.__new__(bench.ServerCounter)
    counter.error = "ApiException: 403 Forbidden"
    assert counter.figures(None, None) == {"error": "ApiException: 403 Forbidden"}
    assert "restarted" in counter.figures(500, 20)["error"]
    f = {"wall_s": 1.0, "wall_source": "x", "run_suite_s": 2.0, "longest": None, "ratio": None, "tests": [],
         "client_requests": 0, "server_requests": {"error": "ApiException: 403 Forbidden"},
         "memory": {"peak_sum_kib": 0, "peak_one_kib": 0, "samples": 0, "every_s": 0.5}}
    assert "API requests the API server counted: not known (ApiException: 403 Forbidden)" in bench.render(f)


@pytest.mark.parametrize("ratio, limit, fails", [(2.5, None, False), (2.5, 3, False), (3.0, 3, False), (3.01, 3, True),
                                                 (None, 3, False)])
def test_the_ratio_fails_the_bench_only_above_the_limit_given(ratio, limit, fails):
    why = bench.ratio_check(ratio, limit)
    assert bool(why) == fails
    if fails:
        assert why.startswith("wall time / longest test = 3.01 exceeds the limit 3")


def test_memory_is_summed_over_the_pytest_process_and_everything_below_it_only():
    # run-suite.sh (10) -> pytest (11) -> two xdist workers (12, 13) -> kubectl (14); check-run (15) beside pytest
    table = {1: (0, 5), 10: (1, 3000), 11: (10, 100_000), 12: (11, 200_000), 13: (11, 150_000), 14: (12, 20_000),
             15: (10, 40_000), 20: (1, 900_000)}
    args = {11: ["/w/.venv/bin/python", "/w/.venv/bin/pytest", "suites"], 15: ["python", "scripts/check-run.py"]}
    assert bench.pytest_processes(table, 10, lambda pid: args.get(pid, ["x"])) == [11, 12, 13, 14]
    sampler = bench.MemorySampler(10)
    sampler.sample(table, lambda pid: args.get(pid, ["x"]))
    table[13] = (11, 10_000)
    sampler.sample(table, lambda pid: args.get(pid, ["x"]))
    sampler.sample({10: (1, 3000)}, lambda pid: [])                # before pytest started: no sample
    assert (sampler.peak_sum_kib, sampler.peak_one_kib, sampler.samples) == (470_000, 200_000, 2)


def test_memory_of_this_process_tree_is_read_from_proc():
    table = bench.read_processes()
    assert table[os.getpid()][0] == os.getppid() and table[os.getpid()][1] > 0


def test_the_runs_junit_is_its_own_when_run_suite_wrote_it_beside_another_runs(tmp_path):
    since = time.time() - 5
    (tmp_path / "junit.xml").write_text(JUNIT)
    assert bench.junit_of(tmp_path, 4242, since) == tmp_path / "junit.xml"
    (tmp_path / "run-4242").mkdir()
    (tmp_path / "run-4242" / "junit.xml").write_text(JUNIT)
    assert bench.junit_of(tmp_path, 4242, since) == tmp_path / "run-4242" / "junit.xml"
    assert bench.junit_of(tmp_path, 1, time.time() + 60) is None       # an older run's report is not this one's


COSTLY = """
import time

import pytest
from kubernetes import client

from fixtures import costs


@pytest.fixture
def held():
    with costs.waiting_for("shared"):
        time.sleep(0.3)
    yield


def test_held(held):
    api = costs.count_requests(client.ApiClient(client.Configuration(host="http://127.0.0.1:9")))
    api.param_serialize("GET", "/api")
    api.param_serialize("GET", "/api")


def test_plain():
    pass
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_the_costs_reach_the_junit_xml_and_the_bench_table(project, workers):
    pytester, run = project
    (pytester.path / "tests" / "unit").mkdir()         # under xdist a run of other tests would look for a cluster
    (pytester.path / "tests" / "unit" / "test_costly.py").write_text(COSTLY)
    junit = pytester.path / "junit.xml"
    run("tests/unit", f"--junitxml={junit}", *workers).assert_outcomes(passed=2)
    wall, cases = bench.read_junit(junit)
    held, plain = (next(c for c in cases if c.name.endswith(n)) for n in ("test_held", "test_plain"))
    assert (held.hold, held.api_requests, plain.hold, plain.waiting_s, plain.api_requests) == ("shared", 2, "none", 0, 0)
    assert 0.3 <= held.waiting_s <= held.total_s <= wall       # the hold is in the test's setup, in JUnit's time
