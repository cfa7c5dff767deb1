"""Node scheduling (the guide's "Node Schedule 활용 - taint, tolerations"): nodeSelector,
node labels, nodeName, taints and tolerations. Node names come from the cluster: the guide's
k8s-node1..3 are played by the nodes that take ordinary pods (fixtures/topology.py); a behaviour
shown with two different nodes needs two of them, one shown on a node needs only one."""

import copy
import time

import pytest

from fixtures import conditions as c
from fixtures import node_state, pods
from fixtures.errors import ConditionImpossible, WaitTimeout
from fixtures.node_state import CONTROL_PLANE_ROLE
from fixtures.proof import CANNOT_PROVE_HERE
from fixtures.topology import GUIDE_WORKERS
from fixtures.waiting import Polled

WORKER_ROLE = "node-role.kubernetes.io/worker"
# Keys of the suite's own, where the guide's exact key does not matter.
EVICT_KEY = "pod-conformance/evict"
AVOID_KEY = "pod-conformance/avoid"
SLEEP = ["sleep", "3600"]
STAYS_S = 5         # how long a pod the taint must leave alone is watched to stay
# Placement is shown by this many pods that must all land on the node (a scheduler that ignores
# the selector passes with one pod by luck 1 time in 3, with four 1 in 81), and a control pod
# whose selector names another node, which must land there (a scheduler that sends every pod to
# one node, whatever the selector, fails on it).
PLACED_PODS = 4
# The scheduler learns of a new taint from its watch of nodes, a moment after the API server has
# stored it; a pod created within that moment is placed on the node as it was (seen: a pod
# scheduled 60 ms after the taint, with two runs loading a 2-core machine). There is nothing to
# watch for it, so tests that create pods right after tainting give the scheduler this long.
SCHEDULER_SEES_S = 1


@pytest.fixture
def workers(namespace, topology, cluster, timeouts) -> list[str]:
    """The nodes that play the guide's k8s-node1..3 (up to three different ones). They must all
    take pods: one that is NotReady, or has been cordoned or tainted by someone else since the
    run began, is a broken cluster (a botched upgrade leaves one so), which fails the test rather
    than skipping it. Read within the test's hold on the cluster (`namespace`), where no
    node-mutating test of a live run has a node changed. A node that is Ready again gets the
    moment the node controller takes to lift its NotReady taints."""
    if not topology.workers:
        pytest.skip(f"{CANNOT_PROVE_HERE}{topology.too_few(1)}")
    stands_for = dict(zip(GUIDE_WORKERS, topology.workers))
    nodes = node_state.once_recovered(lambda: cluster.core.list_node().items, set(stands_for.values()),
                                      timeouts(node_state.LIFTED_WITHIN_S))
    unfit = node_state.unfit_workers(stands_for, nodes)
    if unfit:
        lingered = (f" (the node controller kept its taints on a Ready node for "
                    f"{timeouts(node_state.LIFTED_WITHIN_S):g} s)"
                    if any(node_state.recovering(n) for n in nodes if n.metadata.name in stands_for.values()) else "")
        pytest.fail("; ".join(unfit) + lingered + "; the nodes that play the guide's workers must take pods: "
                    "untaint, uncordon or repair the node", pytrace=False)
    return list(stands_for.values())


def _two(topology, first: str, second: str) -> tuple[str, str]:
    """The different nodes that play the guide's `first` and `second`, or NOT PROVEN here."""
    found = topology.distinct(first, second)
    if found is None:
        pytest.skip(f"{CANNOT_PROVE_HERE}{topology.too_few(2)}")
    return found[0], found[1]


def _pinned(name: str, node: str, **fields) -> dict:
    return pods.pod(name, SLEEP, node_selector={"kubernetes.io/hostname": node}, **fields)


def _copies(doc: dict, count: int) -> list[dict]:
    """The document and count - 1 copies of it named NAME-2, NAME-3, ..."""
    name = doc["metadata"]["name"]
    out = [doc]
    for i in range(2, count + 1):
        copy_ = copy.deepcopy(doc)
        copy_["metadata"]["name"] = f"{name}-{i}"
        out.append(copy_)
    return out


def _control(doc: dict, selector: dict) -> dict:
    """A copy of doc named NAME-control, with its own nodeSelector."""
    control = copy.deepcopy(doc)
    control["metadata"]["name"] = f"{doc['metadata']['name']}-control"
    control["spec"]["nodeSelector"] = selector
    return control


def assert_placed(kube, wanted: dict[str, str], timeout: float) -> dict[str, str]:
    """Every pod of `wanted` (pod -> node) is scheduled on its node; one message lists every pod
    that is not. Returns where each landed."""
    placed = {}
    for name in wanted:
        try:
            placed[name] = kube.wait_pod(name, c.pod_scheduled(), timeout).spec.node_name
        except AssertionError as e:
            placed[name] = f"nowhere ({str(e).splitlines()[0]})"
    wrong = {name: node for name, node in placed.items() if node != wanted[name]}
    assert not wrong, "misplaced: " + ", ".join(f"{name} on {node}, wanted {wanted[name]}"
                                                for name, node in wrong.items()) + f"; all: {placed}"
    return placed


def _taint(node_ledger, timeouts, node: str, key: str, value: str | None, effect: str) -> None:
    node_ledger.taint(node, key, value, effect)
    time.sleep(timeouts(SCHEDULER_SEES_S))


def _running_on(node: str) -> c.Condition:
    def instead(pod):
        if pod is None:
            return "the pod is gone"
        if pod.metadata.deletion_timestamp is not None:
            why = c.find_condition(pod, "DisruptionTarget")
            by = f", DisruptionTarget {why.reason}: {why.message}" if why is not None and why.status == "True" else ""
            return f"marked for deletion at {pod.metadata.deletion_timestamp:%H:%M:%S}{by}"
        return f"{pod.status.phase} on {pod.spec.node_name}"
    return c.Condition(f"Running on {node} and not marked for deletion",
                       lambda pod: pod is not None and pod.status.phase == "Running" and pod.spec.node_name == node
                       and pod.metadata.deletion_timestamp is None, instead=instead)


def _stays_despite_the_taint(kube, name: str, node: str, taint: str, timeouts) -> None:
    """The pod tolerates `taint`: it stays Running on `node`. A failure names the taint manager
    when its eviction event or the pod's DisruptionTarget condition says it was the one."""
    try:
        kube.wait_pod(name, c.throughout(STAYS_S, _running_on(node)), timeouts(STAYS_S + 10))
    except (ConditionImpossible, WaitTimeout) as e:
        evictions = [f"{ev.reason}: {ev.message}" for ev in kube.events_for("Pod", name)
                     if ev.reason == "TaintManagerEviction"]
        if evictions or "DeletionByTaintManager" in str(e):
            raise AssertionError(f"pod/{name} was evicted by the taint manager although it tolerates {taint}"
                                 f" (events: {'; '.join(evictions) or 'none'}): {e}") from None
        raise


def _unschedulable_message(kube, name: str) -> str:
    pod = kube.wait_pod(name, c.pod_condition("PodScheduled", "False", reason="Unschedulable"),
                        kube.timeouts.pod_schedule)
    assert pod.status.phase == "Pending" and not pod.spec.node_name, \
        f"pod/{name} is {pod.status.phase} on {pod.spec.node_name!r} although the scheduler refused it"
    return c.find_condition(pod, "PodScheduled").message or ""


def _assert_refused_for_taint(message: str, *taints: tuple[str, str | None]) -> None:
    """The scheduler blames an untolerated taint, and where it still names taints, one of `taints` (key, value)."""
    assert "untolerated taint" in message, f"the scheduler's message does not blame a taint: {message!r}"
    if "untolerated taint {" in message:    # the scheduler named taints before kubernetes PR #134740
        named = [f"{{{key}: {value or ''}}}" for key, value in taints]
        assert any(n in message for n in named), \
            f"the scheduler's message does not name {' or '.join(k for k, _ in taints)}: {message!r}"


def _event_lines(kube, name: str) -> str:
    def reporter(e):
        return e.reporting_component or (e.source.component if e.source else None) or "?"
    return "\n".join(f"{e.reason} from {reporter(e)}: {e.message}" for e in kube.events_for("Pod", name))


def _events(kube, name: str) -> Polled:
    return Polled(lambda: _event_lines(kube, name), f"events of pod/{name}")


# -- nodeSelector, node labels, nodeName -------------------------------------------------

@pytest.mark.catalog("N1")
def test_sch_test1_lands_on_the_node_its_hostname_selector_names(kube, workers, topology, timeouts):
    """sch-test1 and three copies of it must all land on k8s-node1's stand-in; a copy whose
    selector names k8s-node2 must land there (PLACED_PODS)."""
    node, other = _two(topology, "k8s-node1", "k8s-node2")
    docs = _copies(kube.manifest("sch-test1")[0], PLACED_PODS)
    docs.append(_control(docs[0], {"kubernetes.io/hostname": other}))
    for doc in docs:
        kube.apply(doc)
    wanted = {d["metadata"]["name"]: node for d in docs[:-1]} | {docs[-1]["metadata"]["name"]: other}
    assert_placed(kube, wanted, timeouts.pod_schedule)
    pod = kube.wait_pod("sch-test1", c.pod_running(), timeouts.pod_start)
    assert pod.spec.node_name == node


@pytest.mark.catalog("N2")
@pytest.mark.node_mutation
def test_sch_test2_lands_on_the_node_labelled_cputype_gpu(kube, workers, topology, node_ledger, timeouts):
    """sch-test2 and three copies must all land on the node labelled cputype=gpu; a copy
    selecting cputype=cpu, the label of another node, must land there (PLACED_PODS)."""
    node, other = _two(topology, "k8s-node2", "k8s-node3")
    node_ledger.label(node, "cputype", "gpu")
    node_ledger.label(other, "cputype", "cpu")
    docs = _copies(kube.manifest("sch-test2")[0], PLACED_PODS)
    docs.append(_control(docs[0], {"cputype": "cpu"}))
    for doc in docs:
        kube.apply(doc)
    wanted = {d["metadata"]["name"]: node for d in docs[:-1]} | {docs[-1]["metadata"]["name"]: other}
    assert_placed(kube, wanted, timeouts.pod_schedule)
    kube.wait_pod("sch-test2", c.pod_running(), timeouts.pod_start)


@pytest.mark.catalog("N2")
@pytest.mark.node_mutation
def test_changing_a_node_label_needs_overwrite_and_key_dash_removes_it(kube, kubectl, workers, guide_nodes,
                                                                       node_ledger):
    """The guide relabels with `cpu-type=gpu2 --overwirte` and removes with `kubectl lable ...
    cpu-type-`: two typos, and a different key (cpu-type), which needs no --overwrite at all.
    This test changes the key it set, cputype, with the flag spelled right."""
    node = guide_nodes["k8s-node2"]

    def label():
        return (kube.core.read_node(node).metadata.labels or {}).get("cputype")

    node_ledger.track_label(node, "cputype")
    kubectl("label", "nodes", node, "cputype=gpu").check()
    assert label() == "gpu"

    refused = kubectl("label", "nodes", node, "cputype=gpu2")
    assert refused.returncode != 0, "kubectl label changed an existing label without --overwrite"
    assert "'cputype' already has a value (gpu), and --overwrite is false" in refused.stderr, \
        f"kubectl's refusal does not say why: {refused.stderr.strip()!r}"
    assert label() == "gpu", f"the refused relabel changed cputype to {label()!r}"

    kubectl("label", "nodes", node, "cputype=gpu2", "--overwrite").check()
    assert label() == "gpu2", f"cputype is {label()!r} after --overwrite, expected 'gpu2'"

    kubectl("label", "nodes", node, "cputype-").check()
    assert label() is None, f"cputype is still {label()!r} after `kubectl label nodes {node} cputype-`"


@pytest.mark.catalog("N2")
@pytest.mark.node_mutation
def test_a_node_role_kubernetes_io_worker_label_shows_as_the_node_s_role(kubectl, workers, guide_nodes, node_ledger):
    node = guide_nodes["k8s-node1"]
    node_ledger.track_label(node, WORKER_ROLE)
    kubectl("label", "node", node, f"{WORKER_ROLE}=worker").check()
    table = kubectl("get", "node", node).check().stdout.splitlines()
    header, row = table[0].split(), table[1].split()
    roles = dict(zip(header, row)).get("ROLES")
    assert roles == "worker", f"kubectl get node {node} shows ROLES {roles!r}, expected 'worker':\n" + "\n".join(table)


@pytest.mark.catalog("N3")
def test_sch_test3_runs_on_its_node_name_without_the_scheduler(kube, workers, guide_nodes, timeouts):
    """The scheduler's Scheduled event is looked for the same way on a pod that goes through
    the scheduler (pinned to the same node by nodeSelector), so its absence means something."""
    node = guide_nodes["k8s-node3"]
    kube.apply("sch-test3")
    kube.apply(_pinned("via-scheduler", node))
    pod = kube.wait_pod("sch-test3", c.pod_running(), timeouts.pod_start)
    assert pod.spec.node_name == node, f"sch-test3 runs on {pod.spec.node_name}, its nodeName is {node}"

    kube.wait(_events(kube, "via-scheduler"), c.text_contains("Scheduled from default-scheduler"),
              timeouts.pod_schedule)
    # The kubelet's Started event comes after a scheduler's event would have been written.
    events = kube.wait(_events(kube, "sch-test3"), c.text_contains("Started from kubelet"), timeouts.pod_start)
    scheduled = [line for line in events.splitlines() if line.startswith("Scheduled ")]
    assert not scheduled, f"sch-test3 has nodeName set and still went through a scheduler: {scheduled}"


# -- taints and tolerations --------------------------------------------------------------

@pytest.mark.catalog("N4")
@pytest.mark.node_mutation
def test_a_noschedule_taint_keeps_running_pods_and_holds_new_ones_until_it_is_removed(kube, workers, guide_nodes,
                                                                                      node_ledger, timeouts):
    """The catalog wants the scheduler's message to name the taint. Since kubernetes PR #134740
    (this cluster runs v1.36) pod status no longer carries taint keys or values: the message
    says "N node(s) had untolerated taint(s)". So the message is checked for that, the key only
    where the scheduler still names it, and the taint is shown to be the cause by removing it."""
    node = guide_nodes["k8s-node1"]
    key = f"kubernetes.io/{node}"        # the guide's `kubectl taint node k8s-node1 kubernetes.io/k8s-node1:NoSchedule`
    kube.apply(_pinned("resident", node))
    kube.wait_pod("resident", c.pod_running(), timeouts.pod_start)

    _taint(node_ledger, timeouts, node, key, None, "NoSchedule")
    kube.apply(_pinned("newcomer", node))
    _assert_refused_for_taint(_unschedulable_message(kube, "newcomer"), (key, None))

    resident = kube.wait_pod("resident", c.throughout(STAYS_S, _running_on(node)), timeouts(STAYS_S + 10))
    assert c.restart_count(resident, "main") == 0, "the pod already on the node was restarted by the taint"

    node_ledger.untaint(node, key, "NoSchedule")
    kube.wait_pod("newcomer", c.pod_scheduled_on(node), timeouts.pod_schedule)
    kube.wait_pod("newcomer", c.pod_running(), timeouts.pod_start)


@pytest.mark.catalog("N4")
def test_the_control_plane_node_carries_the_control_plane_noschedule_taint(cluster, topology):
    """Where control-plane nodes are the only nodes that take pods (a single-node cluster: kind's
    default, minikube, Docker Desktop), their owner has lifted the taint on purpose."""
    control = [n for n in cluster.core.list_node().items if CONTROL_PLANE_ROLE in (n.metadata.labels or {})]
    if not control:
        pytest.skip(f"{CANNOT_PROVE_HERE}no node has the {CONTROL_PLANE_ROLE} label (a managed cluster hides its "
                    f"control plane)")
    names = {n.metadata.name for n in control}
    if topology.workers and set(topology.workers) <= names:
        pytest.skip(f"{CANNOT_PROVE_HERE}the control plane ({', '.join(sorted(names))}) is where this cluster runs "
                    f"its pods, so it is left untainted on purpose")
    for node in control:
        taints = [f"{t.key}:{t.effect}" for t in node.spec.taints or []]
        assert f"{CONTROL_PLANE_ROLE}:NoSchedule" in taints, \
            f"control-plane node {node.metadata.name} has taints {taints or 'none'}"


@pytest.mark.catalog("N4", "N5")
def test_a_node_already_tainted_noschedule_takes_a_pinned_pod_only_with_a_matching_toleration(kube, timeouts):
    """N4 and N5 without changing a node, for clusters where node mutation is not allowed: on a
    node that already carries a NoSchedule taint someone other than the suite put there (the
    control-plane node, where it has one), a pod pinned to it by hostname without a toleration is
    refused for an untolerated taint, and the same pod tolerating the node's NoSchedule taints
    lands there: the taint, not the pinning, refused the first. The node is Ready, so the second
    must also run. What this cannot show (the taint's arrival leaving running pods alone, its
    removal letting a held pod in) the node_mutation tests show where nodes may change."""
    found = node_state.reserved_by_noschedule(kube.core.list_node().items)
    if found is None:
        pytest.skip(f"{CANNOT_PROVE_HERE}no Ready node carries a NoSchedule taint that the suite did not put there "
                    f"(a visible control-plane node usually does); N4 and N5 need one, or --allow-node-mutation")
    node, taints = found
    name = node.metadata.name
    hostname = (node.metadata.labels or {}).get("kubernetes.io/hostname", name)
    intolerant = pods.pod("without-toleration", SLEEP, node_selector={"kubernetes.io/hostname": hostname})
    tolerant = pods.pod("with-toleration", SLEEP, node_selector={"kubernetes.io/hostname": hostname})
    tolerant["spec"]["tolerations"] = [
        {"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect} if t.value
        else {"key": t.key, "operator": "Exists", "effect": t.effect} for t in taints]
    kube.timeline.note(f"node/{name}", "taken as tainted: " + ", ".join(node_state.taint_text(t) for t in taints))
    kube.apply(intolerant)
    kube.apply(tolerant)

    kube.wait_pod("with-toleration", c.pod_scheduled_on(name), timeouts.pod_schedule)
    _assert_refused_for_taint(_unschedulable_message(kube, "without-toleration"), *((t.key, t.value) for t in taints))
    kube.wait_pod("with-toleration", c.pod_running(), timeouts.pod_start)


@pytest.mark.catalog("N5")
@pytest.mark.node_mutation
def test_sch_test4_tolerates_the_cputype_gpu_taint_and_a_pod_without_the_toleration_does_not(
        kube, workers, guide_nodes, node_ledger, timeouts):
    node = guide_nodes["k8s-node1"]
    node_ledger.label(node, "cputype", "gpu")
    _taint(node_ledger, timeouts, node, "cputype", "gpu", "NoSchedule")

    intolerant = kube.manifest("sch-test4")[0]
    intolerant["metadata"]["name"] = "sch-test4-without-toleration"
    del intolerant["spec"]["tolerations"]
    kube.apply("sch-test4")
    kube.apply(intolerant)

    kube.wait_pod("sch-test4", c.pod_scheduled_on(node), timeouts.pod_schedule)
    kube.wait_pod("sch-test4", c.pod_running(), timeouts.pod_start)
    _assert_refused_for_taint(_unschedulable_message(kube, "sch-test4-without-toleration"), ("cputype", "gpu"))


@pytest.mark.catalog("N6")
@pytest.mark.node_mutation
def test_a_noexecute_taint_evicts_running_pods_that_do_not_tolerate_it(kube, workers, guide_nodes, node_ledger,
                                                                       timeouts):
    node = guide_nodes["k8s-node1"]
    tolerant = _pinned("tolerant", node, grace_period=1)
    tolerant["spec"]["tolerations"] = [{"key": EVICT_KEY, "operator": "Exists", "effect": "NoExecute"}]
    kube.apply(tolerant)
    kube.apply(_pinned("intolerant", node, grace_period=1))
    for name in ("intolerant", "tolerant"):
        kube.wait_pod(name, c.pod_running(), timeouts.pod_start)

    node_ledger.taint(node, EVICT_KEY, "x", "NoExecute")
    evicted = kube.wait_pod("intolerant", c.terminating(), timeouts.pod_schedule)
    why = c.find_condition(evicted, "DisruptionTarget")
    assert why is not None and why.status == "True" and why.reason == "DeletionByTaintManager", \
        f"pod/intolerant is being deleted, but not by the taint manager: DisruptionTarget {why}"
    kube.wait_pod("intolerant", c.gone(), timeouts.delete(1))
    _stays_despite_the_taint(kube, "tolerant", node, f"{EVICT_KEY}:NoExecute", timeouts)


@pytest.mark.node_mutation
@pytest.mark.parametrize("effect", [
    pytest.param("NoSchedule", id="NoSchedule", marks=pytest.mark.catalog("N4")),
    pytest.param("PreferNoSchedule", id="PreferNoSchedule", marks=pytest.mark.catalog("N6")),
])
def test_pods_without_a_toleration_avoid_a_tainted_node_while_other_nodes_fit(kube, workers, topology, node_ledger,
                                                                              timeouts, effect):
    """PreferNoSchedule is a score, not a filter: the tainted node only loses points. The
    other workers are free and the pods ask for nothing, so no other score comes close."""
    tainted, _ = _two(topology, "k8s-node1", "k8s-node2")
    _taint(node_ledger, timeouts, tainted, AVOID_KEY, "x", effect)
    names = [f"spread-{i}" for i in range(6)]
    for name in names:
        kube.apply(pods.pod(name, SLEEP))
    placed = {name: kube.wait_pod(name, c.pod_scheduled(), timeouts.pod_schedule).spec.node_name for name in names}
    on_tainted = sorted(n for n, node in placed.items() if node == tainted)
    assert not on_tainted, f"{on_tainted} went to {tainted} despite its {effect} taint; placement: {placed}"


@pytest.mark.catalog("N6")
@pytest.mark.node_mutation
def test_a_prefernoschedule_node_takes_a_pod_no_other_node_fits(kube, workers, topology, node_ledger, timeouts):
    """PLACED_PODS pods pinned to the PreferNoSchedule node must all land there, and a control
    pod pinned to another worker there."""
    node, other = _two(topology, "k8s-node1", "k8s-node2")
    node_ledger.taint(node, AVOID_KEY, "x", "PreferNoSchedule")
    docs = _copies(_pinned("only-there", node), PLACED_PODS)
    docs.append(_control(docs[0], {"kubernetes.io/hostname": other}))
    for doc in docs:
        kube.apply(doc)
    wanted = {d["metadata"]["name"]: node for d in docs[:-1]} | {docs[-1]["metadata"]["name"]: other}
    assert_placed(kube, wanted, timeouts.pod_schedule)


# -- beyond the guide: tolerationSeconds (X4) ---------------------------------------------------

MAINTENANCE_KEY = "pod-conformance/maintenance"
EVICTION_BOUND_S = 10      # the taint manager evicts on a timer set for the pod's tolerationSeconds
STAYS_AFTER_S = 5          # how long past its tolerationSeconds a pod whose eviction was cancelled is watched


def _toleration_s(doc: dict) -> int:
    return doc["spec"]["tolerations"][0]["tolerationSeconds"]


def _tolerated(node: str, watched_s: float, toleration_s: int, since: str = "") -> c.Condition:
    stays = c.throughout(watched_s, _running_on(node))
    return c.described(stays, f"left on {node} by the taint manager, for {watched_s:.0f} s of its tolerationSeconds "
                              f"{toleration_s}{' ' + since if since else ''}")


@pytest.mark.catalog("X4")
@pytest.mark.node_mutation
@pytest.mark.slow(25)
def test_a_noexecute_taint_evicts_a_pod_after_its_toleration_seconds_and_removing_it_cancels_that(
        kube, workers, guide_nodes, node_ledger, timeouts):
    node = guide_nodes["k8s-node1"]
    brief, longer = kube.manifest("beyond/toleration-seconds")
    kube.apply([brief, longer])
    for doc in (brief, longer):
        kube.wait_pod(doc["metadata"]["name"], c.pod_running(), timeouts.pod_start)

    node_ledger.taint(node, MAINTENANCE_KEY, None, "NoExecute")
    tainted = time.monotonic()
    brief_s, longer_s = _toleration_s(brief), _toleration_s(longer)
    # The taint manager times a pod's eviction from when it sees the taint: watched from the
    # taint's write on this clock, the pod must stay for its tolerationSeconds (less a second for
    # the watch) and go within the bound after.
    kube.wait_pod(brief["metadata"]["name"], _tolerated(node, brief_s - 1, brief_s), timeouts(brief_s + 10))
    evicted = kube.wait_pod(brief["metadata"]["name"], c.terminating(), timeouts(EVICTION_BOUND_S))
    why = c.find_condition(evicted, "DisruptionTarget")
    assert why is not None and why.reason == "DeletionByTaintManager", \
        f"pod/{brief['metadata']['name']} is being deleted, but not by the taint manager: DisruptionTarget {why}"

    node_ledger.untaint(node, MAINTENANCE_KEY, "NoExecute")
    removed_after = time.monotonic() - tainted
    assert removed_after < longer_s - 5, \
        f"the taint was removed only {removed_after:.0f} s after it was added: too late to show a cancelled eviction"
    stay = longer_s + STAYS_AFTER_S - removed_after
    kube.wait_pod(longer["metadata"]["name"], _tolerated(node, stay, longer_s, "and the taint's removal"),
                  timeouts(stay + 10))
