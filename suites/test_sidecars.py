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

