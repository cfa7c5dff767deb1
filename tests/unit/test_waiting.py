import re
import time

import pytest
from kubernetes import client
from kubernetes.watch import Watch as ClientWatch
from kubernetes.client.rest import ApiException

from fixtures import conditions, waiting
from fixtures.errors import ConditionImpossible, WaitTimeout
from fixtures.timeline import Timeline
from fixtures.waiting import Condition, ObjectWatch, Observer, Polled, wait_until
from kubeobjects import pod


class Scripted(Observer):
    """Returns the scripted states in turn (the last one forever); an exception in the script is
    raised instead. Blocks like a real observer, but at most `block` seconds."""

    def __init__(self, *script, subject="pod/web", block=0.05):
        self.subject = subject
        self.script = list(script)
        self.block = block
        self.calls = 0
        self.timeouts = []

    def observe(self, timeout):
        self.timeouts.append(timeout)
        if self.calls:
            time.sleep(min(timeout, self.block))
        self.calls += 1
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, BaseException):
            raise item
        return item


def test_returns_the_state_once_the_condition_holds():
    running = pod(phase="Running")
    obs = Scripted(pod(phase="Pending"), pod(phase="Pending"), running)
    assert wait_until(obs, conditions.pod_running(), 5, poll=0.1) is running
    assert obs.calls == 3


def test_timeout_message_names_subject_condition_last_state_and_time():
    obs = Scripted(pod(phase="Pending", node="n1"), subject="pod/slow", block=0.1)
    started = time.monotonic()
    with pytest.raises(WaitTimeout) as info:
        wait_until(obs, conditions.pod_running(), 0.5, poll=0.1)
    elapsed = time.monotonic() - started
    msg = str(info.value)
    assert "pod/slow" in msg
    assert "in phase Running" in msg
    assert "last seen: Pending node=n1" in msg
    waited = float(re.search(r"timed out after (\d+\.\d)s", msg).group(1))
    assert 0.5 <= waited <= elapsed + 0.05
    assert "limit 0.5s" in msg
    assert elapsed < 3
    assert isinstance(info.value, AssertionError)


def test_timeout_message_says_what_failed_last():
    obs = Scripted(ApiException(status=503, reason="Service Unavailable"), subject="pod/x")
    with pytest.raises(WaitTimeout) as info:
        wait_until(obs, conditions.present(), 0.5, poll=0.1)
    msg = str(info.value)
    assert "last seen: not found" in msg
    assert "last error:" in msg and "503" in msg
    assert obs.calls >= 2


def test_gives_up_early_on_a_final_state():
    obs = Scripted(pod(phase="Pending"), pod(phase="Failed", reason="Error"), subject="pod/doomed")
    started = time.monotonic()
    with pytest.raises(ConditionImpossible) as info:
        wait_until(obs, conditions.pod_running(), 30, poll=0.1)
    assert time.monotonic() - started < 2
    msg = str(info.value)
    assert "pod/doomed" in msg and "in phase Running" in msg
    assert "the pod reached final phase Failed" in msg
    assert "last seen: Failed reason=Error" in msg


def test_retries_a_transient_api_error():
    running = pod(phase="Running")
    obs = Scripted(ApiException(status=503, reason="Service Unavailable"), running)
    assert wait_until(obs, conditions.pod_running(), 10, poll=0.1) is running
    assert obs.calls == 2


def test_does_not_retry_a_permanent_api_error():
    obs = Scripted(ApiException(status=403, reason="Forbidden"), pod(phase="Running"))
    started = time.monotonic()
    with pytest.raises(ApiException) as info:
        wait_until(obs, conditions.pod_running(), 10, poll=0.1)
    assert info.value.status == 403
    assert obs.calls == 1
    assert time.monotonic() - started < 2


def test_observer_is_given_the_poll_interval_but_not_less_than_half_a_second():
    obs = Scripted(pod(phase="Pending"), pod(phase="Running"))
    wait_until(obs, conditions.pod_running(), 10, poll=1.5)
    assert obs.timeouts[0] == pytest.approx(1.5)
    obs = Scripted(pod(phase="Pending"), pod(phase="Running"))
    wait_until(obs, conditions.pod_running(), 10, poll=0.1)
    assert obs.timeouts[0] == pytest.approx(0.5)


def test_timeline_records_only_changes():
    tl = Timeline()
    obs = Scripted(pod(phase="Pending"), pod(phase="Pending"), pod(phase="Pending", node="n1"),
                   pod(phase="Pending", node="n1"), pod(phase="Running", node="n1"), subject="pod/web")
    wait_until(obs, conditions.pod_running(), 5, timeline=tl, poll=0.1)
    assert obs.calls == 5
    assert [(e.subject, e.summary) for e in tl.entries] == [
        ("pod/web", "Pending"), ("pod/web", "Pending node=n1"), ("pod/web", "Running node=n1")]


def test_condition_default_final_never_gives_up():
    c = Condition("anything", lambda s: False)
    assert c.final(object()) is None


def test_polled_reads_first_at_once_then_once_per_interval():
    reads = []
    p = Polled(lambda: reads.append(time.monotonic()) or len(reads), "log of pod/x")
    started = time.monotonic()
    assert p.observe(0.2) == 1
    assert time.monotonic() - started < 0.1
    assert p.observe(0.2) == 2
    assert reads[1] - reads[0] >= 0.2


def test_polled_text_condition_end_to_end():
    lines = iter(["", "started\n", "started\ngot SIGTERM\n"])
    obs = Polled(lambda: next(lines), "log of pod/x")
    assert wait_until(obs, conditions.text_contains("SIGTERM"), 5, poll=0.1).endswith("got SIGTERM\n")


# -- ObjectWatch -----------------------------------------------------------------------------

def pod_list(*pods, rv="10"):
    return client.V1PodList(metadata=client.V1ListMeta(resource_version=rv), items=list(pods))


class FakeList:
    def __init__(self, *results):
        self.results = list(results)
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


class FakeWatch:
    """Stands for kubernetes.watch.Watch: each stream() call plays the next script, a list of
    events or an exception."""
    scripts: list = []
    streams: list = []
    stopped = 0

    def stream(self, fn, **kwargs):
        FakeWatch.streams.append(kwargs)
        script = FakeWatch.scripts.pop(0)
        if isinstance(script, BaseException):
            raise script
        yield from script

    def stop(self):
        FakeWatch.stopped += 1


@pytest.fixture
def fake_watch(monkeypatch):
    FakeWatch.scripts, FakeWatch.streams, FakeWatch.stopped = [], [], 0
    monkeypatch.setattr(waiting.watch, "Watch", FakeWatch)
    return FakeWatch


def test_first_observe_lists_and_returns_the_named_object(fake_watch):
    web = pod("web", phase="Running")
    list_fn = FakeList(pod_list(web))
    w = ObjectWatch(list_fn, "pod/web", name="web", namespace="ns1")
    assert w.observe(1) is web
    assert list_fn.calls == [{"namespace": "ns1", "field_selector": "metadata.name=web"}]
    assert fake_watch.streams == []


def test_first_observe_returns_none_when_the_object_does_not_exist(fake_watch):
    w = ObjectWatch(FakeList(pod_list()), "pod/web", name="web", namespace="ns1")
    assert w.observe(1) is None


def test_label_selector_gives_the_list_in_name_order(fake_watch):
    list_fn = FakeList(pod_list(pod("b"), pod("a")))
    w = ObjectWatch(list_fn, "pods", label_selector="app=x", namespace="ns1")
    assert [p.metadata.name for p in w.observe(1)] == ["a", "b"]
    assert list_fn.calls[0]["label_selector"] == "app=x"
    assert "field_selector" not in list_fn.calls[0]


def test_watch_events_update_the_state_and_resume_from_their_version(fake_watch):
    w = ObjectWatch(FakeList(pod_list(pod("web", phase="Pending"), rv="10")), "pod/web", name="web",
                    namespace="ns1")
    w.observe(1)
    running = pod("web", phase="Running", resource_version="11")
    fake_watch.scripts = [
        [{"type": "MODIFIED", "object": running}],
        [{"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "12"}},
          "raw_object": {"metadata": {"resourceVersion": "12"}}},
         {"type": "DELETED", "object": pod("web", resource_version="13")}],
        [],
    ]
    assert w.observe(1) is running
    assert fake_watch.streams[0]["resource_version"] == "10"
    assert fake_watch.streams[0]["field_selector"] == "metadata.name=web"
    assert w.observe(1) is None
    assert fake_watch.streams[1]["resource_version"] == "11"
    assert w.observe(1) is None
    assert fake_watch.streams[2]["resource_version"] == "13"
    assert fake_watch.stopped == 3


def test_expired_watch_relists_on_the_next_observe(fake_watch):
    pending, running = pod("web", phase="Pending"), pod("web", phase="Running")
    list_fn = FakeList(pod_list(pending, rv="10"), pod_list(running, rv="20"))
    w = ObjectWatch(list_fn, "pod/web", name="web", namespace="ns1")
    assert w.observe(1) is pending
    fake_watch.scripts = [ApiException(status=410, reason="Gone"), []]
    assert w.observe(1) is pending
    assert len(list_fn.calls) == 1
    assert w.observe(1) is running
    assert len(list_fn.calls) == 2
    assert len(fake_watch.streams) == 1
    w.observe(1)
    assert fake_watch.streams[1]["resource_version"] == "20"


def test_error_event_relists_on_the_next_observe(fake_watch):
    list_fn = FakeList(pod_list(pod("web"), rv="10"))
    w = ObjectWatch(list_fn, "pod/web", name="web", namespace="ns1")
    w.observe(1)
    fake_watch.scripts = [[{"type": "ERROR", "object": pod("web", resource_version="99")}]]
    w.observe(1)
    w.observe(1)
    assert len(list_fn.calls) == 2


def test_other_watch_errors_propagate(fake_watch):
    w = ObjectWatch(FakeList(pod_list(pod("web"))), "pod/web", name="web", namespace="ns1")
    w.observe(1)
    fake_watch.scripts = [ApiException(status=500, reason="Internal")]
    with pytest.raises(ApiException) as info:
        w.observe(1)
    assert info.value.status == 500
    assert fake_watch.stopped == 1


def test_wait_until_over_an_object_watch(fake_watch):
    running = pod("web", phase="Running", resource_version="11")
    fake_watch.scripts = [[{"type": "MODIFIED", "object": running}]]
    w = ObjectWatch(FakeList(pod_list(pod("web", phase="Pending"))), "pod/web", name="web", namespace="ns1")
    assert wait_until(w, conditions.pod_running(), 5, poll=0.1) is running


def test_followed_text_keeps_what_arrived_and_waits_for_more():
    import threading

    from fixtures.waiting import Followed
    gate = threading.Event()

    def chunks():
        yield b"started\n"
        gate.wait(5)
        yield b"got SIGTERM\n"
        raise ConnectionError("the pod is gone")

    followed = Followed(chunks(), "followed log of pod/p")
    assert "started" in followed.observe(2)
    gate.set()
    text = wait_until(followed, conditions.text_contains("got SIGTERM"), 5)
    assert text == "started\ngot SIGTERM\n"
    assert followed.ended.wait(2)


def client_event(line: str) -> dict:
    """An event as kubernetes.watch.Watch delivers it for a pod watch: a BOOKMARK's object is
    the raw dict, every other object a model."""
    return ClientWatch().unmarshal_event(line, "V1Pod")


def test_a_bookmark_as_the_client_delivers_it_only_moves_the_resource_version(fake_watch):
    w = ObjectWatch(FakeList(pod_list(pod("web", phase="Pending"), rv="10")), "pod/web", name="web",
                    namespace="ns1")
    w.observe(1)
    bookmark = client_event('{"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1", '
                            '"metadata": {"resourceVersion": "12"}}}')
    assert isinstance(bookmark["object"], dict)
    modified = client_event('{"type": "MODIFIED", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": '
                            '{"name": "web", "resourceVersion": "13"}, "status": {"phase": "Running"}}}')
    fake_watch.scripts = [[bookmark], [modified]]
    assert w.observe(1).status.phase == "Pending"
    assert w.observe(1).status.phase == "Running"
    assert fake_watch.streams[1]["resource_version"] == "12"
