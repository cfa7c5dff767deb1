import datetime as dt

import pytest
from kubernetes import client

from fixtures import conditions
from kubeobjects import container_status, endpoint_slice, pod


@pytest.mark.parametrize("phase, met, final", [
    (None, False, None),
    ("Pending", False, None),
    ("Running", True, None),
    ("Succeeded", False, "the pod reached final phase Succeeded"),
    ("Failed", False, "the pod reached final phase Failed"),
])
def test_pod_running_gives_up_on_other_terminal_phases(phase, met, final):
    c = conditions.pod_running()
    p = None if phase is None else pod(phase=phase)
    assert c.met(p) is met
    assert c.final(p) == final


def test_pod_phase_accepts_any_wanted_phase_and_does_not_give_up_on_it():
    c = conditions.pod_phase("Succeeded", "Failed")
    assert c.description == "in phase Succeeded or Failed"
    for phase in ("Succeeded", "Failed"):
        assert c.met(pod(phase=phase))
        assert c.final(pod(phase=phase)) is None
    assert not c.met(pod(phase="Running"))
    assert c.final(pod(phase="Running")) is None


def test_pod_condition_status_and_reason():
    unschedulable = pod(conditions=[("PodScheduled", "False", "Unschedulable")])
    assert conditions.pod_condition("PodScheduled", "False", "Unschedulable").met(unschedulable)
    assert not conditions.pod_condition("PodScheduled", "False", "Other").met(unschedulable)
    assert not conditions.pod_condition("PodScheduled").met(unschedulable)
    assert not conditions.pod_condition("Ready").met(unschedulable)
    assert not conditions.pod_condition("Ready").met(None)
    assert conditions.pod_condition("PodScheduled", "False", "Unschedulable").description == \
        "PodScheduled=False with reason Unschedulable"


def test_pod_ready_and_its_final_state():
    c = conditions.pod_ready()
    assert c.met(pod(phase="Running", conditions=[("Ready", "True")]))
    assert not c.met(pod(phase="Running", conditions=[("Ready", "False")]))
    assert c.final(pod(phase="Failed", conditions=[("Ready", "False")])) == "the pod reached final phase Failed"
    assert c.final(pod(phase="Running")) is None


def test_pod_scheduled_on_gives_up_when_scheduled_elsewhere():
    c = conditions.pod_scheduled_on("n1")
    assert c.met(pod(node="n1"))
    assert c.final(pod(node="n1")) is None
    assert not c.met(pod(node="n2"))
    assert c.final(pod(node="n2")) == "it was scheduled on n2"
    assert not c.met(pod(node=None))
    assert c.final(pod(node=None)) is None
    assert not c.met(None) and c.final(None) is None


def test_pod_scheduled_anywhere():
    c = conditions.pod_scheduled()
    assert c.met(pod(node="n3"))
    assert not c.met(pod(node=None))
    assert not c.met(None)


def test_container_last_terminated_waits_for_the_replaced_instance_in_last_state():
    def restarted(count, last):
        cs = container_status("app", running=True, restarts=count)
        cs.last_state = client.V1ContainerState(
            terminated=client.V1ContainerStateTerminated(exit_code=137) if last else None)
        return pod(phase="Running", statuses=[cs])

    c = conditions.container_last_terminated("app")
    assert not c.met(restarted(1, last=False))     # restartCount already 1, lastState not yet
    assert c.met(restarted(1, last=True))
    assert not c.met(restarted(2, last=True))      # a later instance: not the one asked about
    assert not c.met(None)
    assert conditions.container_last_terminated("app", None).met(restarted(3, last=True))
    assert not conditions.container_last_terminated("app", None).met(restarted(0, last=True))


def test_container_restarted():
    c = conditions.container_restarted("app", 2)
    assert not c.met(pod(phase="Running", statuses=[container_status("app", running=True, restarts=1)]))
    assert c.met(pod(phase="Running", statuses=[container_status("app", running=True, restarts=2)]))
    assert c.met(pod(phase="Running", statuses=[container_status("app", running=True, restarts=5)]))
    assert not c.met(pod(phase="Running", statuses=[container_status("other", restarts=9)]))
    assert not c.met(pod(phase="Pending"))
    assert not c.met(None)
    assert c.final(pod(phase="Succeeded")) == "the pod reached final phase Succeeded"


def _instance(container_id, restarts, last_exit=None):
    cs = container_status("app", running=True, restarts=restarts)
    cs.container_id = container_id
    if last_exit is not None:
        cs.last_state = client.V1ContainerState(terminated=client.V1ContainerStateTerminated(
            exit_code=last_exit, finished_at=dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.timezone.utc)))
    return pod(phase="Running", statuses=[cs])


def test_a_restart_the_kubelet_does_not_count_ends_the_wait_naming_the_evidence():
    """Seen twice in a row, as one status may lag: a new container id with restartCount at 0 (a
    kubelet that does not count restarts)."""
    c = conditions.container_restarted("app", 1)
    assert c.final(_instance("containerd://aaa", 0)) is None
    assert c.final(_instance("containerd://bbb", 0, last_exit=1)) is None          # once: may lag
    assert c.final(_instance("containerd://bbb", 0, last_exit=1)) == (
        "container app was restarted (ids containerd://aaa, containerd://bbb, lastState exit 1 at 20:00:00) "
        "but restartCount stays 0")


def test_an_init_containers_uncounted_restarts_are_read_from_its_init_status():
    """I2's failing init container: the evidence is in initContainerStatuses, not containerStatuses."""
    final = conditions.restarts_uncounted("app", init=True)

    def init_instance(container_id, restarts):
        cs = container_status("app", restarts=restarts)
        cs.container_id = container_id
        return pod(phase="Pending", init_statuses=[cs])
    assert final(_instance("containerd://main", 0)) is None         # an app container of that name: not looked at
    assert final(init_instance("containerd://aaa", 0)) is None
    assert final(init_instance("containerd://bbb", 1)) is None       # counted
    assert final(init_instance("containerd://ccc", 1)) is None       # once: may lag
    assert final(init_instance("containerd://ccc", 1)) == (
        "container app was restarted (ids containerd://aaa, containerd://bbb, containerd://ccc) but restartCount stays 1")


def test_the_instance_a_kubelet_killed_shown_in_last_state_before_the_next_starts_is_no_evidence():
    """Recorded from a healthy kubelet: a failing postStart hook; the container waits with reason
    PostStartHookError, lastState exit 137, restartCount 0, until the next instance starts."""
    c = conditions.container_restarted("app", 1)
    killed = _instance("containerd://aaa", 0, last_exit=137)
    killed.status.container_statuses[0].state = client.V1ContainerState(
        waiting=client.V1ContainerStateWaiting(reason="PostStartHookError"))
    for _ in range(3):
        assert c.final(killed) is None


def test_a_counted_restart_or_a_lag_of_one_status_is_no_evidence():
    c = conditions.container_restarted("app", 2)
    for state in (_instance("containerd://aaa", 0), _instance("containerd://bbb", 1, last_exit=1),
                  _instance("containerd://bbb", 1, last_exit=1), _instance("containerd://ccc", 1, last_exit=1),
                  _instance("containerd://ccc", 2, last_exit=1)):
        assert c.final(state) is None


def test_container_waiting_reason_in_containers_and_init_containers():
    crash = container_status("app", waiting="CrashLoopBackOff", restarts=3)
    c = conditions.container_waiting("app", "CrashLoopBackOff")
    assert c.met(pod(phase="Running", statuses=[crash]))
    assert not c.met(pod(phase="Running", statuses=[container_status("app", waiting="ContainerCreating")]))
    assert not c.met(pod(phase="Running", statuses=[container_status("app", running=True)]))
    assert not c.met(pod(phase="Pending", init_statuses=[crash]))
    assert c.final(pod(phase="Failed", statuses=[crash])) == "the pod reached final phase Failed"

    init = conditions.container_waiting("app", "CrashLoopBackOff", init=True)
    assert init.met(pod(phase="Pending", init_statuses=[crash]))
    assert not init.met(pod(phase="Pending", statuses=[crash]))


def test_container_terminated():
    c = conditions.container_terminated("app")
    assert c.met(pod(phase="Running", statuses=[container_status("app", terminated="Error", exit_code=1)]))
    assert not c.met(pod(phase="Running", statuses=[container_status("app", running=True)]))
    init = conditions.container_terminated("init", init=True)
    assert init.met(pod(init_statuses=[container_status("init", terminated="Completed")]))
    assert not init.met(pod(statuses=[container_status("init", terminated="Completed")]))


def test_endpoints_exactly_counts_only_ready_endpoints():
    c = conditions.endpoints_exactly({"10.0.0.1", "10.0.0.2"}, port=80)
    ready = [endpoint_slice("s1", [("10.0.0.1", True), ("10.0.0.3", False)]),
             endpoint_slice("s2", [("10.0.0.2", None)])]
    assert c.met(ready)
    assert not c.met([endpoint_slice("s1", [("10.0.0.1", True), ("10.0.0.2", False)])])
    assert not c.met([endpoint_slice("s1", [("10.0.0.1", True), ("10.0.0.2", True), ("10.0.0.9", True)])])
    assert not c.met([endpoint_slice("s1", [("10.0.0.1", True), ("10.0.0.2", True)], ports=(8080,))])
    assert not c.met([])
    assert not c.met(None)
    assert c.description == "listing exactly ['10.0.0.1', '10.0.0.2'] on port 80"


def test_endpoints_exactly_none_when_all_are_not_ready():
    c = conditions.endpoints_exactly(set())
    assert c.met([endpoint_slice("s1", [("10.0.0.1", False)])])
    assert not c.met([endpoint_slice("s1", [("10.0.0.1", True)])])
    assert c.met([])


def test_gone_present_terminating():
    alive, deleting = pod(), pod(deleting=True)
    assert conditions.gone().met(None) and not conditions.gone().met(alive)
    assert conditions.present().met(alive) and not conditions.present().met(None)
    t = conditions.terminating()
    assert t.met(deleting)
    assert not t.met(alive)
    assert not t.met(None)


def test_text_contains():
    c = conditions.text_contains("got SIGTERM")
    assert c.met("started\ngot SIGTERM\n")
    assert not c.met("started\n")
    assert not c.met(None)
    assert not c.met("")
    assert c.description == "containing 'got SIGTERM'"


def test_readers():
    p = pod(statuses=[container_status("app", restarts=4)], init_statuses=[container_status("init")],
            conditions=[("Ready", "False")])
    assert conditions.restart_count(p, "app") == 4
    assert conditions.restart_count(p, "nope") is None
    assert conditions.container_status(p, "init", init=True).name == "init"
    assert conditions.container_status(p, "init") is None
    assert conditions.find_condition(p, "Ready").status == "False"
    assert conditions.find_condition(p, "Initialized") is None
    assert conditions.find_condition(None, "Ready") is None


def test_slices_never_made_give_up_once_the_bound_has_passed_with_none_seen():
    now = [100.0]
    c = conditions.slices_made_within(conditions.endpoints_exactly({"10.0.0.1"}), 30, clock=lambda: now[0])
    assert c.final([]) is None
    now[0] = 129.0
    assert c.final([]) is None
    now[0] = 130.0
    assert c.final([]) == ("no EndpointSlice at all after 30 s: the control plane makes one for every Service "
                           "with a selector as soon as the Service exists (an empty one while no pod is ready)")


def test_an_empty_slice_once_seen_leaves_the_wait_to_its_timeout():
    from types import SimpleNamespace as NS
    now = [0.0]
    c = conditions.slices_made_within(conditions.endpoints_exactly({"10.0.0.1"}), 30, clock=lambda: now[0])
    assert c.final([NS(endpoints=None, ports=None)]) is None
    now[0] = 300.0
    assert c.final([]) is None and not c.met([])
    assert c.description == "listing exactly ['10.0.0.1']"
