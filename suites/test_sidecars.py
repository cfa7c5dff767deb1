"""Sidecar containers (the guide's "Pod 설계 패턴 3"): log-pod and blog-web, two containers
sharing an emptyDir."""

import datetime as dt
import re
import time

import pytest

from fixtures import conditions as c
from fixtures import pods

APP_FILE = "/usr/share/nginx/html/index.html"      # log-pod's file as app-container sees it
SIDECAR_FILE = "/date-log/index.html"              # and as sidecar-container sees it
DATE_LINE = re.compile(r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}$")   # `date`: Mon Feb 12 09:12:09 UTC 2024
GROWTH_WINDOW_S = 5
GROWTH_TOLERANCE_LINES = 2     # the loop's own time on top of `sleep 1`, the execs' latency

ACCESS_LOG = "/var/log/nginx/access.log"
SIDECAR_CYCLE_S = 5            # blog-web's sidecar cats the logs, then sleeps 5 s
LOG_READ_SLACK_S = 3           # the log is read every 2 s


def _start_ready(kube, manifest: str, pod_name: str, containers: list[str]):
    """Applies MANIFEST and waits for POD_NAME to be Ready with exactly CONTAINERS ready."""
    kube.apply(manifest)
    pod = kube.wait_pod(pod_name, c.pod_ready())
    ready = sorted(cs.name for cs in pod.status.container_statuses or [] if cs.ready)
    assert ready == containers, \
        f"ready containers: {ready}, expected {len(containers)}/{len(containers)} ({', '.join(containers)})"
    return pod


def _line_count(kube, path: str, container: str) -> int:
    return int(kube.exec("log-pod", ["sh", "-c", f"wc -l < {path}"], container).strip())


def _log_time(stamped_line: str) -> dt.datetime:
    """The runtime's timestamp of a log line read with timestamps=True (RFC 3339, nanoseconds)."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", stamped_line)
    return dt.datetime.fromisoformat(m.group(1)).replace(tzinfo=dt.timezone.utc) + \
        dt.timedelta(seconds=float(m.group(2) or 0))


def _nginx_time(access_line: str) -> dt.datetime:
    """The time in an access log line: [26/Nov/2026:03:35:28 +0000]."""
    return dt.datetime.strptime(re.search(r"\[([^]]+)\]", access_line).group(1), "%d/%b/%Y:%H:%M:%S %z")


@pytest.mark.aside
@pytest.mark.catalog("S1")
def test_log_pod_nginx_serves_the_date_lines_its_sidecar_appends_every_second(kube, timeouts):
    pod = _start_ready(kube, "sidecar-pod", "log-pod", ["app-container", "sidecar-container"])

    inodes = {name: kube.exec("log-pod", ["stat", "-c", "%i", path], name).strip()
              for name, path in (("app-container", APP_FILE), ("sidecar-container", SIDECAR_FILE))}
    assert len(set(inodes.values())) == 1, f"the two containers see different files (inodes {inodes})"
    app_view = kube.exec("log-pod", ["cat", APP_FILE], "app-container")
    sidecar_view = kube.exec("log-pod", ["cat", SIDECAR_FILE], "sidecar-container")
    assert app_view.strip(), f"{APP_FILE} is empty in app-container"
    assert sidecar_view.startswith(app_view), (
        f"read right after app-container's {APP_FILE}, sidecar-container's {SIDECAR_FILE} does not "
        f"continue it:\napp-container:\n{app_view[-300:]}\nsidecar-container:\n{sidecar_view[-300:]}")
    strange = [line for line in sidecar_view.splitlines() if not DATE_LINE.match(line)]
    assert not strange, f"lines that are not `date` output in {SIDECAR_FILE}: {strange[:5]}"

    before, t0 = _line_count(kube, APP_FILE, "app-container"), time.monotonic()
    time.sleep(GROWTH_WINDOW_S)
    after, t1 = _line_count(kube, APP_FILE, "app-container"), time.monotonic()
    grown, window = after - before, t1 - t0
    assert abs(grown - window) <= GROWTH_TOLERANCE_LINES, (
        f"{APP_FILE} grew by {grown} line(s) in {window:.1f}s; the sidecar appends one a second, "
        f"expected {window:.0f}±{GROWTH_TOLERANCE_LINES}")

    page = kube.run_to_completion(pods.http_get("http-client", f"http://{pod.status.pod_ip}/"))
    assert page.startswith(app_view), (
        f"GET / does not return the date lines of {APP_FILE}; it returned:\n{page[:300]}\n"
        f"the file began:\n{app_view[:300]}")
    assert len(page.splitlines()) >= after, \
        f"GET / returned {len(page.splitlines())} line(s), fewer than the {after} the file had before"


@pytest.mark.aside
@pytest.mark.catalog("S2")
def test_blog_web_sidecar_prints_the_access_log_nginx_writes_to_the_shared_volume(kube, timeouts):
    pod = _start_ready(kube, "blog-web", "blog-web", ["blog-web-container", "sidecar-container"])

    path = f"/?from={kube.namespace}"          # this test's own request line
    kube.run_to_completion(pods.http_get("http-client", f"http://{pod.status.pod_ip}{path}"))
    request = f'"GET {path} HTTP/1.1" 200 '

    logged = {}
    for container in ("blog-web-container", "sidecar-container"):
        log = kube.exec("blog-web", ["cat", ACCESS_LOG], container)
        ours = [line for line in log.splitlines() if f"GET {path} " in line]
        assert ours, f"{ACCESS_LOG} in {container} has no line for GET {path}; it has:\n{log[-500:]}"
        assert request in ours[0], f"{ACCESS_LOG} in {container}: {ours[0]!r}, expected status 200"
        logged[container] = ours
    assert logged["blog-web-container"] == logged["sidecar-container"], \
        f"the containers' {ACCESS_LOG} differ on the request: {logged}"

    kube.wait(kube.watch_log("blog-web", "sidecar-container"), c.text_contains(request),
              timeouts(SIDECAR_CYCLE_S + LOG_READ_SLACK_S))
    # How long after the request: nginx's time for it against the time the runtime gave the
    # sidecar's first line showing it, both the node's clock.
    stamped = kube.core.read_namespaced_pod_log("blog-web", kube.namespace, container="sidecar-container",
                                                timestamps=True)
    shown_at = _log_time(next(line for line in stamped.splitlines() if request in line))
    delay = (shown_at - _nginx_time(logged["blog-web-container"][0])).total_seconds()
    bound = SIDECAR_CYCLE_S + 1 + timeouts(1)
    assert -1 <= delay <= bound, (f"the sidecar printed the request line {delay:.1f}s after nginx logged it; "
                                  f"it cats the log every {SIDECAR_CYCLE_S}s, expected within {bound:.0f}s")



# -- beyond the guide: native sidecars (X1) -----------------------------------------------------

NATIVE_SIDECARS = "native sidecars (an init container with restartPolicy Always)"
SIDECAR_LATE_S = 5             # the sidecar of log-pod-native passes its startupProbe 5 s after it starts


def _started_at(pod, name: str, *, init: bool = False):
    state = c.container_status(pod, name, init=init).state
    return state.running.started_at if state.running else state.terminated.started_at if state.terminated else None


@pytest.mark.aside
@pytest.mark.needs_server(29, NATIVE_SIDECARS)
@pytest.mark.catalog("X1")
def test_a_native_sidecar_starts_first_and_the_app_waits_for_its_startup_probe(kube, timeouts):
    kube.apply("beyond/native-sidecar-log-pod")
    pod = kube.wait_pod("log-pod-native", c.pod_ready())
    sidecar, app = _started_at(pod, "sidecar-container", init=True), _started_at(pod, "app-container")
    assert sidecar is not None, f"the sidecar is not running: {c.container_status(pod, 'sidecar-container', init=True)}"
    waited = (app - sidecar).total_seconds()
    # Both times are the kubelet's, to the second.
    assert waited >= SIDECAR_LATE_S - 1, (
        f"app-container started {waited:.0f} s after the sidecar (at {app:%H:%M:%S}, the sidecar at "
        f"{sidecar:%H:%M:%S}); the sidecar's startupProbe passes only {SIDECAR_LATE_S} s after it starts, and the "
        f"app container must wait for it")
    pod = kube.wait_pod("log-pod-native", c.throughout(5, c.all_of(
        c.pod_ready(), c.container_running("sidecar-container", init=True))), timeouts(15))
    assert c.restart_count(pod, "sidecar-container", init=True) == 0
    page = kube.exec("log-pod-native", ["cat", APP_FILE], "app-container")
    assert DATE_LINE.match(page.splitlines()[-1]), f"{APP_FILE} in app-container does not end with a date line: {page[-200:]!r}"


@pytest.mark.aside
@pytest.mark.needs_server(29, NATIVE_SIDECARS)
@pytest.mark.catalog("X1")
def test_a_native_sidecar_that_exits_is_restarted_without_restarting_the_app_container(kube, timeouts):
    kube.apply("beyond/native-sidecar-log-pod")
    pod = kube.wait_pod("log-pod-native", c.pod_ready())
    app_id = c.container_status(pod, "app-container").container_id
    kube.exec("log-pod-native", ["touch", "/tmp/exit"], "sidecar-container")
    restarted = c.Condition("restarted once (container sidecar-container) and running again",
                            lambda p: (c.restart_count(p, "sidecar-container", init=True) or 0) >= 1
                            and c.container_running("sidecar-container", init=True).met(p),
                            c.terminal_unless())
    pod = kube.wait_pod("log-pod-native", restarted, timeouts.container_event)
    last = c.container_status(pod, "sidecar-container", init=True).last_state.terminated
    assert last is not None and last.exit_code == 1, f"the sidecar's lastState is {last}, expected its exit 1"
    app = c.container_status(pod, "app-container")
    assert (app.container_id, app.restart_count) == (app_id, 0), (
        f"app-container was restarted with its sidecar: id {app.container_id} (before {app_id}), "
        f"restartCount {app.restart_count}")


@pytest.mark.aside
@pytest.mark.needs_server(29, NATIVE_SIDECARS)
@pytest.mark.catalog("X1")
def test_a_batch_pod_with_a_native_sidecar_succeeds_when_its_app_container_exits_0(kube, timeouts):
    kube.apply("beyond/native-sidecar-batch")
    pod = kube.wait_pod("batch-with-sidecar", c.pod_phase("Succeeded"), timeouts.pod_start + timeouts(30))
    batch = c.container_status(pod, "batch").state.terminated
    shipper = c.container_status(pod, "log-shipper", init=True).state.terminated
    assert batch is not None and batch.exit_code == 0, f"container batch: {batch}"
    assert shipper is not None, "the pod is Succeeded while its sidecar log-shipper has not terminated"
    assert shipper.finished_at >= batch.finished_at, (
        f"the sidecar ended at {shipper.finished_at:%H:%M:%S}, before the app container at {batch.finished_at:%H:%M:%S}")


@pytest.mark.aside
@pytest.mark.needs_server(29, NATIVE_SIDECARS)
@pytest.mark.catalog("X1")
def test_on_deletion_a_native_sidecar_stops_after_the_app_container(kube, timeouts):
    kube.apply("beyond/native-sidecar-blog-web")
    kube.wait_pod("blog-web-native", c.pod_ready())
    kube.delete_pod("blog-web-native")
    both_ended = c.Condition(
        "with blog-web-container and its sidecar terminated",
        lambda p: p is not None and c.container_terminated("blog-web-container").met(p)
        and c.container_terminated("sidecar-container", init=True).met(p),
        lambda p: "it is gone" if p is None else None)
    pod = kube.wait_pod("blog-web-native", both_ended, timeouts(45))
    app = c.container_status(pod, "blog-web-container").state.terminated
    sidecar = c.container_status(pod, "sidecar-container", init=True).state.terminated
    # The app drains for 3 s (preStop) and the sidecar ends at once on SIGTERM: stopped together,
    # the sidecar would end about 3 s before the app. The kubelet's times, to the second.
    assert sidecar.finished_at >= app.finished_at, (
        f"the sidecar ended at {sidecar.finished_at:%H:%M:%S}, before blog-web-container at "
        f"{app.finished_at:%H:%M:%S}: it was stopped before the app container had ended")
    kube.wait_pod("blog-web-native", c.gone(), timeouts(60))
