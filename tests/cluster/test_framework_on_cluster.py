"""The framework on a real cluster: deliberately wrong tests fail with messages a person reads
without the code, with the cluster's evidence attached, and nothing is left behind."""

import contextlib
import re
import textwrap
from pathlib import Path

import pytest
import urllib3
from kubernetes import client
from kubernetes.client.rest import ApiException

from fixtures import aside, conditions as c, costs, namespaces, nodes, pods
from fixtures.coordination import INSIDE_ENV
from fixtures.coordination.leases import NAMESPACE as LEASES_NAMESPACE, RUN_LABEL
from fixtures.run import PERMISSIONS

ROOT = Path(__file__).resolve().parents[2]

WRONG_TESTS = textwrap.dedent('''
    import time
    import pytest
    from fixtures import conditions as c, pods

    def test_wrong_restart_count(kube):
        kube.apply(pods.pod("steady", ["sleep", "3600"]))
        kube.wait_pod("steady", c.pod_running())
        kube.wait_pod("steady", c.container_restarted("main", 1), 4)

    def test_wrong_node(kube, guide_nodes):
        kube.apply(pods.pod("placed", ["sleep", "3600"],
                            node_selector={"kubernetes.io/hostname": guide_nodes["k8s-node1"]}))
        kube.wait_pod("placed", c.pod_scheduled_on("a-node-it-does-not-select"))

    def test_shorter_grace_period(kube, timeouts):
        kube.apply(pods.pod("slow-to-die", pods.IGNORES_SIGTERM, grace_period=6))
        kube.wait_pod("slow-to-die", c.pod_running())
        started = time.monotonic()
        kube.delete_pod("slow-to-die")
        kube.wait_pod("slow-to-die", c.gone(), 2)
''')


@pytest.fixture
def run_inner(pytester, run, cluster, monkeypatch):
    """Run pytest on a test file of our own against the same cluster, as a user would, with this
    run's Pod Security level (a cluster that enforces one by default refuses the guide's pods
    without it) and its permissions (on a cluster the suite did not create, a flag allowed this
    run to change nodes, and without it the inner run's tests that do would skip)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeini((ROOT / "pytest.ini").read_text().replace("testpaths = suites tests", "testpaths = ."))
    level = run.value("pod_security_level")
    permissions = [f"--{'' if run.permission(setting)[0] else 'no-'}{setting.replace('_', '-')}"
                   for setting in PERMISSIONS]

    def run_(source: str, *args: str):
        pytester.makepyfile(test_inner=source)
        return pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--kubeconfig={cluster.kubeconfig}",
                                             "-p", "no:cacheprovider", *permissions,
                                             *([f"--pod-security-level={level}"] if level else []), *args,
                                             timeout=600)
    return run_


def _run_id(output: str) -> str:
    return re.search(r"pod-conformance run id: (\S+)", output).group(1)


# Not aside, nor is its inner run: an inner run beside the tests that hold the cluster alone
# slowed the crash tests among them by a third (make bench, docs/figures.md). 32-54 s measured.
@pytest.mark.slow(45)
def test_deliberately_wrong_tests_fail_with_readable_messages_and_evidence(run_inner, cluster):
    result = run_inner(WRONG_TESTS)
    out = result.stdout.str()
    result.assert_outcomes(failed=3)
    assert re.search(r"timed out after \d+\.\ds \(limit 4s\) waiting for pod/steady to be restarted 1 time\(s\) "
                     r"or more \(container main\); last seen: Running .*main=running", out), out[-3000:]
    assert re.search(r"gave up waiting for pod/placed to be scheduled on node \S+: it was scheduled on \S+", out), \
        out[-3000:]
    assert re.search(r"waiting for pod/slow-to-die to be gone; last seen: Running terminating", out), out[-3000:]
    for section in ("cluster evidence: timeline", "cluster evidence: events in", "cluster evidence: log steady/main"):
        assert section in out, f"no '{section}' in the failure report"
    assert "delete requested" in out, "the timeline does not show the test's own delete"
    left = namespaces.remaining(cluster.core, _run_id(out))
    assert not left, f"the failed tests left namespaces behind: {left}"


CRASHING_TESTS = textwrap.dedent('''
    import os
    import pytest

    PAUSE = False

    @pytest.mark.node_mutation
    @pytest.mark.disruptive
    def test_crash(node_ledger, request, guide_nodes):
        node_ledger.label(guide_nodes["k8s-node1"], "pod-conformance-test/crashed", "left")
        if PAUSE:
            request.getfixturevalue("node_disruptor").pause(guide_nodes["k8s-node1"])
        os._exit(1)

    @pytest.mark.node_mutation
    def test_next_alone_test_finds_the_node_mended(node_ledger, guide_nodes, cluster):
        labels = cluster.core.read_node(guide_nodes["k8s-node1"]).metadata.labels
        assert "pod-conformance-test/crashed" not in labels, "the crashed test's label is still there"

    def test_ok(kube):
        pass
''')


def _node_disruptor(request):
    """The node disruptor and "", or None and why this run may not stop a node."""
    try:
        return request.getfixturevalue("node_disruptor"), ""
    except pytest.skip.Exception as e:
        return None, str(e)


@pytest.mark.node_mutation
@pytest.mark.disruptive
@pytest.mark.slow(20)
def test_a_worker_that_crashes_in_a_test_leaves_nothing_behind(node_ledger, request, run_inner, run, cluster,
                                                                guide_nodes, timeouts, monkeypatch):
    """Nobody deleted the crashed test's namespace (the run waited its whole namespace timeout for
    it at its end) nor put its node back, nor removed the worker's Lease, until another run came;
    then the node was put back only at the run's end, and the next alone test found it changed.
    A kubelet the crashed test had paused stayed paused for the rest of the run: the crashed
    worker's other tests, queued again on another worker, and every test with a pod on that node,
    failed on a healthy cluster. The inner run takes its turns within this test's hold of the
    cluster, or within the turn this run is in (a script's, which holds the cluster alone)."""
    monkeypatch.setenv(INSIDE_ENV, run.inside or run.member.holder)
    node = guide_nodes["k8s-node1"]
    disruptor, why_not = _node_disruptor(request)
    resumed = False
    try:
        result = run_inner(CRASHING_TESTS.replace("PAUSE = False", f"PAUSE = {disruptor is not None}"),
                           "-n", "1")     # the others run on the worker that replaces the crashed one
        out = result.stdout.str()
        assert "the crashed test's label is still there" not in out, out[-3000:]
        result.assert_outcomes(failed=1, passed=2)
        assert re.search(r"worker 'gw\d' crashed while running '.*test_crash'", out), out[-3000:]
        assert re.search(r"removed namespace pc-test-crash-\S+ at the run's end", out), out[-3000:]
        run_id = _run_id(out)
        assert not namespaces.remaining(cluster.core, run_id)
        leases = client.CoordinationV1Api(cluster.api).list_namespaced_lease(LEASES_NAMESPACE,
                                                                             label_selector=f"{RUN_LABEL}={run_id}")
        left = [lease.metadata.name for lease in leases.items]
        assert not left, f"the run left Leases: {left}"
        changed = cluster.core.read_node(node)
        assert "pod-conformance-test/crashed" not in changed.metadata.labels, "the crashed test's label is still there"
        assert nodes.LEDGER_ANNOTATION not in (changed.metadata.annotations or {})
        if disruptor is None:
            pytest.skip(f"the crashed test's node changes are mended; with no kubelet paused: {why_not}")
        # Another run's process that starts in the second before the inner run's own may resume
        # it first (and says so in its own output): what must hold is that the kubelet runs.
        said = f"resumed node {node}'s kubelet: a process that ended had paused it" in out
        try:        # through the API server, which asks the kubelet: a paused one does not answer
            answer = cluster.core.connect_get_node_proxy_with_path(node, "healthz", _request_timeout=timeouts(5))
        except (ApiException, urllib3.exceptions.HTTPError) as e:
            answer = f"{type(e).__name__}: {e}"
        resumed = answer == "ok"
        assert resumed, (f"node {node}'s kubelet does not answer after the run: {answer}; the run "
                         f"{'said it resumed it' if said else 'did not say it resumed it'}\n{out[-3000:]}")
    finally:
        if disruptor is not None and not resumed:   # the node goes on whatever the inner run did
            with contextlib.suppress(RuntimeError):   # (kind refuses to unpause a running node)
                disruptor.resume(node)


@pytest.mark.aside      # it asks no cluster but one that does not answer
def test_an_unreachable_api_server_stops_the_run_with_one_clear_error(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    kubeconfig = tmp_path / "unreachable.kubeconfig"
    kubeconfig.write_text(textwrap.dedent('''
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: x}}]
        contexts: [{name: ctx, context: {cluster: c, user: u}}]
        current-context: ctx
    '''))
    pytester.makeini((ROOT / "pytest.ini").read_text().replace("testpaths = suites tests", "testpaths = ."))
    pytester.makepyfile(test_x="def test_a(kube):\n    pass\ndef test_b(kube):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--kubeconfig={kubeconfig}",
                                           "-p", "no:cacheprovider", timeout=60)
    err = result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, f"exit {result.ret}\n{err}\n{result.stdout.str()}"
    assert "cannot use the cluster: API server https://127.0.0.1:1 (context ctx) does not answer" in err, err
    assert "FAILED" not in result.stdout.str()


# No pod (its inner run stops at the admission check's dry runs): it needs no node.
@pytest.mark.aside
@pytest.mark.slow(30)       # an inner run, 25-39 s measured
def test_a_cluster_that_refuses_the_guides_pods_stops_the_run_once_naming_the_level(run_inner, cluster):
    """Pod Security `restricted` enforced on the suite's namespaces (here by the option's label, as a
    cluster's default would): one error before any test, instead of each test failing on its own."""
    result = run_inner("def test_a(kube):\n    pass\n\ndef test_b(kube):\n    pass\n",
                       "--pod-security-level=restricted")
    err, out = result.stderr.str(), result.stdout.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, f"exit {result.ret}\n{err}\n{out}"
    assert err.count("the cluster refuses the guide's pods") == 1, err
    assert 'violates PodSecurity "restricted:latest"' in err and "pass --pod-security-level baseline" in err, err
    assert "FAILED" not in out and "passed" not in out


@pytest.mark.node_mutation
def test_the_node_ledger_puts_back_labels_and_taints_and_mends_a_killed_run(node_ledger, run, cluster,
                                                                           schedulable_workers, guide_nodes):
    node = aside.besides(schedulable_workers, guide_nodes)[0]
    core = cluster.core
    # What a killed run leaves: a change and the ledger annotation that records the original.
    core.patch_node(node, {"metadata": {"labels": {"pod-conformance-test/left": "1"},
                                        "annotations": {nodes.LEDGER_ANNOTATION:
                                                        '{"labels": {"pod-conformance-test/left": null}, "taints": {}}'}}})
    mended = nodes.recover_leftovers(core, run.member.alive_runs)
    assert any("pod-conformance-test/left" in m for m in mended), mended
    after = core.read_node(node)
    assert "pod-conformance-test/left" not in after.metadata.labels
    assert nodes.LEDGER_ANNOTATION not in (after.metadata.annotations or {})

    node_ledger.label(node, "pod-conformance-test/color", "blue")
    node_ledger.taint(node, "pod-conformance-test/dedicated", "x", "NoSchedule")
    changed = core.read_node(node)
    assert changed.metadata.labels["pod-conformance-test/color"] == "blue"
    assert nodes.LEDGER_ANNOTATION in changed.metadata.annotations
    node_ledger.restore()
    restored = core.read_node(node)
    assert "pod-conformance-test/color" not in restored.metadata.labels
    assert not any(t.key == "pod-conformance-test/dedicated" for t in restored.spec.taints or [])
    assert nodes.LEDGER_ANNOTATION not in (restored.metadata.annotations or {})


@pytest.mark.aside
def test_an_aside_tests_pods_go_to_the_aside_node_and_it_holds_nothing(kube, run, guide_nodes, aside_node):
    """A test marked aside runs beside the tests that hold the cluster alone only because its
    pods are on the node those tests leave alone (fixtures/aside.py)."""
    if aside.node_named(guide_nodes) is None:
        pytest.skip("aside: this cluster has no second worker to stand for k8s-node2, so there is no aside node")
    if not run.may_change_nodes():
        pytest.skip("aside: this run may not change nodes, so none of its tests holds the cluster alone and "
                    "aside tests run as the others do")
    assert aside_node == guide_nodes["k8s-node2"], f"the aside node {aside_node} does not take pods now"
    names = [f"aside-{i}" for i in range(4)]     # one pod would land there by luck one time in three
    for name in names:
        kube.apply(pods.pod(name, ["sleep", "3600"], grace_period=0))
    placed = {name: kube.wait_pod(name, c.pod_scheduled()).spec.node_name for name in names}
    assert set(placed.values()) == {aside_node}, f"pods of a test marked aside are not all on {aside_node}: {placed}"
    assert costs.current.holds == ["aside"], f"the test took {costs.current.holds}, expected only the aside hold"


def _nodes_serving_cluster_dns(kube) -> dict[str, str | None]:
    """Each address of the cluster DNS Service, and the node of the pod behind it (read from the
    pod itself); None for an address no pod is behind (a server outside the cluster's pods)."""
    namespace, name = aside.CLUSTER_DNS
    serving = {}
    for piece in kube.discovery.list_namespaced_endpoint_slice(
            namespace, label_selector=f"kubernetes.io/service-name={name}").items:
        for e in piece.endpoints or ():
            ref = e.target_ref
            node = kube.core.read_namespaced_pod(ref.name, ref.namespace or namespace).spec.node_name \
                if ref is not None and ref.kind == "Pod" else None
            serving.update({address: node for address in e.addresses})
    return serving


@pytest.mark.aside_with_dns
def test_a_test_that_needs_cluster_dns_runs_aside_only_where_dns_is_out_of_the_alone_tests_reach(
        kube, run, guide_nodes, aside_node):
    """Cluster DNS served from no node, or from the aside node alone (the local cluster's runs on
    the host): the test's pods go to the aside node and it holds nothing. Served from a node the
    tests that hold the cluster alone may stop or taint (CoreDNS's pods on kind): it is a shared
    test, and its pods go anywhere."""
    if aside.node_named(guide_nodes) is None:
        pytest.skip("aside: this cluster has no second worker to stand for k8s-node2, so there is no aside node")
    if not run.may_change_nodes():
        pytest.skip("aside: this run may not change nodes, so none of its tests holds the cluster alone and "
                    "aside tests run as the others do")
    node2 = guide_nodes["k8s-node2"]
    serving = _nodes_serving_cluster_dns(kube)
    kube.timeline.note("service/kube-dns", f"its addresses and the nodes of the pods behind them: {serving}")
    beside = bool(serving) and all(node in (None, node2) for node in serving.values())
    names = [f"with-dns-{i}" for i in range(4)]     # one pod would land there by luck one time in three
    for name in names:
        kube.apply(pods.pod(name, ["sleep", "3600"], grace_period=0))
    placed = {name: kube.wait_pod(name, c.pod_scheduled()).spec.node_name for name in names}
    if beside:
        assert aside_node == node2, f"cluster DNS is served at {serving}, out of reach, yet the test is not aside"
        assert set(placed.values()) == {node2}, f"pods of a test run aside are not all on {node2}: {placed}"
        assert costs.current.holds == ["aside"], f"the test took {costs.current.holds}, expected only the aside hold"
    else:
        assert aside_node is None, f"cluster DNS is served at {serving}, within reach, yet the test ran aside"
        assert costs.current.holds == ["shared"], f"the test took {costs.current.holds}, expected the shared hold"
