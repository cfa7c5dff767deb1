"""Probes (the guide's "Liveness, Readiness and Startup Probe")."""

import pytest

from fixtures import conditions as c
from fixtures.manifests import read

LIVENESS = read("liveness-exec")[0]["spec"]["containers"][0]
PROBE = LIVENESS["livenessProbe"]
HEALTHY_FOR_S = 30              # the container removes /tmp/healthy 30 s after it starts
FAILURES = PROBE.get("failureThreshold", 3)
PERIOD = PROBE["periodSeconds"]
GRACE = 30                      # the manifest's (default) terminationGracePeriodSeconds
# sh as PID 1 ignores the kubelet's SIGTERM, so the kill takes the whole grace period.
FIRST_RESTART_EARLIEST_S = HEALTHY_FOR_S + (FAILURES - 1) * PERIOD
FIRST_RESTART_LATEST_S = HEALTHY_FOR_S + FAILURES * PERIOD + PERIOD + GRACE


@pytest.mark.slow
@pytest.mark.catalog("P1")
def test_liveness_exec_restarts_the_container_once_tmp_healthy_is_gone_and_keeps_doing_so(kube, timeouts):
    """The guide says restarts stop after 600 s; they do not: the kubelet restarts the container
    whenever the probe fails, with a back-off, for as long as the pod exists. This test sees a
    second restart, which the guide's account would also allow, and asserts the timing of the
    first from the probe's settings."""
    kube.apply("liveness-exec")
    pod = kube.wait_pod("liveness-exec", c.pod_running())
    started_at = c.container_status(pod, "liveness").state.running.started_at

    pod = kube.wait_pod("liveness-exec", c.container_restarted("liveness", 1),
                        timeouts(FIRST_RESTART_LATEST_S + 30))
    last = c.container_status(pod, "liveness").last_state.terminated
    assert last is not None, "restartCount is 1 but lastState does not show the killed container"
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


