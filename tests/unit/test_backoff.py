import datetime as dt

import pytest
from kubernetes import client

from fixtures import backoff
from kubeobjects import pod

T0 = dt.datetime(2026, 11, 27, 3, 0, 0, tzinfo=dt.timezone.utc)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def status(restarts: int, *, last: tuple | None = None, running: float | None = None,
           terminated: tuple | None = None, waiting: str | None = None, name: str = "app"):
    """last/terminated: (started, finished) in seconds after T0; running: started."""
    state = client.V1ContainerState(
        running=client.V1ContainerStateRunning(started_at=at(running)) if running is not None else None,
        terminated=client.V1ContainerStateTerminated(exit_code=1, started_at=at(terminated[0]),
                                                     finished_at=at(terminated[1])) if terminated else None,
        waiting=client.V1ContainerStateWaiting(reason=waiting) if waiting else None)
    last_state = client.V1ContainerState(terminated=client.V1ContainerStateTerminated(
        exit_code=1, started_at=at(last[0]), finished_at=at(last[1]))) if last else client.V1ContainerState()
    return client.V1ContainerStatus(name=name, image="img", image_id="", ready=False, restart_count=restarts,
                                    state=state, last_state=last_state)


def test_the_floor_is_nothing_after_the_first_exit_then_doubles_up_to_the_maximum():
    b = backoff.BackOff(10, 300, "defaults")
    assert [b.floor(n) for n in range(8)] == [0, 10, 20, 40, 80, 160, 300, 300]
    assert [backoff.BackOff(1, 60, "").floor(n) for n in (1, 2, 7, 8)] == [1, 2, 60, 60]


@pytest.mark.parametrize("text, seconds", [("5m0s", 300), ("300s", 300), ("1m30s", 90), ("500ms", 0.5),
                                           ("1h0m0s", 3600), ("2.5s", 2.5)])
def test_go_durations(text, seconds):
    assert backoff.parse_go_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5 minutes", "1m30"])
def test_what_is_not_a_go_duration_is_refused(text):
    with pytest.raises(ValueError, match="not a Go duration"):
        backoff.parse_go_duration(text)


METRICS = """# HELP kubernetes_feature_enabled [BETA] This metric records the data about the stage and enablement of a k8s feature.
# TYPE kubernetes_feature_enabled gauge
kubernetes_feature_enabled{name="KubeletCrashLoopBackOffMax",stage="BETA"} 1
kubernetes_feature_enabled{name="ReduceDefaultCrashLoopBackOffDecay",stage="ALPHA"} %d
"""


def test_defaults_when_the_gate_is_off_and_nothing_is_configured():
    b = backoff.from_node_settings(METRICS % 0, {"kubeletconfig": {}}, "n1")
    assert (b.initial, b.maximum) == (10, 300)
    assert str(b) == "initial 10s, maximum 300s (kubelet of n1: defaults)"


def test_the_reduced_decay_gate_gives_1s_and_60s():
    b = backoff.from_node_settings(METRICS % 1, {"kubeletconfig": {}}, "n1")
    assert (b.initial, b.maximum) == (1, 60)
    assert backoff.feature_enabled(METRICS % 1, "NoSuchGate") is None


def test_a_configured_maximum_caps_the_initial_delay_too():
    configz = {"kubeletconfig": {"crashLoopBackOff": {"maxContainerRestartPeriod": "5s"}}}
    b = backoff.from_node_settings(METRICS % 0, configz, "n1")
    assert (b.initial, b.maximum) == (5, 5)
    assert "maxContainerRestartPeriod 5s" in b.source
    b = backoff.from_node_settings(METRICS % 0, {"kubeletconfig": {"crashLoopBackOff": {
        "maxContainerRestartPeriod": "2m0s"}}}, "n1")
    assert (b.initial, b.maximum) == (10, 120)


def test_the_conservative_stand_in_is_the_least_legal_back_off():
    b = backoff.conservative("the kubelet of n1 cannot be read (403 Forbidden)")
    assert (b.initial, b.maximum) == (1, 1)
    assert "403 Forbidden" in str(b) and "least back-off" in str(b)


def crash_loop():
    """What a watch sees of a container that exits 1 s after each start, restarted at once,
    then after 10 s and 20 s."""
    return [
        status(0, running=0),
        status(0, terminated=(0, 1)),
        status(1, running=1, last=(0, 1)),
        status(1, terminated=(1, 2), last=(0, 1)),
        status(1, waiting="CrashLoopBackOff", last=(1, 2)),
        status(2, running=12, last=(1, 2)),
        status(2, waiting="CrashLoopBackOff", last=(12, 13)),
        status(3, running=33, last=(12, 13)),
    ]


def test_the_history_gives_each_gap_from_state_and_last_state():
    h = backoff.RestartHistory("app")
    for cs in crash_loop():
        h.record(pod(phase="Running", statuses=[cs]))
    assert [h.gap(n) for n in range(4)] == [0, 10, 20, None]
    assert h.too_soon(backoff.BackOff(10, 300, "")) == []
    assert h.render() == ("#0 03:00:00-03:00:01, #1 03:00:01-03:00:02, #2 03:00:12-03:00:13, "
                          "#3 03:00:33-?")


def test_restarts_without_back_off_are_named_with_the_time_they_came():
    h = backoff.RestartHistory("app")
    for cs in (status(1, running=1, last=(0, 1)), status(2, running=3, last=(1, 2)),
               status(3, running=5, last=(3, 4))):
        h.record(pod(phase="Running", statuses=[cs]))
    assert h.too_soon(backoff.BackOff(10, 300, "")) == [
        "restart 2: 1s after instance 1 ended (03:00:02 -> 03:00:03), at least 10s expected",
        "restart 3: 1s after instance 2 ended (03:00:04 -> 03:00:05), at least 20s expected"]


def test_the_spaced_condition_records_and_waits_for_the_gaps_asked_for():
    h = backoff.RestartHistory("init", init=True)
    cond = h.spaced(2)
    seen = [cond.met(pod(phase="Pending", init_statuses=[status(n, **kw, name="init")]))
            for n, kw in ((1, {"last": (0, 1), "running": 1}), (2, {"last": (1, 2), "running": 12}),
                          (2, {"last": (12, 13), "waiting": "CrashLoopBackOff"}), (3, {"last": (12, 13), "running": 33}))]
    assert seen == [False, False, False, True]
    assert "restarted 3 times" in cond.description and "init container init" in cond.description
    assert cond.final(pod(phase="Failed")) == "the pod reached final phase Failed"
    assert cond.met(None) is False
    assert backoff.RestartHistory("init", init=True).spaced(1).met(None) is False


def test_recording_keeps_the_states_a_wait_for_something_else_sees():
    from fixtures import conditions as c
    h = backoff.RestartHistory("app")
    cond = h.recording(c.container_waiting("app", "CrashLoopBackOff"))
    assert cond.description == "with container app waiting because CrashLoopBackOff"
    assert cond.met(pod(phase="Running", statuses=[status(1, running=1, last=(0, 1))])) is False
    assert cond.met(pod(phase="Running", statuses=[status(1, waiting="CrashLoopBackOff", last=(1, 2))])) is True
    assert (h.gap(0), sorted(h.finished)) == (0, [0, 1])


def test_a_kubelet_that_cannot_be_read_gives_the_conservative_bound(monkeypatch):
    class Forbidden:
        status, reason, data = 403, "Forbidden", b""
    monkeypatch.setattr(client.CoreV1Api, "connect_get_node_proxy_with_path", lambda self, node, path, **kw: Forbidden())
    b = backoff.for_node(client.ApiClient(), "n1")
    assert (b.initial, b.maximum) == (1, 1)
    assert "the kubelet of n1 cannot be read (403 Forbidden)" in b.source


def test_a_readable_kubelet_gives_its_own_settings(monkeypatch):
    answers = {"metrics": (METRICS % 0).encode(),
               "configz": b'{"kubeletconfig": {"crashLoopBackOff": {"maxContainerRestartPeriod": "5m0s"}}}'}

    class Ok:
        status, reason = 200, "OK"

        def __init__(self, path):
            self.data = answers[path]
    monkeypatch.setattr(client.CoreV1Api, "connect_get_node_proxy_with_path", lambda self, node, path, **kw: Ok(path))
    assert str(backoff.for_node(client.ApiClient(), "n1")) == \
        "initial 10s, maximum 300s (kubelet of n1: maxContainerRestartPeriod 5m0s)"
