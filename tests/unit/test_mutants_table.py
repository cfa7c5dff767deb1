import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutants-table.py"


def breakage(folder: Path, name: str, cause: str, *failures: tuple[str, str]) -> None:
    (folder / f"{name}.meta").write_text(f"{name} broken\n{cause}\n")
    cases = "".join(f'<testcase name="{test}" time="1"><failure message="{line}">trace</failure></testcase>'
                    for test, line in failures)
    cases += '<testcase name="test_fine" time="1"/>'
    (folder / f"{name}.xml").write_text(f"<testsuites><testsuite>{cases}</testsuite></testsuites>")


def table(folder: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(folder), *names], capture_output=True, text=True)


def test_a_breakage_caught_by_a_failure_naming_its_cause_passes(tmp_path):
    breakage(tmp_path, "proxy", "ClusterIP", ("test_a[x]", "broken at its ClusterIP"), ("test_b", "timed out"))
    out = table(tmp_path, "proxy")
    assert out.returncode == 0, out.stdout
    assert "caught, cause named; 2 test(s) failed, 1 naming the cause: test_a, test_b" in out.stdout
    assert "says:    broken at its ClusterIP" in out.stdout


def test_a_breakage_no_test_noticed_fails_the_lab(tmp_path):
    breakage(tmp_path, "proxy", "ClusterIP")
    out = table(tmp_path, "proxy")
    assert out.returncode == 1
    assert "NOT CAUGHT" in out.stdout and "lab: 0 of 1" in out.stdout


def test_a_breakage_caught_only_by_messages_far_from_its_cause_fails_the_lab(tmp_path):
    breakage(tmp_path, "dns", "DNS", ("test_a", "timed out waiting for pod/x to be Running"))
    breakage(tmp_path, "proxy", "ClusterIP", ("test_b", "broken at its ClusterIP"))
    out = table(tmp_path, "dns", "proxy")
    assert out.returncode == 1
    assert "CAUGHT, CAUSE NOT NAMED" in out.stdout and "lab: 1 of 2" in out.stdout


def test_a_breakage_whose_tests_never_reported_counts_as_not_caught(tmp_path):
    (tmp_path / "gone.meta").write_text("gone\nanything\n")
    out = table(tmp_path, "gone")
    assert out.returncode == 1 and "NOT CAUGHT" in out.stdout


def test_markdown_rows_for_the_readme(tmp_path):
    breakage(tmp_path, "proxy", "ClusterIP", ("test_a[x]", "broken at its ClusterIP | here"))
    out = subprocess.run([sys.executable, str(SCRIPT), "--markdown", str(tmp_path), "proxy"],
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout == ("| `proxy` | proxy broken | 1 (1 naming the cause): `test_a` | "
                          "broken at its ClusterIP \\| here |\n")
