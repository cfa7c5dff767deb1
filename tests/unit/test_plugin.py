import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(pytester, monkeypatch):
    """A pytest project with the suite's pytest.ini and its plugin, run in a subprocess."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for name in ("CONFORMANCE_TIMEOUT_SCALE", "CONFORMANCE_ALLOW_NODE_MUTATION", "CONFORMANCE_KEEP_ON_FAILURE"):
        monkeypatch.delenv(name, raising=False)
    (pytester.path / "pytest.ini").write_text((ROOT / "pytest.ini").read_text())
    for d in ("suites", "tests"):
        (pytester.path / d).mkdir()

    def run(*args):
        return pytester.runpytest_subprocess("-p", "fixtures.plugin", "-p", "no:cacheprovider", *args,
                                             timeout=60)

    return pytester, run


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
