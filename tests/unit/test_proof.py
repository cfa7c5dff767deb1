import pytest

from fixtures import proof
from fixtures.catalog import BEYOND, CATALOG
from fixtures.proof import Proof


def report(nodeid, when, outcome, *ids, reason=None, xfail=None):
    longrepr = ("suites/test_x.py", 3, f"Skipped: {reason}") if outcome == "skipped" else None
    rep = pytest.TestReport(nodeid, ("suites/test_x.py", 3, nodeid), {}, outcome, longrepr, when,
                            user_properties=[("catalog", i) for i in ids])
    if xfail is not None:
        rep.wasxfail = xfail
    return rep


def ran(proof_, nodeid, *ids, outcome="passed", reason=None, when=None):
    """A whole test: setup, call, teardown, with `outcome` in phase `when` (call unless skipped)."""
    when = when or ("setup" if outcome == "skipped" else "call")
    for phase in ("setup", "call", "teardown"):
        if phase == "call" and when == "setup" and outcome != "passed":
            continue
        proof_.record(report(nodeid, phase, outcome if phase == when else "passed", *ids, reason=reason))


def test_an_id_with_a_passing_test_is_proven_and_skips_beside_it_do_not_matter():
    p = Proof()
    ran(p, "t::a", "N4")
    ran(p, "t::b", "N4", outcome="skipped", reason="node_mutation: not allowed")
    assert p.status("N4") == (proof.PROVEN, "1 passed, 1 skipped")
    assert p.blocking() == []


def test_a_failure_in_any_phase_makes_the_id_failed_and_names_the_test():
    p = Proof()
    ran(p, "t::a", "N1")
    ran(p, "t::b", "N1", outcome="failed", when="teardown")
    ran(p, "t::c", "N3", outcome="failed", when="setup")
    assert p.status("N1") == (proof.FAILED, "1 passed, 1 failed: t::b")
    assert p.status("N3") == (proof.FAILED, "1 failed: t::c")
    assert p.blocking() == []          # failures fail the run on their own


def test_an_id_whose_tests_all_skipped_is_not_proven_with_each_reason_and_blocks_the_run():
    p = Proof()
    ran(p, "t::a", "N2", outcome="skipped", reason="node_mutation: not allowed")
    ran(p, "t::b", "N2", outcome="skipped", reason="node_mutation: not allowed")
    ran(p, "t::c", "N2", outcome="skipped", reason="kubectl: none on PATH", when="call")
    assert p.status("N2") == (proof.NOT_PROVEN, "all 3 skipped: node_mutation: not allowed (2 tests); "
                                                "kubectl: none on PATH")
    assert p.blocking() == ["N2"]
    assert p.blocking(accepted=("N2",)) == []


def test_an_id_without_a_selected_test_is_not_proven_but_does_not_block():
    p = Proof()
    ran(p, "t::a", "R1")
    assert p.status("Y1") == (proof.NOT_PROVEN, "not run in this selection")
    assert p.blocking() == []


def test_a_test_with_several_ids_counts_for_each():
    p = Proof()
    ran(p, "t::a", "N4", "N5")
    assert p.status("N4")[0] == p.status("N5")[0] == proof.PROVEN


def test_an_expected_failure_proves_nothing():
    p = Proof()
    p.record(report("t::a", "setup", "passed", "P4"))
    p.record(report("t::a", "call", "skipped", "P4", xfail="the guide is wrong here"))
    assert p.status("P4") == (proof.NOT_PROVEN, "1 skipped: expected to fail (xfail): the guide is wrong here")


def test_a_test_that_never_finished_proves_nothing():
    p = Proof()
    p.record(report("t::a", "setup", "passed", "R3"))
    assert p.status("R3") == (proof.NOT_PROVEN, "1 unfinished: did not finish")
    assert p.blocking() == ["R3"]


def test_tests_without_catalog_ids_are_not_counted():
    p = Proof()
    p.record(report("tests/unit/t::a", "call", "passed"))
    assert not p.recorded


def test_a_skip_reason_that_crossed_from_an_xdist_worker_as_a_list():
    rep = report("t::a", "setup", "skipped", "N2", reason="node_mutation: not allowed")
    rep.longrepr = list(rep.longrepr)
    assert proof.skip_reason(rep) == "node_mutation: not allowed"


def test_the_summary_has_a_tally_a_line_per_catalog_id_and_the_fix_for_a_blocking_id():
    p = Proof()
    ran(p, "t::a", "N1")
    ran(p, "t::b", "N2", outcome="skipped", reason="node_mutation: not allowed")
    ran(p, "t::c", "N6", outcome="skipped", reason="node_mutation: not allowed")
    lines = p.summary(accepted=("N6",))
    header = lines.index("beyond the guide:")
    assert lines[header + 1].startswith(next(iter(BEYOND)))
    lines = lines[:header] + lines[header + 1:]
    assert lines[0] == f"1 proven, {len(CATALOG) - 2} NOT PROVEN, 1 NOT PROVEN (accepted)"
    assert lines[1:len(CATALOG) + 1] == [f"{cid:<3} " + {
        "N1": "proven: 1 passed",
        "N2": "NOT PROVEN: 1 skipped: node_mutation: not allowed",
        "N6": "NOT PROVEN (accepted): 1 skipped: node_mutation: not allowed"}.get(cid, "NOT PROVEN: not run in this selection")
        for cid in CATALOG]
    assert lines[-1] == ("the run fails: N2 had tests run and none passed; prove them (the reasons are above) or, "
                         "where this cluster cannot, accept that: --accept-unproven N2")
    assert len(lines) == len(CATALOG) + 2
    assert len(p.summary(accepted=("N2", "N6"))) == len(CATALOG) + 2
