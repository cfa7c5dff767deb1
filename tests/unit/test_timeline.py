from types import SimpleNamespace

import pytest

from fixtures import timeline as timeline_mod
from fixtures.timeline import Timeline


@pytest.fixture
def clock(monkeypatch):
    """A clock for the timeline module only, set by the test."""
    now = SimpleNamespace(t=100.0)
    monkeypatch.setattr(timeline_mod, "time", SimpleNamespace(monotonic=lambda: now.t))
    return now


def test_see_records_a_summary_only_when_it_changes_for_that_subject(clock):
    tl = Timeline()
    tl.see("pod/a", "Pending")
    tl.see("pod/a", "Pending")
    tl.see("pod/b", "Pending")
    tl.see("pod/a", "Running")
    tl.see("pod/b", "Pending")
    tl.see("pod/a", "Pending")
    assert [(e.subject, e.summary) for e in tl.entries] == [
        ("pod/a", "Pending"), ("pod/b", "Pending"), ("pod/a", "Running"), ("pod/a", "Pending")]


def test_note_records_every_action(clock):
    tl = Timeline()
    tl.see("pod/a", "Running")
    tl.note("pod/a", "delete requested")
    tl.note("pod/a", "delete requested")
    tl.see("pod/a", "Running")
    assert [e.summary for e in tl.entries] == ["Running", "delete requested", "delete requested"]


def test_render_shows_time_since_start_subject_and_summary(clock):
    tl = Timeline(started=100.0)
    clock.t = 101.5
    tl.see("pod/a", "Pending")
    clock.t = 112.254
    tl.note("pod/a", "created")
    clock.t = 1100.0
    tl.see("endpointslices of service/web", "web-abc ready=[] ports=[80]")
    assert tl.render() == ("    1.50s  pod/a: Pending\n"
                           "   12.25s  pod/a: created\n"
                           " 1000.00s  endpointslices of service/web: web-abc ready=[] ports=[80]")


def test_render_of_an_empty_timeline():
    assert Timeline().render() == "(nothing seen)"


def test_timelines_do_not_share_state():
    a, b = Timeline(), Timeline()
    a.see("pod/x", "Running")
    b.see("pod/x", "Running")
    assert len(a.entries) == 1 and len(b.entries) == 1
