"""Pod lifecycle: phases and conditions."""

import pytest

from fixtures import conditions as c
from fixtures import aside, pods
from fixtures.node_state import NODE_CONTROLLER_TAINTS
from fixtures.waiting import ObjectWatch

MISSING_IMAGE = "registry.k8s.io/pod-conformance/no-such-image:0"


@pytest.mark.aside
@pytest.mark.catalog("L1")
@pytest.mark.parametrize("restart_policy, exit_code, phase", [
    pytest.param("Never", 0, "Succeeded", id="restartPolicy-Never-exit-0-ends-Succeeded"),
    pytest.param("Never", 1, "Failed", id="restartPolicy-Never-exit-1-ends-Failed"),
    pytest.param("OnFailure", 0, "Succeeded", id="restartPolicy-OnFailure-exit-0-ends-Succeeded"),
])
def test_a_pod_whose_container_exits_ends_in_the_phase_its_restart_policy_gives(kube, restart_policy, exit_code, phase):
    kube.apply(pods.pod("exits", pods.shell(f"sleep 2; exit {exit_code}"), restart_policy=restart_policy))
    pod = kube.wait_pod("exits", c.pod_phase(phase))
    state = c.container_status(pod, "main").state.terminated
    assert state is not None and state.exit_code == exit_code, f"container state {state}, expected exit {exit_code}"
    assert c.restart_count(pod, "main") == 0


@pytest.mark.aside
@pytest.mark.catalog("L1")
@pytest.mark.parametrize("restart_policy, exit_code", [
    pytest.param("Always", 0, id="restartPolicy-Always-exit-0-restarts"),
    pytest.param("Always", 1, id="restartPolicy-Always-exit-1-restarts"),
    pytest.param("OnFailure", 1, id="restartPolicy-OnFailure-exit-1-restarts"),
])
def test_a_pod_whose_restart_policy_restarts_its_container_stays_running(kube, timeouts, restart_policy, exit_code):
    kube.apply(pods.pod("restarts", pods.shell(f"sleep 2; exit {exit_code}"), restart_policy=restart_policy))
    kube.wait_pod("restarts", c.container_restarted("main", 1), timeouts.pod_start)
    pod = kube.wait_pod("restarts", c.container_last_terminated("main", None), timeouts.container_event)
    assert pod.status.phase == "Running", f"phase {pod.status.phase} while the container restarts, expected Running"
    last = c.container_status(pod, "main").last_state.terminated
    assert last is not None and last.exit_code == exit_code, f"lastState {last}, expected exit {exit_code}"


@pytest.mark.aside
@pytest.mark.catalog("L1")
def test_a_pod_is_pending_while_its_image_cannot_be_pulled(kube, timeouts):
    kube.apply(pods.pod("no-image", ["sleep", "3600"], image=MISSING_IMAGE))
    pod = kube.wait_pod("no-image", c.Condition(
        "waiting for its image (ErrImagePull or ImagePullBackOff)",
        lambda p: (cs := c.container_status(p, "main")) is not None and cs.state.waiting is not None
        and cs.state.waiting.reason in ("ErrImagePull", "ImagePullBackOff")), timeouts.pod_start)
    assert pod.status.phase == "Pending"
    assert c.find_condition(pod, "PodScheduled").status == "True"
    assert c.find_condition(pod, "ContainersReady").status == "False"


@pytest.mark.aside
@pytest.mark.catalog("L1", "L2")
def test_a_pod_is_pending_while_its_init_container_runs_then_running(kube, timeouts):
    doc = pods.pod("initializing", ["sleep", "3600"])
    doc["spec"]["initContainers"] = [{"name": "init", "image": pods.BUSYBOX, "command": ["sleep", "6"]}]
    kube.apply(doc)
    pod = kube.wait_pod("initializing", c.container_waiting("main", "PodInitializing"))
    assert pod.status.phase == "Pending"
    assert c.find_condition(pod, "Initialized").status == "False"
    pod = kube.wait_pod("initializing", c.pod_running())
    init = c.container_status(pod, "init", init=True).state.terminated
    assert init is not None and init.exit_code == 0 and init.reason == "Completed"


@pytest.mark.aside
@pytest.mark.catalog("L2")
def test_conditions_turn_true_in_order_scheduled_initialized_containers_ready_ready(kube, timeouts):
    doc = pods.pod("ordered", pods.shell("touch /tmp/ready; sleep 3600"),
                   readinessProbe={"exec": {"command": ["cat", "/tmp/ready"]},
                                   "initialDelaySeconds": 3, "periodSeconds": 1})
    doc["spec"]["initContainers"] = [{"name": "init", "image": pods.BUSYBOX, "command": ["sleep", "3"]}]
    kube.apply(doc)
    pod = kube.wait_pod("ordered", c.pod_ready())
    order = ["PodScheduled", "Initialized", "ContainersReady", "Ready"]
    times = {t: c.find_condition(pod, t).last_transition_time for t in order}
    assert all(c.find_condition(pod, t).status == "True" for t in order)
    assert [times[t] for t in order] == sorted(times[t] for t in order), \
        "lastTransitionTime out of order: " + ", ".join(f"{t}={times[t]:%H:%M:%S}" for t in order)
    # The init container sleeps 3 s; readiness is first probed 3 s after the container starts.
    assert (times["Initialized"] - times["PodScheduled"]).total_seconds() >= 2
    assert (times["Ready"] - times["Initialized"]).total_seconds() >= 2


@pytest.mark.catalog("L2")
def test_a_pod_no_node_fits_has_podscheduled_false_unschedulable(kube, timeouts):
    kube.apply(pods.pod("nowhere", ["sleep", "3600"], node_selector={"pod-conformance/no-such-label": "x"}))
    pod = kube.wait_pod("nowhere", c.pod_condition("PodScheduled", "False", reason="Unschedulable"),
                        timeouts.pod_schedule)
    assert pod.status.phase == "Pending"
    assert not pod.spec.node_name
    message = c.find_condition(pod, "PodScheduled").message or ""
    assert "node affinity/selector" in message, f"the scheduler's message does not name the selector: {message}"


@pytest.mark.disruptive
@pytest.mark.slow(60)
@pytest.mark.catalog("L1")
def test_a_pod_on_a_node_that_stops_reporting_is_no_longer_ready_and_recovers(
        kube, node_disruptor, schedulable_workers, guide_nodes, timeouts):
    """The guide's table says phase Unknown "when the pod's host cannot be reached". What the
    cluster does: the node's Ready condition turns Unknown (NodeStatusUnknown) once its lease
    stops being renewed, the node controller marks its pods Ready False and taints the node
    unreachable; the pod keeps the phase last reported. When the kubelet reports again, all of
    it is undone. Pods are evicted only after their unreachable toleration (300 s by default).
    The node is the last schedulable worker but the aside node, where tests marked aside run
    meanwhile (fixtures/aside.py)."""
    candidates = aside.besides(schedulable_workers, guide_nodes)
    assert candidates, (f"no schedulable worker to stop but {aside.node_named(guide_nodes)}, the aside node "
                        f"(schedulable: {schedulable_workers})")
    node = candidates[-1]
    kube.apply(pods.pod("on-silent-node", ["sleep", "3600"], node_selector={"kubernetes.io/hostname": node}))
    kube.wait_pod("on-silent-node", c.pod_ready())
    watch_node = ObjectWatch(kube.core.list_node, f"node/{node}", name=node)
    node_disruptor.pause(node)
    kube.timeline.note(f"node/{node}", "kubelet paused")
    try:
        kube.wait(watch_node, c.node_condition("Ready", "Unknown"), timeouts(120))
        kube.wait(watch_node, c.node_tainted("node.kubernetes.io/unreachable", "NoExecute"), timeouts(30))
        pod = kube.wait_pod("on-silent-node", c.pod_condition("Ready", "False"), timeouts(60))
        assert pod.status.phase in ("Running", "Unknown"), f"phase {pod.status.phase} on a silent node"
    finally:
        node_disruptor.resume(node)
        kube.timeline.note(f"node/{node}", "kubelet resumed")
    kube.wait(watch_node, c.node_condition("Ready", "True"), timeouts(120))
    # Undone too: the node controller lifts its taints, the unreachable ones and the not-ready
    # ones it may set meanwhile (seen: a resumed kubelet briefly reporting Ready=False), so that
    # the next test finds the node as this one found it.
    kube.wait(watch_node, c.all_of(*(c.node_untainted(key) for key in NODE_CONTROLLER_TAINTS)), timeouts(60))
    pod = kube.wait_pod("on-silent-node", c.pod_ready(), timeouts(120))
    assert pod.status.phase == "Running" and c.restart_count(pod, "main") == 0


# -- beyond the guide: why a container ended (X2), a pod's deadline (X3) ----------------------

@pytest.mark.aside
@pytest.mark.catalog("X2")
@pytest.mark.parametrize("container, message", [
    pytest.param("writes-termination-log", "disk full: /data\n", id="written-to-dev-termination-log"),
    pytest.param("falls-back-to-logs", "".join(f"step {i} failed\n" for i in range(1, 6)),
                 id="FallbackToLogsOnError-a-failing-exit-gives-the-logs-last-lines"),
    pytest.param("succeeds-with-logs", None, id="FallbackToLogsOnError-an-exit-0-gives-no-message"),
    pytest.param("custom-path", "finished the batch\n", id="a-custom-terminationMessagePath-is-read"),
])
def test_a_container_that_ended_says_why_in_its_termination_message(kube, container, message):
    kube.apply("beyond/termination-message")
    pod = kube.wait_pod("termination-message", c.pod_phase("Failed"))
    ended = c.container_status(pod, container).state.terminated
    assert ended is not None, f"container {container} has not terminated: {c.container_status(pod, container).state}"
    assert ended.message == message, (
        f"container {container} (exit {ended.exit_code}) has termination message {ended.message!r}, "
        f"expected {message!r}")


DEADLINE_BOUND_S = 10      # the kubelet checks every pod's deadline once a second


@pytest.mark.aside
@pytest.mark.catalog("X3")
def test_active_deadline_seconds_ends_a_running_pod_failed_deadline_exceeded_in_time(kube, timeouts):
    (doc,) = kube.manifest("beyond/deadline-pod")
    deadline = doc["spec"]["activeDeadlineSeconds"]
    kube.apply([doc])
    kube.wait_pod("deadline-pod", c.pod_running())
    ended = c.Condition(f"ended Failed by its activeDeadlineSeconds ({deadline} s)",
                        lambda p: p is not None and p.status.phase == "Failed",
                        c.terminal_unless("Failed"))
    # Counted from Running seen, which is after the pod's startTime; then 2 s for the status to show.
    pod = kube.wait_pod("deadline-pod", ended, timeouts(deadline + DEADLINE_BOUND_S + 2))
    assert (pod.status.reason, pod.status.phase) == ("DeadlineExceeded", "Failed"), \
        f"pod ended {pod.status.phase} with reason {pod.status.reason}: {pod.status.message}; expected DeadlineExceeded"
    # Both times are the kubelet's, to the second: when the pod started and when it turned not Ready.
    started, failed = pod.status.start_time, c.find_condition(pod, "Ready").last_transition_time
    active = (failed - started).total_seconds()
    assert deadline - 1 <= active <= deadline + DEADLINE_BOUND_S, (
        f"the pod failed {active:.0f} s after it started (startTime {started:%H:%M:%S}, Ready False at "
        f"{failed:%H:%M:%S}); its activeDeadlineSeconds is {deadline}, so expected between {deadline} and "
        f"{deadline + DEADLINE_BOUND_S} s")
    assert c.restart_count(pod, "worker") == 0
