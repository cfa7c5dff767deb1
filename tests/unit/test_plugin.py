import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fixtures import catalog

ROOT = Path(__file__).resolve().parents[2]


def test_a_suite_test_without_catalog_marker_is_a_usage_error(project):
    pytester, run = project
    (pytester.path / "suites" / "test_nomark.py").write_text("def test_a():\n    pass\n")
    result = run("suites")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*suites/test_nomark.py::test_a: every conformance test needs "
                                 "@pytest.mark.catalog(ID)*"])


def test_an_unknown_catalog_id_is_a_usage_error_naming_the_valid_ones(project):
    pytester, run = project
    (pytester.path / "suites" / "test_badid.py").write_text(
        "import pytest\n\n@pytest.mark.catalog('R1', 'X9')\ndef test_a():\n    pass\n")
    result = run("suites")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_badid.py::test_a: unknown catalog id(s) X9; valid: R1, R2, R3*Y1*"])


def test_a_bad_timeout_scale_is_a_usage_error(project):
    pytester, run = project
    (pytester.path / "tests" / "test_any.py").write_text("def test_a():\n    pass\n")
    result = run("--timeout-scale=fast", "tests")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--timeout-scale: 'fast' from --timeout-scale is not a positive number*"])


def test_a_bad_image_map_is_one_usage_error_before_any_test(project):
    pytester, run = project
    (pytester.path / "tests" / "test_images.py").write_text(
        "def test_a(image_map):\n    pass\n\ndef test_b(image_map):\n    pass\n")
    (pytester.path / "images.yaml").write_text("nginx:1.25.3: [not, a, reference]\n")
    result = run("--image-map=images.yaml", "tests")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*image map images.yaml must map image references to image references*"])
    assert "test_a" not in result.stdout.str() + result.stderr.str()


def test_catalog_ids_reach_the_junit_report_and_check_run(project):
    pytester, run = project
    (pytester.path / "suites" / "test_ok.py").write_text(
        "import pytest\n\n@pytest.mark.catalog('R1', 'P1')\ndef test_a():\n    pass\n\n"
        "@pytest.mark.catalog('N1')\ndef test_b():\n    pytest.skip('needs_egress: offline')\n")
    (pytester.path / "tests" / "test_helper.py").write_text("def test_plain():\n    pass\n")
    junit = pytester.path / "junit.xml"
    result = run("suites", "tests", f"--junitxml={junit}")
    result.assert_outcomes(passed=2, skipped=1)
    props = {(case.get("name"), p.get("value")) for case in ET.parse(junit).getroot().iter("testcase")
             for p in case.iter("property") if p.get("name") == "catalog"}
    assert props == {("test_a", "R1"), ("test_a", "P1"), ("test_b", "N1")}

    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "check-run.py"), str(junit), "--strict"],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout
    assert "catalog coverage (3 tests run)" in check.stdout
    assert "N1   1 skipped" in check.stdout and "P1   1 passed" in check.stdout


NODE_MUTATION_SKIP = ("node_mutation: changes node labels or taints, which is not allowed here (this cluster was not "
                      "created by the suite); pass --allow-node-mutation to run it")
STAGING_LIKE = f"""
import pytest

@pytest.mark.catalog("N1")
def test_placed_by_hostname():
    pass

@pytest.mark.catalog("N4", "N5")
def test_held_without_toleration_placed_with_it():
    pass

@pytest.mark.catalog("N2")
def test_labelled():
    pytest.skip({NODE_MUTATION_SKIP!r})

@pytest.mark.catalog("N2")
def test_relabelled():
    pytest.skip({NODE_MUTATION_SKIP!r})

@pytest.mark.catalog("N6")
def test_evicted():
    pytest.skip({NODE_MUTATION_SKIP!r})
"""


def proof_section(result) -> list[str]:
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "catalog proof" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("=="))
    return [line for line in lines[start:end] if line]


def test_a_run_whose_catalog_ids_had_only_skipped_tests_fails_and_its_summary_says_why(project):
    pytester, run = project
    (pytester.path / "suites" / "test_staging.py").write_text(STAGING_LIKE)
    result = run("suites")
    result.assert_outcomes(passed=2, skipped=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    section = proof_section(result)
    print("\n".join(section))
    assert section[1] == f"3 proven, {len(catalog.CATALOG) - 3} NOT PROVEN"
    assert "N1  proven: 1 passed" in section and "N4  proven: 1 passed" in section and "N5  proven: 1 passed" in section
    assert f"N2  NOT PROVEN: all 2 skipped: {NODE_MUTATION_SKIP}" in section
    assert f"N6  NOT PROVEN: 1 skipped: {NODE_MUTATION_SKIP}" in section
    assert "R1  NOT PROVEN: not run in this selection" in section
    assert section[-1] == ("the run fails: N2, N6 had tests run and none passed; prove them (the reasons are above) "
                           "or, where this cluster cannot, accept that: --accept-unproven N2,N6")


def test_accepted_unproven_ids_pass_the_run_and_show_as_accepted(project):
    pytester, run = project
    (pytester.path / "suites" / "test_staging.py").write_text(STAGING_LIKE)
    result = run("suites", "--accept-unproven", "N2,N6")
    assert result.ret == pytest.ExitCode.OK
    section = proof_section(result)
    print("\n".join(section))
    assert section[1] == f"3 proven, {len(catalog.CATALOG) - 5} NOT PROVEN, 2 NOT PROVEN (accepted)"
    assert f"N2  NOT PROVEN (accepted): all 2 skipped: {NODE_MUTATION_SKIP}" in section
    assert f"N6  NOT PROVEN (accepted): 1 skipped: {NODE_MUTATION_SKIP}" in section
    assert not any(line.startswith("the run fails") for line in section)
    result.stdout.fnmatch_lines(["*accept-unproven: N2,N6 (from --accept-unproven)*"])


def test_an_id_accepted_by_the_environment_leaves_the_others_failing_the_run(project, monkeypatch):
    pytester, run = project
    (pytester.path / "suites" / "test_staging.py").write_text(STAGING_LIKE)
    monkeypatch.setenv("CONFORMANCE_ACCEPT_UNPROVEN", "N2")
    result = run("suites")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert proof_section(result)[-1].startswith("the run fails: N6 had tests run and none passed;")


def test_ids_without_a_selected_test_do_not_fail_the_run(project):
    pytester, run = project
    (pytester.path / "suites" / "test_staging.py").write_text(STAGING_LIKE)
    result = run("suites", "-k", "placed")
    assert result.ret == pytest.ExitCode.OK
    section = proof_section(result)
    assert "N2  NOT PROVEN: not run in this selection" in section
    assert "N6  NOT PROVEN: not run in this selection" in section


def test_a_failing_test_makes_its_id_failed(project):
    pytester, run = project
    (pytester.path / "suites" / "test_broken.py").write_text(
        "import pytest\n\n@pytest.mark.catalog('N1')\ndef test_ok():\n    pass\n\n"
        "@pytest.mark.catalog('N1')\ndef test_misplaced():\n    assert False, 'misplaced'\n")
    result = run("suites")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "N1  FAILED: 1 passed, 1 failed: suites/test_broken.py::test_misplaced" in proof_section(result)


def test_under_xdist_the_controller_judges_every_workers_tests(project):
    pytester, run = project
    unit = pytester.path / "tests" / "unit"       # a unit-test path: the run connects to no cluster
    unit.mkdir()
    (unit / "test_staging.py").write_text(STAGING_LIKE)
    result = run("-n", "2", "tests/unit")
    result.assert_outcomes(passed=2, skipped=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    section = proof_section(result)
    assert f"N2  NOT PROVEN: all 2 skipped: {NODE_MUTATION_SKIP}" in section
    assert "N1  proven: 1 passed" in section
    assert run("-n", "2", "tests/unit", "--accept-unproven=N2,N6").ret == pytest.ExitCode.OK


def test_an_accepted_id_not_in_the_catalog_is_a_usage_error_before_any_test(project, monkeypatch):
    pytester, run = project
    (pytester.path / "suites" / "test_staging.py").write_text(STAGING_LIKE)
    monkeypatch.setenv("CONFORMANCE_ACCEPT_UNPROVEN", "N2,N7")
    result = run("suites")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--accept-unproven: 'N2,N7' from $CONFORMANCE_ACCEPT_UNPROVEN names N7, which the "
                                 "catalog does not have. Valid ids: R1, R2, *, Y1, X*"])
    assert "test_placed_by_hostname" not in result.stdout.str()


def test_a_run_of_tests_without_catalog_ids_prints_no_proof(project):
    pytester, run = project
    (pytester.path / "tests" / "test_plain.py").write_text("def test_a():\n    pass\n")
    result = run("tests")
    assert result.ret == pytest.ExitCode.OK
    assert "catalog proof" not in result.stdout.str()


def test_a_needs_egress_test_skips_without_allow_egress_before_any_pod_contacts_the_internet(project):
    pytester, run = project
    (pytester.path / "tests" / "test_egress_gate.py").write_text(
        "import pytest\n\n@pytest.mark.needs_egress\ndef test_a():\n    pass\n")
    result = run("-rs", "tests")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*needs_egress: it contacts api.open-meteo.com from a pod, which this run does "
                                 "not allow; pass --allow-egress*"])
