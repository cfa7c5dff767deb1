"""A pod wait that fails says, in the same line, what the cluster did instead: the pod's last
events (fixtures/kube.py)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from kubernetes import client

from fixtures import conditions as c, manifests
from fixtures.errors import ConditionImpossible
from fixtures.kube import Kube
from fixtures.timeline import Timeline
from fixtures.timeouts import Timeouts


def event(reason, message, seconds, type_="Normal", count=1):
    at = dt.datetime(2026, 12, 4, 21, 0, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return client.CoreV1Event(metadata=client.V1ObjectMeta(name=f"e{seconds}"), reason=reason, message=message,
                              type=type_, count=count, last_timestamp=at,
                              involved_object=client.V1ObjectReference(kind="Pod", name="tolerant"))


def test_a_pod_evicted_although_it_tolerates_the_taint_is_named_in_the_failure(monkeypatch):
    kube = Kube(SimpleNamespace(api=client.ApiClient()), "ns", Timeline(), Timeouts(), manifests.Substitutions("ns"))
    recorded = [event("TaintManagerEviction", "Marking for deletion Pod ns/tolerant", 30),
                event("Scheduled", "Successfully assigned ns/tolerant to w1", 0),
                event("Killing", "Stopping container main", 31, count=2)]
    monkeypatch.setattr(kube, "events_for", lambda kind, name: list(recorded))

    def gone_meanwhile(observer, condition, timeout, timeline=None):
        raise ConditionImpossible("gave up waiting for pod/tolerant to be Running on w1, for 5s on end: it was not, "
                                  "1.2s into the 5s; last seen: not found")
    monkeypatch.setattr("fixtures.kube.wait_until", gone_meanwhile)
    with pytest.raises(ConditionImpossible) as failed:
        kube.wait_pod("tolerant", c.pod_running(), 5)
    assert str(failed.value) == (
        "gave up waiting for pod/tolerant to be Running on w1, for 5s on end: it was not, 1.2s into the 5s; "
        "last seen: not found; pod/tolerant's last events: Normal Scheduled: Successfully assigned ns/tolerant "
        "to w1; Normal TaintManagerEviction: Marking for deletion Pod ns/tolerant; Normal Killing: Stopping "
        "container main (x2)")


def test_a_prestop_hook_that_left_no_trace_says_so_rather_than_naming_missing_lines():
    from suites.test_runtime import prestop_times
    with pytest.raises(AssertionError, match=r"^the preStop hook left no trace in the log \(no 'preStop began' nor "
                                             r"'preStop ended' line\)"):
        prestop_times("started\ngot SIGTERM at 12.34\n")
    with pytest.raises(AssertionError, match="^no line for ended in the log"):
        prestop_times("started\npreStop began at 10.00\ngot SIGTERM at 12.34\n")
