"""The conditions over nodes, deployments, EndpointSlices and time (all_of, throughout)."""

import time
from types import SimpleNamespace

from kubernetes import client

from fixtures import conditions as c
import kubeobjects as k


def _node_with(conditions=(), taints=()):
    return client.V1Node(
        metadata=client.V1ObjectMeta(name="n"),
        spec=client.V1NodeSpec(taints=[client.V1Taint(key=key, effect=effect) for key, effect in taints] or None),
        status=client.V1NodeStatus(conditions=[client.V1NodeCondition(type=t, status=s) for t, s in conditions]))


def test_node_condition_matches_type_and_status():
    cond = c.node_condition("Ready", "Unknown")
    assert cond.met(_node_with([("Ready", "Unknown")]))
    assert not cond.met(_node_with([("Ready", "True")]))
    assert not cond.met(None)
    assert cond.description == "Ready=Unknown"


def test_node_tainted_matches_key_and_optionally_effect():
    node = _node_with(taints=[("node.kubernetes.io/unreachable", "NoExecute")])
    assert c.node_tainted("node.kubernetes.io/unreachable").met(node)
    assert c.node_tainted("node.kubernetes.io/unreachable", "NoExecute").met(node)
    assert not c.node_tainted("node.kubernetes.io/unreachable", "NoSchedule").met(node)
    assert not c.node_tainted("other").met(node)


def test_node_untainted_holds_once_no_taint_has_the_key():
    assert not c.node_untainted("node.kubernetes.io/unreachable").met(
        _node_with(taints=[("node.kubernetes.io/unreachable", "NoSchedule")]))
    assert c.node_untainted("node.kubernetes.io/unreachable").met(_node_with(taints=[("other", "NoSchedule")]))
    assert c.node_untainted("node.kubernetes.io/unreachable").met(_node_with(taints=[]))
    assert not c.node_untainted("x").met(None)


def test_deployment_available_needs_all_replicas_available_and_updated():
    def dep(replicas, updated, available):
        return SimpleNamespace(status=SimpleNamespace(replicas=replicas, updated_replicas=updated,
                                                      available_replicas=available))
    cond = c.deployment_available(2)
    assert cond.met(dep(2, 2, 2))
    assert not cond.met(dep(2, 2, 1))
    assert not cond.met(dep(3, 2, 2)), "a rollout in progress (3 replicas) is not 'available with 2'"
    assert not cond.met(None)


def test_endpoint_not_ready_needs_the_address_listed_with_ready_false():
    cond = c.endpoint_not_ready("10.0.0.1")
    assert cond.met([k.endpoint_slice("s", [("10.0.0.1", False)])])
    assert not cond.met([k.endpoint_slice("s", [("10.0.0.1", True)])])
    assert not cond.met([k.endpoint_slice("s", [("10.0.0.2", False)])])
    assert not cond.met([])


def test_container_started_reads_the_started_flag():
    started = k.container_status("app", running=True)
    started.started = True
    not_started = k.container_status("app", running=True)
    not_started.started = False
    assert c.container_started("app").met(k.pod(phase="Running", statuses=[started]))
    assert not c.container_started("app").met(k.pod(phase="Running", statuses=[not_started]))
    assert c.container_started("app", False).met(k.pod(phase="Running", statuses=[not_started]))


def test_all_of_needs_every_condition_and_gives_up_with_the_first_reason():
    both = c.all_of(c.pod_phase("Running"), c.pod_scheduled_on("n1"))
    assert both.met(k.pod(phase="Running", node="n1"))
    assert not both.met(k.pod(phase="Running", node=None))
    assert both.final(k.pod(phase="Running", node="n2")) == "it was scheduled on n2"
    assert "in phase Running and scheduled on node n1" == both.description


def test_throughout_holds_only_after_the_time_and_gives_up_when_broken():
    cond = c.throughout(0.2, c.pod_phase("Running"))
    running = k.pod(phase="Running")
    assert not cond.met(running), "met on the first observation, before any time passed"
    time.sleep(0.25)
    assert cond.met(running)
    broken = c.throughout(5, c.pod_phase("Running"))
    broken.met(running)
    why = broken.final(k.pod(phase="Pending"))
    assert why and why.startswith("it was not"), why
    assert broken.final(running) is None


def test_endpoint_conditions_needs_every_named_condition_of_the_address():
    es = k.endpoint_slice("s", [("10.0.0.3", False), ("10.0.0.4", True)])
    es.endpoints[0].conditions.serving, es.endpoints[0].conditions.terminating = True, True
    draining = c.endpoint_conditions("10.0.0.3", ready=False, serving=True, terminating=True)
    assert draining.met([es]) and draining.description == "listing 10.0.0.3 with ready: false, serving: true, terminating: true"
    assert not c.endpoint_conditions("10.0.0.3", serving=False).met([es])
    assert not c.endpoint_conditions("10.0.0.4", terminating=True).met([es])     # None is not True
    assert not draining.met([]) and not draining.met(None)


def test_described_keeps_what_a_condition_checks_and_says_what_it_means():
    ready_false = c.pod_condition("Ready", "False")
    named = c.described(ready_false, "Ready=False, by its probe")
    assert named.description == "Ready=False, by its probe"
    assert (named.met, named.final) == (ready_false.met, ready_false.final)


def test_a_broken_throughout_says_which_part_broke_and_what_the_container_showed_instead():
    import datetime as dt
    cond = c.throughout(10, c.all_of(c.container_started("main", False), c.container_restart_count("main", 0)))
    quiet = k.pod(phase="Running", statuses=[k.container_status("main", running=True)])
    assert cond.final(quiet) is None
    restarted = k.container_status("main", running=True, restarts=1)
    restarted.last_state = client.V1ContainerState(terminated=client.V1ContainerStateTerminated(
        exit_code=137, reason="Error", finished_at=dt.datetime(2026, 12, 5, 12, 0, 1, tzinfo=dt.timezone.utc)))
    why = cond.final(k.pod(phase="Running", statuses=[restarted]))
    assert why.startswith("it was not, "), why
    assert why.endswith("s into the 10s: not with restartCount 0 (container main) (container main is running, "
                        "started False, restartCount 1, its last instance ended exit 137 (Error) at 12:00:01)"), why
