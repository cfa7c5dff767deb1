"""The healthy-variants lab's verdict (scripts/variants-table.py) on recorded JUnit files: a
variant passes only with no failure and NOT PROVEN exactly where it says."""

import subprocess
import sys
from pathlib import Path

from fixtures.catalog import CATALOG

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "variants-table.py"


def variant(folder: Path, name: str, expected: str, *, skipped=(), failed=()) -> None:
    """A run in which every catalog id has one test: passed, or skipped or failed where named."""
    (folder / f"{name}.meta").write_text(f"{name} reshaped\n{expected}\n")
    (folder / f"{name}.seconds").write_text("120\n")
    cases = []
    for cid in CATALOG:
        props = f'<properties><property name="catalog" value="{cid}"/></properties>'
        body = ('<skipped message="cannot prove here: this needs 2 nodes"/>' if cid in skipped
                else '<failure message="misplaced">trace</failure>' if cid in failed else "")
        cases.append(f'<testcase classname="suites.t" name="test_{cid}">{props}{body}</testcase>')
    (folder / f"{name}.xml").write_text(f"<testsuites><testsuite>{''.join(cases)}</testsuite></testsuites>")


def table(folder: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(folder), *names], capture_output=True, text=True)


def test_a_variant_with_its_expected_not_proven_ids_passes(tmp_path):
    variant(tmp_path, "one-worker", "N1", skipped={"N1"})
    out = table(tmp_path, "one-worker")
    assert out.returncode == 0, out.stdout
    assert (f"one-worker: as expected: {len(CATALOG) - 1} of {len(CATALOG)} ids proven, 0 failed, in 120 s"
            in out.stdout)
    assert "NOT PROVEN: N1: 1 skipped: cannot prove here: this needs 2 nodes" in out.stdout


def test_a_failure_an_unexpected_not_proven_id_and_a_missing_one_each_fail_the_lab(tmp_path):
    variant(tmp_path, "failing", "", failed={"B1"})
    variant(tmp_path, "unproven", "", skipped={"N2"})
    variant(tmp_path, "proven-after-all", "N1")
    out = table(tmp_path, "failing", "unproven", "proven-after-all")
    assert out.returncode == 1, out.stdout
    assert "! failed: suites.t::test_B1" in out.stdout
    assert "! N2 NOT PROVEN, not expected: 1 skipped: cannot prove here: this needs 2 nodes" in out.stdout
    assert "! N1 expected NOT PROVEN, got proven" in out.stdout
    assert "0 of 3 variants as expected" in out.stdout


def test_no_results_is_not_as_expected(tmp_path):
    (tmp_path / "gone.meta").write_text("gone\n\n")
    out = table(tmp_path, "gone")
    assert out.returncode == 1 and "! no readable results" in out.stdout
