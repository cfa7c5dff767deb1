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
    assert out.stdout == ("| `proxy` | proxy broken | 1 (1 naming the cause): `test_a` | not timed | "
                          "broken at its ClusterIP \\| here |\n")


def test_each_breakage_shows_its_time_against_the_healthy_run_of_its_tests(tmp_path):
    breakage(tmp_path, "proxy", "ClusterIP", ("test_a", "broken at its ClusterIP"))
    breakage(tmp_path, "dns", "DNS", ("test_b", "broken at its DNS name"))
    (tmp_path / "proxy.time").write_text("140\n")
    (tmp_path / "proxy.healthy").write_text("100 0\n")
    (tmp_path / "dns.time").write_text("330\n")
    (tmp_path / "dns.healthy").write_text("100 0\n")
    out = table(tmp_path, "proxy", "dns")
    assert out.returncode == 0, out.stdout         # slow is named, not a failure of the lab
    assert "took:    140 s / 100 s (1.4x) (broken / healthy)\n" in out.stdout
    assert "took:    330 s / 100 s (3.3x) (broken / healthy), over 1.5x" in out.stdout
    assert "lab: 1 of 2 timed breakages failed within 1.5x of the healthy run of their tests; over it: dns" in out.stdout


def test_a_failed_healthy_run_is_no_measure(tmp_path):
    breakage(tmp_path, "proxy", "ClusterIP", ("test_a", "broken at its ClusterIP"))
    (tmp_path / "proxy.time").write_text("300\n")
    (tmp_path / "proxy.healthy").write_text("100 1\n")
    out = table(tmp_path, "proxy")
    assert "took:    300 s / healthy run failed (exit 1)\n" in out.stdout
    assert "timed breakages" not in out.stdout


def test_without_a_healthy_run_the_time_says_so(tmp_path):
    """MUTANTS_HEALTHY=0 (as CI runs the lab): no healthy time to put beside the broken one."""
    breakage(tmp_path, "proxy", "ClusterIP", ("test_a", "broken at its ClusterIP"))
    (tmp_path / "proxy.time").write_text("87\n")
    out = table(tmp_path, "proxy")
    assert "took:    87 s (no healthy run)\n" in out.stdout
    assert "timed breakages" not in out.stdout
