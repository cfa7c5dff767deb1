"""Init containers (the guide's "Pod 설계 패턴 2"): weather-pod and myapp-pod."""

import json

import pytest

from fixtures import conditions as c
from fixtures import backoff, pods, services, weather
from fixtures.errors import WaitTimeout

# Restart gaps checked against the kubelet's back-off: gaps 1 and 2 (the first restart comes at
# once), so that both the initial delay and its doubling are seen.
RESTART_GAPS = 2
# How long myapp-pod may take to run after myservice exists before cluster DNS is asked directly.
FIRST_LOOK_S = 20


def _init_running_main_waiting(pod) -> bool:
    init = c.container_status(pod, "download-config", init=True)
    main = c.container_status(pod, "nginx-container")
    return (init is not None and init.state.running is not None and main is not None
            and main.state.waiting is not None and main.state.waiting.reason == "PodInitializing")


def _check_weather_pod(kube, timeouts):
    seen_initializing = kube.wait_pod("weather-pod", c.Condition(
        "running its init container while nginx-container waits (PodInitializing)", _init_running_main_waiting))
    assert seen_initializing.status.phase == "Pending"
    assert c.find_condition(seen_initializing, "Initialized").status == "False"

    pod = kube.wait_pod("weather-pod", c.pod_ready())
    done = c.container_status(pod, "download-config", init=True).state.terminated
    assert done is not None and done.reason == "Completed" and done.exit_code == 0, f"init container ended {done}"
    assert c.container_status(pod, "nginx-container").state.running is not None
    body = kube.run_to_completion(pods.http_get("weather-client", f"http://{pod.status.pod_ip}/"))
    data = json.loads(body)
    for key in ("latitude", "longitude", "current_weather"):
        assert key in data, f"GET / on weather-pod returned JSON without '{key}': {body[:300]}"


@pytest.mark.aside_with_dns
@pytest.mark.reaches_service
@pytest.mark.catalog("I1")
def test_weather_pod_initializes_from_an_in_cluster_weather_api_then_serves_its_json(kube, timeouts, substitutions):
    """The guide downloads from api.open-meteo.com; here an in-cluster stand-in serves the same
    shape of JSON (fixtures/weather.py), so the test runs on clusters without egress too. The
    needs_egress variant below uses the real URL."""
    substitutions.weather_url = weather.serve(kube)
    kube.apply("weather")
    _check_weather_pod(kube, timeouts)


@pytest.mark.needs_egress
@pytest.mark.catalog("I1")
def test_weather_pod_initializes_from_the_real_open_meteo_api_then_serves_its_json(kube, timeouts):
    kube.apply("weather")
    _check_weather_pod(kube, timeouts)


def _weather_unreachable(kube, substitutions, restart_policy):
    # Nothing listens on the pod's own loopback port 9: curl fails at once (connection refused)
    # and nothing beyond the pod's node is involved, so these tests run aside.
    substitutions.weather_url = "http://127.0.0.1:9/v1/forecast"
    doc = kube.manifest("weather")[0]
    doc["spec"]["restartPolicy"] = restart_policy
    kube.apply(doc)


@pytest.mark.aside
@pytest.mark.slow(45)
@pytest.mark.catalog("I2")
def test_a_failing_init_container_is_restarted_and_the_app_never_starts_with_restart_policy_always(
        kube, timeouts, substitutions):
    """The init container's restarts must be spaced by the kubelet's back-off: the second at
    least the initial delay after its second exit, the third at least twice that (10 s and 20 s
    by default; the node's own settings are read, fixtures/backoff.py, and where they cannot be
    the least legal back-off, 1 s, is assumed)."""
    history = backoff.RestartHistory("download-config", init=True)
    _weather_unreachable(kube, substitutions, "Always")
    pod = kube.wait_pod("weather-pod", history.recording(c.Condition(
        "in Init:CrashLoopBackOff (init container restarted, waiting in back-off)",
        lambda p: (cs := c.container_status(p, "download-config", init=True)) is not None
        and cs.restart_count >= 1 and cs.state.waiting is not None and cs.state.waiting.reason == "CrashLoopBackOff",
        c.restarts_uncounted("download-config", init=True))),
        timeouts.pod_start)
    init = c.container_status(pod, "download-config", init=True)
    assert init.last_state.terminated.reason == "Error" and init.last_state.terminated.exit_code != 0, \
        f"the failed init container's last state is {init.last_state.terminated}, expected Error with a non-zero exit"
    spacing = backoff.for_node(kube.cluster.api, pod.spec.node_name)
    pod = kube.wait_pod("weather-pod", history.spaced(RESTART_GAPS),
                        timeouts(90) + sum(spacing.floor(n) for n in range(RESTART_GAPS + 1)))
    too_soon = history.too_soon(spacing)
    assert not too_soon, (f"init container download-config was restarted sooner than the kubelet's back-off "
                          f"({spacing}) allows:\n" + "\n".join(too_soon) + f"\ninstances: {history.render()}")
    main = c.container_status(pod, "nginx-container")
    assert main.state.waiting is not None and main.state.waiting.reason == "PodInitializing"
    assert main.restart_count == 0 and not main.last_state.terminated, "nginx-container ran although init failed"
    assert pod.status.phase == "Pending"


@pytest.mark.aside
@pytest.mark.catalog("I2")
def test_a_failing_init_container_fails_the_pod_with_restart_policy_never(kube, timeouts, substitutions):
    _weather_unreachable(kube, substitutions, "Never")
    pod = kube.wait_pod("weather-pod", c.pod_phase("Failed"))
    init = c.container_status(pod, "download-config", init=True).state.terminated
    assert init is not None and init.exit_code != 0
    assert c.container_status(pod, "nginx-container").state.running is None


@pytest.mark.aside_with_dns
@pytest.mark.reaches_service
@pytest.mark.slow(30)
@pytest.mark.catalog("I3")
def test_myapp_pod_waits_for_myservice_then_runs(kube, timeouts):
    kube.apply("myapp-init-pod")
    waiting = kube.wait(kube.watch_log("myapp-pod", "init-myservice"),
                        c.Condition("saying 'waiting for myservice' at least twice",
                                    lambda log: log is not None and log.count("waiting for myservice") >= 2),
                        timeouts.container_event)
    pod = kube.pod("myapp-pod")
    assert pod.status.phase == "Pending", f"myapp-pod is {pod.status.phase} before myservice exists"
    assert c.find_condition(pod, "Initialized").status == "False"
    main = c.container_status(pod, "myapp-container")
    assert main.state.waiting is not None and main.state.waiting.reason == "PodInitializing"
    assert waiting.count("waiting for myservice") >= 2

    kube.apply("myservice")
    # The init container's next lookup, 2 s apart, finds the name. When the pod is not running
    # soon after, cluster DNS is asked from a client of its own, which names a plainly broken
    # layer at once; the rest of the wait follows.
    first = timeouts(FIRST_LOOK_S)
    try:
        pod = kube.wait_pod("myapp-pod", c.pod_running(), first)
    except WaitTimeout:
        services.check_name(kube, "myservice", services.client(kube, "dns-client"),
                            although="although the Service exists; init-myservice waits on that name")
        pod = kube.wait_pod("myapp-pod", c.pod_running(), timeouts.pod_start - first)
    init = c.container_status(pod, "init-myservice", init=True).state.terminated
    assert init is not None and init.exit_code == 0
    kube.wait(kube.watch_log("myapp-pod", "myapp-container"), c.text_contains("The app is running!"),
              timeouts.container_event)


