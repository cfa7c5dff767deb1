"""Probes (the guide's "Liveness, Readiness and Startup Probe")."""

import contextlib
import re
import time

import pytest
from kubernetes.client.rest import ApiException

from fixtures import conditions as c
from fixtures import pods, services
from fixtures.manifests import read
from fixtures.waiting import Polled

LIVENESS = read("liveness-exec")[0]["spec"]["containers"][0]
PROBE = LIVENESS["livenessProbe"]
HEALTHY_FOR_S = 30              # the container removes /tmp/healthy 30 s after it starts
FAILURES = PROBE.get("failureThreshold", 3)
PERIOD = PROBE["periodSeconds"]
GRACE = 30                      # the manifest's (default) terminationGracePeriodSeconds
# sh as PID 1 ignores the kubelet's SIGTERM, so the kill takes the whole grace period.
FIRST_RESTART_EARLIEST_S = HEALTHY_FOR_S + (FAILURES - 1) * PERIOD
FIRST_RESTART_LATEST_S = HEALTHY_FOR_S + FAILURES * PERIOD + PERIOD + GRACE


@pytest.mark.aside
@pytest.mark.slow(150)
@pytest.mark.catalog("P1")
def test_liveness_exec_restarts_the_container_once_tmp_healthy_is_gone_and_keeps_doing_so(kube, timeouts):
    """The guide says restarts stop after 600 s; they do not: the kubelet restarts the container
    whenever the probe fails, with a back-off, for as long as the pod exists. This test sees a
    second restart, which the guide's account would also allow, and asserts the timing of the
    first from the probe's settings."""
    kube.apply("liveness-exec")
    pod = kube.wait_pod("liveness-exec", c.pod_running())
    started_at = c.container_status(pod, "liveness").state.running.started_at

    kube.wait_pod("liveness-exec", c.container_restarted("liveness", 1), timeouts(FIRST_RESTART_LATEST_S + 30))
    pod = kube.wait_pod("liveness-exec", c.container_last_terminated("liveness"), timeouts.container_event)
    last = c.container_status(pod, "liveness").last_state.terminated
    assert last.exit_code == 137, f"the killed container exited {last.exit_code}, expected 137 (SIGKILL)"
    alive_for = (last.finished_at - started_at).total_seconds()
    assert FIRST_RESTART_EARLIEST_S - 1 <= alive_for <= timeouts(FIRST_RESTART_LATEST_S), (
        f"the first instance lived {alive_for:.0f}s; with /tmp/healthy removed at {HEALTHY_FOR_S}s, "
        f"period {PERIOD}s, failureThreshold {FAILURES} and a {GRACE}s grace period, expected "
        f"{FIRST_RESTART_EARLIEST_S}..{FIRST_RESTART_LATEST_S}s")

    events = kube.events_for("Pod", "liveness-exec")
    unhealthy = [e for e in events if e.reason == "Unhealthy" and "Liveness probe failed" in e.message]
    killing = [e for e in events if e.reason == "Killing"]
    assert unhealthy, "no Unhealthy event saying 'Liveness probe failed'"
    assert killing and "failed liveness probe" in killing[0].message, f"no Killing event for the liveness failure: {killing}"
    assert sum(e.count or 1 for e in unhealthy) >= FAILURES

    kube.wait_pod("liveness-exec", c.container_restarted("liveness", 2),
                  timeouts(FIRST_RESTART_LATEST_S + 10 + 60))


# -- P2: readiness -------------------------------------------------------------------------

NGINX = "nginx:1.25.3-alpine"
READINESS_PERIOD = 2
NOT_READY_FOR_S = 5 * READINESS_PERIOD     # several probe periods of failing readiness
# From the probe's first success to the kubelet's Ready=True, both on the node's clock (before
# --timeout-scale). The status report through the API server comes after and is not timed: a
# loaded node took 6 s for it.
READY_LATENCY_S = 3


def _epoch_seconds(date_output: str) -> float:
    """`date +%s.%N`'s output; a date without %N gives whole seconds."""
    found = re.match(r"\s*(\d+(?:\.\d+)?)", date_output)
    assert found, f"no time in the container's date output: {date_output!r}"
    return float(found.group(1))


def _web_service(name: str, app: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": 80}]}}


def _probe_events(kube, pod: str, reason: str, text: str) -> int:
    """How many times the kubelet reported `reason` with `text` in the message (events aggregate)."""
    return sum(e.count or 1 for e in kube.events_for("Pod", pod) if e.reason == reason and text in e.message)


@pytest.mark.aside      # its pods on one node; it asks the EndpointSlice, no proxy, no DNS
@pytest.mark.reaches_service
@pytest.mark.catalog("P2")
def test_a_pod_failing_its_readiness_probe_stays_unready_and_out_of_its_service_until_the_probe_passes(
        kube, timeouts):
    """An EndpointSlice does not leave a pod that is not Ready out: it lists its address with
    ready=false, which is what a Service's proxy skips."""
    kube.apply(pods.pod("web", image=NGINX, readinessProbe={
        "exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": READINESS_PERIOD}))
    kube.apply(_web_service("web", "web"))
    ip = kube.wait_pod("web", c.pod_running()).status.pod_ip
    slices = kube.watch_service_endpoints("web")
    kube.wait(slices, c.slices_made_within(c.endpoint_not_ready(ip), timeouts(services.SLICE_MADE_S)),
              timeouts.container_event)

    kube.wait_pod("web", c.throughout(NOT_READY_FOR_S, c.all_of(
        c.pod_condition("Ready", "False"), c.container_restart_count("main", 0))),
        NOT_READY_FOR_S + timeouts(10))
    kube.wait(slices, c.endpoint_not_ready(ip), timeouts(5))
    failures = _probe_events(kube, "web", "Unhealthy", "Readiness probe failed")
    assert failures >= NOT_READY_FOR_S // READINESS_PERIOD - 1, (
        f"{failures} 'Readiness probe failed' event(s) in {NOT_READY_FOR_S}s with a {READINESS_PERIOD}s "
        f"period: the probe did not run every period")

    touched = _epoch_seconds(kube.exec("web", ["sh", "-c", "touch /tmp/ready; date +%s.%N"]))
    started = time.monotonic()
    pod = kube.wait_pod("web", c.pod_ready(), timeouts(READINESS_PERIOD + READY_LATENCY_S + 30))
    took = time.monotonic() - started
    ready = c.find_condition(pod, "Ready").last_transition_time.timestamp()
    decided = ready - touched
    kube.observed.measure("pod/web probe's file to Ready (node clock)", decided)
    bound = READINESS_PERIOD + timeouts(READY_LATENCY_S)
    assert -1 < decided <= bound, (
        f"Ready {decided:.1f}s after the probe's file appeared, by the node's clock (the file's time, Ready's "
        f"lastTransitionTime to the second; seen through the API {took:.1f}s after the file); with a "
        f"{READINESS_PERIOD}s period expected within {bound:.0f}s")
    assert c.restart_count(pod, "main") == 0, "the readiness probe's failures restarted the container"
    kube.wait(slices, c.endpoints_exactly({ip}, port=80), timeouts.container_event)


# -- P3: startup probe ---------------------------------------------------------------------

STARTUP_PERIOD = 2
STARTUP_FAILURES = 3
KILL_GRACE = 2                  # sleep as PID 1 ignores SIGTERM: every kill takes the grace period
STARTUP_WINDOW_S = 10           # observed while the startup probe fails and liveness would fail at once
LIVENESS_PERIOD = 1
# After a failed probe: the kubelet's kill and the status report (before --timeout-scale).
KILL_LATENCY_S = 5


def _sleeper(name: str, **probes) -> dict:
    return pods.pod(name, ["sleep", "3600"], grace_period=KILL_GRACE, **probes)


@pytest.mark.aside
@pytest.mark.catalog("P3")
def test_liveness_is_not_probed_until_the_startup_probe_succeeds(kube, timeouts):
    kube.apply(_sleeper(
        "slow-start",
        startupProbe={"exec": {"command": ["cat", "/tmp/started"]}, "periodSeconds": STARTUP_PERIOD,
                      "failureThreshold": 60},
        livenessProbe={"exec": {"command": ["cat", "/tmp/never"]}, "periodSeconds": LIVENESS_PERIOD,
                       "failureThreshold": 1}))
    kube.wait_pod("slow-start", c.pod_running())
    kube.wait_pod("slow-start", c.throughout(STARTUP_WINDOW_S, c.all_of(
        c.container_started("main", False), c.container_restart_count("main", 0))),
        STARTUP_WINDOW_S + timeouts(10))
    assert _probe_events(kube, "slow-start", "Unhealthy", "Startup probe failed") >= 2, \
        "no 'Startup probe failed' events: the startup probe did not run"
    liveness = _probe_events(kube, "slow-start", "Unhealthy", "Liveness probe failed")
    assert liveness == 0, f"{liveness} 'Liveness probe failed' event(s) before the startup probe succeeded"

    kube.exec("slow-start", ["touch", "/tmp/started"])
    started = time.monotonic()
    latest = STARTUP_PERIOD + LIVENESS_PERIOD + KILL_GRACE + KILL_LATENCY_S
    pod = kube.wait_pod("slow-start", c.container_restarted("main", 1), timeouts(latest + 30))
    took = time.monotonic() - started
    assert took <= timeouts(latest), (
        f"restarted {took:.1f}s after the startup probe's file appeared; with startup period {STARTUP_PERIOD}s, "
        f"a liveness probe failing at once every {LIVENESS_PERIOD}s and a {KILL_GRACE}s grace period, "
        f"expected within {timeouts(latest):.0f}s")
    assert _probe_events(kube, "slow-start", "Unhealthy", "Liveness probe failed") >= 1, \
        "restarted without a 'Liveness probe failed' event"
    assert _probe_events(kube, "slow-start", "Killing", "failed liveness probe") >= 1, \
        "no Killing event for the liveness probe's failure"


@pytest.mark.aside
@pytest.mark.catalog("P3")
def test_a_startup_probe_that_keeps_failing_gets_the_container_killed_and_restarted(kube, timeouts):
    kube.apply(_sleeper("never-starts", startupProbe={
        "exec": {"command": ["cat", "/tmp/never"]}, "periodSeconds": STARTUP_PERIOD,
        "failureThreshold": STARTUP_FAILURES}))
    pod = kube.wait_pod("never-starts", c.pod_running())
    started_at = c.container_status(pod, "main").state.running.started_at

    earliest = (STARTUP_FAILURES - 1) * STARTUP_PERIOD
    latest = STARTUP_FAILURES * STARTUP_PERIOD + KILL_GRACE + KILL_LATENCY_S
    kube.wait_pod("never-starts", c.container_restarted("main", 1), timeouts(latest + 30))
    pod = kube.wait_pod("never-starts", c.container_last_terminated("main"), timeouts.container_event)
    last = c.container_status(pod, "main").last_state.terminated
    alive_for = (last.finished_at - started_at).total_seconds()
    assert earliest - 1 <= alive_for <= timeouts(latest), (
        f"the first instance lived {alive_for:.0f}s; with {STARTUP_FAILURES} startup failures "
        f"{STARTUP_PERIOD}s apart and a {KILL_GRACE}s grace period expected {earliest}..{timeouts(latest):.0f}s")
    failures = _probe_events(kube, "never-starts", "Unhealthy", "Startup probe failed")
    assert failures >= STARTUP_FAILURES, \
        f"{failures} 'Startup probe failed' event(s) before the kill, expected {STARTUP_FAILURES}"
    assert _probe_events(kube, "never-starts", "Killing", "failed startup probe") >= 1, \
        "no Killing event for the startup probe's failure"


# -- P4: handlers --------------------------------------------------------------------------

HTML = "/usr/share/nginx/html"
# nginx with a path for every answer a probe can get: / 200, /dir 301 to /dir/ (200), /empty-dir
# 301 to /empty-dir/ (403: no index, no listing), /missing 404, /error 500, and /elsewhere a 302
# to another host (loopback port 1: the kubelet does not follow it, and nothing listens there).
# Its error log at level info records a connection closed without a request: a tcpSocket probe.
NGINX_CONF = ("server { listen 80; root " + HTML + "; error_log /dev/stderr info; location = /error { return 500; } "
              "location = /elsewhere { return 302 http://127.0.0.1:1/; } }")
PROBED_NGINX = pods.shell(
    f"mkdir -p {HTML}/dir {HTML}/empty-dir && echo in dir > {HTML}/dir/index.html && "
    f"echo '{NGINX_CONF}' > /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'")
HANDLER_PERIOD = 1
HANDLER_FAILING_FOR_S = 6
HANDLER_VERDICT_S = 10          # from Running to Ready: nginx's start and a few probe periods
# Every handler's probe waits this long after the container starts: a Ready that comes sooner
# came without the probe. Both timestamps are whole seconds, hence the second less in the check.
HANDLER_DELAY_S = 4
TCP_PROBE_TRACE = "closed connection while waiting for request"


def _handler(id_: str, handler: dict, ready: bool, event: str | None = None, log: str | None = None):
    """`event`: a fragment of the probe's event (Unhealthy on failure, ProbeWarning) saying why;
    `log`: a fragment of the container's log (nginx's access and error logs, or the exec
    handler's own line) showing that the kubelet ran this handler; every succeeding handler
    has one, so that a Ready without a probe cannot pass."""
    return pytest.param(handler, ready, event, log, id=id_)


def _watch_events(kube, pod: str, reason: str, starting: str) -> Polled:
    """The messages of the pod's `reason` events that start with `starting`, one a line."""
    def read():
        return "\n".join(e.message.strip() for e in kube.events_for("Pod", pod)
                         if e.reason == reason and e.message.startswith(starting))
    return Polled(read, f"{reason} events '{starting}: ...' of pod/{pod}")


def _http(path: str) -> dict:
    return {"httpGet": {"path": path, "port": 80}}


def _exec(script: str) -> dict:
    return {"exec": {"command": ["sh", "-c", script]}}


def assert_ready_through_the_probe(kube, name: str, timeouts) -> None:
    """Ready within HANDLER_VERDICT_S, and no sooner than HANDLER_DELAY_S after the start."""
    pod = kube.wait_pod(name, c.pod_ready(), timeouts(HANDLER_VERDICT_S))
    started_at = c.container_status(pod, "main").state.running.started_at
    held = (c.find_condition(pod, "Ready").last_transition_time - started_at).total_seconds()
    assert held >= HANDLER_DELAY_S - 1, (
        f"pod/{name} was Ready {held:.0f}s after its container started, before the probe's initialDelaySeconds "
        f"({HANDLER_DELAY_S}s): Ready without the probe's verdict")


@pytest.mark.aside
@pytest.mark.catalog("P4")
@pytest.mark.parametrize("handler, ready, event, log", [
    _handler("exec-exit-0-succeeds", _exec("echo exec probe ran > /proc/1/fd/1; exit 0"), True,
             log="exec probe ran"),
    _handler("exec-exit-1-fails", _exec("echo not ready; exit 1"), False, "not ready"),
    _handler("exec-any-other-nonzero-exit-fails", _exec("echo not ready; exit 2"), False, "not ready"),
    _handler("tcpSocket-open-port-succeeds", {"tcpSocket": {"port": 80}}, True, log=TCP_PROBE_TRACE),
    _handler("tcpSocket-closed-port-fails", {"tcpSocket": {"port": 81}}, False, "connection refused"),
    _handler("httpGet-200-succeeds", _http("/"), True, log='"GET / HTTP/1.1" 200'),
    _handler("httpGet-302-to-another-host-succeeds-without-being-followed", _http("/elsewhere"), True,
             "Probe terminated redirects", '"GET /elsewhere HTTP/1.1" 302'),
    _handler("httpGet-301-to-the-same-host-is-followed-to-its-200-and-succeeds", _http("/dir"), True,
             log='"GET /dir/ HTTP/1.1" 200'),
    _handler("httpGet-301-to-the-same-host-is-followed-to-its-403-and-fails", _http("/empty-dir"), False,
             "statuscode: 403", '"GET /empty-dir/ HTTP/1.1" 403'),
    _handler("httpGet-404-fails", _http("/missing"), False, "statuscode: 404"),
    _handler("httpGet-500-fails", _http("/error"), False, "statuscode: 500"),
])
def test_a_probe_handler_succeeds_or_fails_as_its_result_says(kube, timeouts, handler, ready, event, log):
    """Shown with readiness probes, whose verdict is Ready at once and costs no restart; a
    handler means the same in a liveness or startup probe. The guide's table says an HTTP answer
    200..399 succeeds: a 3xx succeeds as such only when the kubelet does not follow it (another
    host); a redirect to the same host is followed, and the final answer counts. That the probe
    ran is proven, not assumed: a success comes no sooner than the probe's initialDelaySeconds
    and leaves its trace in the log; a failure leaves its Unhealthy event."""
    kube.apply(pods.pod("probed", PROBED_NGINX, image=NGINX, grace_period=1, readinessProbe={
        **handler, "initialDelaySeconds": HANDLER_DELAY_S, "periodSeconds": HANDLER_PERIOD, "failureThreshold": 1}))
    kube.wait_pod("probed", c.pod_running())
    if ready:
        assert_ready_through_the_probe(kube, "probed", timeouts)
    else:
        # The kubelet sends the event and the status apart: the event first, then the status.
        kube.wait(_watch_events(kube, "probed", "Unhealthy", "Readiness probe failed"), c.text_contains(event),
                  HANDLER_DELAY_S + timeouts(10))
        kube.wait_pod("probed", c.throughout(HANDLER_FAILING_FOR_S, c.all_of(
            c.pod_condition("Ready", "False"), c.container_restart_count("main", 0))),
            HANDLER_FAILING_FOR_S + timeouts(10))
    if event and ready:
        kube.wait(_watch_events(kube, "probed", "ProbeWarning", "Readiness probe warning"), c.text_contains(event),
                  timeouts(5))
    if log:
        kube.wait(kube.watch_log("probed"), c.text_contains(log), timeouts(5))


# -- P5: lifecycle hooks (preStop: test_runtime.py::test_the_prestop_hook_runs_before_sigterm) --

POSTSTART_SLEEP_S = 5
# A second's rounding on each of two timestamps, and the kubelet's start of the hook.
POSTSTART_SLACK_S = 3


@pytest.mark.aside
@pytest.mark.catalog("P5")
def test_the_poststart_hook_runs_in_the_container_right_after_it_starts(kube, timeouts):
    """Nothing orders the hook and the container's command: the command waits for the hook's file."""
    kube.apply(pods.pod("poststart", pods.shell(
        'echo "main started at $(date +%s)"; until [ -f /tmp/poststart ]; do sleep 1; done; '
        'echo "main saw postStart at $(cat /tmp/poststart)"; sleep 3600'),
        grace_period=1, lifecycle={"postStart": {"exec": {"command": ["sh", "-c", "date +%s > /tmp/poststart"]}}}))
    log = kube.wait(kube.watch_log("poststart"), c.text_contains("main saw postStart at"), timeouts.pod_start)
    main_at = int(re.search(r"main started at (\d+)", log).group(1))
    hook_at = int(re.search(r"main saw postStart at (\d+)", log).group(1))
    assert -1 <= hook_at - main_at <= timeouts(POSTSTART_SLACK_S), \
        f"the postStart hook ran {hook_at - main_at}s after the container's command started, expected at once"


@pytest.mark.aside
@pytest.mark.catalog("P5")
def test_the_container_is_not_running_until_its_poststart_hook_completes(kube):
    """Every time is the node's: the container's start (from the runtime), the hook's end (the
    hook writes it last, `date` in the container) and Ready (the kubelet's lastTransitionTime,
    to the second). How long the kubelet takes to report Ready after the hook is not bounded:
    a busy node's kubelet took 4 s (Ready 9 s after the start)."""
    kube.apply(pods.pod("slow-poststart", ["sleep", "3600"], grace_period=1, lifecycle={
        "postStart": {"exec": {"command": ["sh", "-c", f"sleep {POSTSTART_SLEEP_S}; date +%s.%N > /tmp/poststart-done"]}}}))
    pod = kube.wait_pod("slow-poststart", c.pod_ready())
    started_at = c.container_status(pod, "main").state.running.started_at
    ready_at = c.find_condition(pod, "Ready").last_transition_time
    done_at = _epoch_seconds(kube.exec("slow-poststart", ["sh", "-c", (     # a hook that ends after Ready: waited for
        f"for i in $(seq {4 * POSTSTART_SLEEP_S}); do [ -f /tmp/poststart-done ] && break; sleep 0.5; done; "
        f"cat /tmp/poststart-done")]))
    held, after_hook = (ready_at - started_at).total_seconds(), ready_at.timestamp() - done_at
    kube.observed.measure("pod/slow-poststart: the postStart hook's end to Ready (node clock)", after_hook)
    assert held >= POSTSTART_SLEEP_S - 1 and after_hook > -1, (
        f"Ready {held:.0f}s after the container started and {after_hook:.1f}s after its postStart hook of "
        f"{POSTSTART_SLEEP_S}s ended (Ready's time to the second): expected the container to count as running "
        f"only once the hook completed")


@pytest.mark.aside
@pytest.mark.catalog("P5")
def test_a_failing_poststart_hook_gets_the_container_killed_and_restarted(kube, timeouts):
    kube.apply(pods.pod("failing-poststart", ["sleep", "3600"], grace_period=1, lifecycle={
        "postStart": {"exec": {"command": ["sh", "-c", "echo hook refuses; exit 1"]}}}))
    kube.wait_pod("failing-poststart", c.container_restarted("main", 1), timeouts.pod_start)
    failed = [e.message for e in kube.events_for("Pod", "failing-poststart") if e.reason == "FailedPostStartHook"]
    assert failed, "restarted without a FailedPostStartHook event"


# -- beyond the guide: readiness and endpoints during termination (X7) --------------------------

DRAIN_S = 6        # draining-web stops passing its readiness probe 6 s after it is told to stop, and ends 20 s after that


@pytest.mark.aside
@pytest.mark.catalog("X7")
@pytest.mark.reaches_service
@pytest.mark.slow(30)
def test_a_terminating_pod_is_listed_terminating_serving_while_its_readiness_probe_passes(kube, timeouts):
    kube.apply("beyond/draining-web")
    pod = kube.wait_pod("draining-web", c.pod_ready())
    ip = pod.status.pod_ip
    endpoints = kube.watch_service_endpoints("draining-svc")
    kube.wait(endpoints, c.slices_made_within(c.endpoint_conditions(ip, ready=True, serving=True, terminating=False),
                                              timeouts(services.SLICE_MADE_S)), timeouts.container_event)

    kube.delete_pod("draining-web")
    deleted = time.monotonic()
    try:
        _drains(kube, timeouts, endpoints, ip, deleted)
    finally:
        with contextlib.suppress(ApiException):                 # gone already
            kube.delete_pod("draining-web", grace_period=0)     # not its 26 s more of draining


def _drains(kube, timeouts, endpoints, ip: str, deleted: float) -> None:
    kube.wait(endpoints, c.endpoint_conditions(ip, ready=False, serving=True, terminating=True),
              timeouts(DRAIN_S - 2))
    listed_after = time.monotonic() - deleted
    assert listed_after < DRAIN_S - 1, (
        f"the EndpointSlice said terminating only {listed_after:.1f} s after the delete; by then the readiness "
        f"probe may have stopped passing")
    kube.wait(endpoints, c.endpoint_conditions(ip, ready=False, serving=False, terminating=True),
              timeouts(DRAIN_S + 10))
    pod = kube.wait_pod("draining-web", c.pod_condition("Ready", "False"), timeouts(10))
    web = c.container_status(pod, "web")
    assert web.state.running is not None, (
        f"container web is {web.state} when the pod turned Ready False: the readiness probe's failure during "
        f"termination was not seen while the process ran")


# -- beyond the guide: gRPC probes and exec probe timeouts (X5) ---------------------------------

GRPC_PROBES = "gRPC probes"
HEALTH_SWITCH_PORT = 8080       # agnhost grpc-health-checking's /make-serving and /make-not-serving


def _health_switch(kube) -> str:
    """A client pod, made beside the server, that switches a grpc-health-checking server's status
    (the suite may not reach pod IPs itself)."""
    return services.client(kube, "health-switch")


def _switch_health(kube, switch: str, pod, to: str) -> None:
    url = f"http://{pod.status.pod_ip}:{HEALTH_SWITCH_PORT}/make-{to}"
    code, out = services.run(kube, switch, f"curl -sS --max-time 5 --retry 5 --retry-delay 1 --retry-connrefused {url}")
    assert code == 0, f"GET {url} from pod/{switch} failed (exit {code}): {out.strip()[-300:]}"
    kube.timeline.note(f"pod/{pod.metadata.name}", f"health switched to {to.replace('-', ' ').upper()}")


def _by_grpc(cond: c.Condition, probe: str) -> c.Condition:
    return c.described(cond, f"{cond.description}, by its gRPC {probe} probe once the health service answers "
                             f"NOT_SERVING")


@pytest.mark.aside
@pytest.mark.needs_server(27, GRPC_PROBES)
@pytest.mark.catalog("X5")
def test_a_grpc_readiness_probe_follows_the_health_services_status(kube, timeouts):
    (doc, _) = kube.manifest("beyond/grpc-probes")
    kube.apply([doc])
    switch = _health_switch(kube)
    pod = kube.wait_pod("grpc-readiness", c.pod_ready())
    _switch_health(kube, switch, pod, "not-serving")
    kube.wait_pod("grpc-readiness", _by_grpc(c.pod_condition("Ready", "False"), "readiness"), timeouts(10))
    _switch_health(kube, switch, pod, "serving")
    pod = kube.wait_pod("grpc-readiness", c.pod_ready(), timeouts(10))
    assert c.restart_count(pod, "health") == 0, "the readiness probe's NOT_SERVING restarted the container"


@pytest.mark.aside
@pytest.mark.needs_server(27, GRPC_PROBES)
@pytest.mark.catalog("X5")
def test_a_grpc_liveness_probe_restarts_the_container_once_it_is_not_serving(kube, timeouts):
    (_, doc) = kube.manifest("beyond/grpc-probes")
    kube.apply([doc])
    switch = _health_switch(kube)
    pod = kube.wait_pod("grpc-liveness", c.pod_running())
    kube.wait_pod("grpc-liveness", c.throughout(3, c.container_restart_count("health", 0)), timeouts(10))
    _switch_health(kube, switch, pod, "not-serving")
    probe = doc["spec"]["containers"][0]["livenessProbe"]
    # The failures that restart it, the grace period it is stopped within, then the restart.
    bound = probe["periodSeconds"] * probe["failureThreshold"] + doc["spec"]["terminationGracePeriodSeconds"]
    pod = kube.wait_pod("grpc-liveness", _by_grpc(c.container_restarted("health", 1), "liveness"),
                        bound + timeouts(10))
    said = [e.message or "" for e in kube.events_for("Pod", "grpc-liveness") if e.reason == "Unhealthy"]
    assert any("NOT_SERVING" in m for m in said), f"no Unhealthy event names NOT_SERVING: {said}"


@pytest.mark.aside
@pytest.mark.catalog("X5")
def test_an_exec_probe_that_outlives_its_timeout_counts_as_failed(kube, timeouts):
    kube.apply("beyond/exec-probe-timeout")
    pod = kube.wait_pod("liveness-exec-timeout", c.container_restarted("liveness", 1), timeouts.container_event + 30)
    said = [e.message or "" for e in kube.events_for("Pod", "liveness-exec-timeout") if e.reason == "Unhealthy"]
    assert any("timed out" in m for m in said), \
        f"the container was restarted, but no Unhealthy event says its probe timed out: {said}"
    assert c.container_status(pod, "liveness").last_state.terminated is not None
