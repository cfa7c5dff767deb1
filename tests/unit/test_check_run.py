import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.catalog import CATALOG

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check-run.py"


def case(name, *, catalog=(), outcome="passed", message=""):
    props = "".join(f'<property name="catalog" value="{c}"/>' for c in catalog)
    body = {"passed": "",
            "failed": '<failure message="assert False">trace</failure>',
            "error": '<error message="fixture failed">trace</error>',
            "skipped": f'<skipped type="pytest.skip" message="{message}">suites/x.py:1: {message}</skipped>'}[outcome]
    return (f'<testcase classname="suites.test_x" name="{name}" time="0.1">'
            f'{"<properties>" + props + "</properties>" if props else ""}{body}</testcase>')


def junit(tmp_path, *cases):
    path = tmp_path / "junit.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
                    f'tests="{len(cases)}">{"".join(cases)}</testsuite></testsuites>')
    return path


def check(path, *args, ci=None):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, str(SCRIPT), str(path), *args], capture_output=True, text=True,
                          env=env, timeout=30)


def test_a_passing_run_passes(tmp_path):
    r = check(junit(tmp_path, case("test_a", catalog=["R1"])), ci="true")
    assert r.returncode == 0, r.stdout
    assert "catalog coverage (1 tests run)" in r.stdout
    assert "R1   1 passed" in r.stdout


def test_a_run_without_tests_fails(tmp_path):
    r = check(junit(tmp_path))
    assert r.returncode == 1
    assert "the run executed no test" in r.stdout


def test_an_unreadable_report_fails(tmp_path):
    r = check(tmp_path / "missing.xml")
    assert r.returncode == 1
    assert "cannot read" in r.stdout
    bad = tmp_path / "bad.xml"
    bad.write_text("<testsuites><testcase")
    assert check(bad).returncode == 1


@pytest.mark.parametrize("strict", [{"ci": "true"}, {"args": ["--strict"]}], ids=["CI=true", "--strict"])
def test_in_ci_a_skip_for_another_reason_fails_and_is_listed(tmp_path, strict):
    path = junit(tmp_path, case("test_a", catalog=["R1"]),
                 case("test_b", catalog=["N1"], outcome="skipped", message="no cluster node for k8s-node2"))
    r = check(path, *strict.get("args", []), ci=strict.get("ci"))
    assert r.returncode == 1
    assert "skipped for a reason that is not allowed here" in r.stdout
    assert "suites.test_x::test_b: no cluster node for k8s-node2" in r.stdout


@pytest.mark.parametrize("message", ["needs_egress: the cluster cannot reach the internet",
                                     "disruptive: pass --allow-disruptive to run it",
                                     "Skipped: needs_egress: no internet"])
def test_in_ci_documented_skips_pass(tmp_path, message):
    path = junit(tmp_path, case("test_a", catalog=["R1"]),
                 case("test_b", catalog=["I1"], outcome="skipped", message=message))
    r = check(path, ci="true")
    assert r.returncode == 0, r.stdout
    assert "I1   1 skipped" in r.stdout


@pytest.mark.parametrize("ci", [None, "false", "1"])
def test_outside_ci_a_bad_skip_is_only_noted(tmp_path, ci):
    path = junit(tmp_path, case("test_a", catalog=["R1"]),
                 case("test_b", catalog=["N1"], outcome="skipped", message="not allowed here"))
    r = check(path, ci=ci)
    assert r.returncode == 0, r.stdout
    assert "note, skipped:" in r.stdout
    assert "suites.test_x::test_b: not allowed here" in r.stdout


def test_coverage_counts_outcomes_per_catalog_id_in_catalog_order(tmp_path):
    path = junit(tmp_path,
                 case("t1", catalog=["R1"]), case("t2", catalog=["R1"]), case("t3", catalog=["R1"], outcome="failed"),
                 case("t4", catalog=["P10"]), case("t5", catalog=["P2", "L1"], outcome="error"),
                 case("t6", catalog=["I1"], outcome="skipped", message="needs_egress: offline"),
                 case("t7"))
    r = check(path)
    assert r.returncode == 0, r.stdout
    assert "catalog coverage (7 tests run)" in r.stdout
    lines = [line.strip() for line in r.stdout.splitlines() if line.startswith("  ")]
    assert lines == ["I1   1 skipped", "L1   1 failed", "P2   1 failed", "P10  1 passed", "R1   1 failed, 2 passed"]


def test_a_failed_run_is_not_this_scripts_business(tmp_path):
    r = check(junit(tmp_path, case("t1", catalog=["R1"], outcome="failed")), ci="true")
    assert r.returncode == 0
    assert "R1   1 failed" in r.stdout


def test_the_catalog_is_judged_as_the_run_judges_it_an_id_with_a_failed_test_is_not_proven(tmp_path):
    """One verdict (fixtures/proof.py) for the run's summary and for this check: a passing test does
    not make up for a failing one of the same id."""
    r = check(junit(tmp_path, *[case(f"test_{cid}", catalog=[cid]) for cid in CATALOG if cid != "R1"],
                    case("test_r1_a", catalog=["R1"]), case("test_r1_b", catalog=["R1"], outcome="failed")),
              "--require-catalog")
    assert r.returncode == 1
    assert "catalog id(s) not proven (a test passed and none failed): R1 FAILED" in r.stdout
