"""A broken-cluster lab: each test breaks the cluster in one way, only inside the test's own
namespace, runs a suite test (or the suite's assertion) there, and checks that it fails for that
cause, with a message naming it. Nobody else's objects are touched:

- a MutatingAdmissionPolicy and its binding, both matching only the test's namespace (by its
  kubernetes.io/metadata.name label), created by the `admission_policy` fixture, which registers
  their removal right after creating each and waits until a server-side dry run shows the policy
  in effect;
- a stand-in scheduler of the test's own (a thread binding pods that name it), for pods that a
  policy of the namespace sends to it.

Where the broken part is the kubelet itself (back-off, the order of preStop and SIGTERM, probes),
which a shared cluster must not have changed, the suite's assertion is run on what a real pod
shows, against an expectation the cluster does not meet: a deliberately wrong test, as in
test_framework_on_cluster.py."""

from __future__ import annotations

import threading

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from fixtures import backoff, pods
from fixtures import conditions as c
from fixtures.errors import AdmissionDrift
from fixtures.services import ServiceLayerBroken
from fixtures.timeouts import Timeouts
from fixtures.waiting import Polled
from suites import test_labels as labels_suite
from suites import test_probes as probes_suite
from suites import test_runtime as runtime_suite
from suites import test_scheduling as scheduling_suite

POLICY_API = "admissionregistration.k8s.io/v1"
IN_EFFECT_S = 30            # a new policy reaches the API server's admission chain within this
LAB_SCHEDULER = "pc-lab-selector-blind"


def _delete(delete, name: str) -> None:
    try:
        delete(name)
    except ApiException as e:
        if e.status != 404:
            raise


def _exists(read, name: str) -> bool:
    try:
        read(name)
        return True
    except ApiException as e:
        if e.status == 404:
            return False
        raise


def _serves_mutating_admission_policies(api: client.ApiClient) -> bool:
    group, version = POLICY_API.split("/")
    try:
        resources = client.CustomObjectsApi(api).get_api_resources(group, version).resources
    except ApiException as e:
        if e.status == 404:
            return False
        raise
    return any(r.name == "mutatingadmissionpolicies" for r in resources)


@pytest.fixture
def admission_policy(request, cluster, kube):
    """install(suffix, resource, mutations, sample, in_effect, object_selector=None): a
    MutatingAdmissionPolicy for CREATE of `resource` ("pods", "services") in the test's namespace
    only, and its binding; removed after the test. Returns once a server-side dry run of
    `sample` comes back with `in_effect(stored dict)` true."""
    if not _serves_mutating_admission_policies(cluster.api):
        pytest.skip("cannot prove here: the API server does not serve MutatingAdmissionPolicy in "
                    f"{POLICY_API} (GA and on by default from v1.36)")
    api = client.AdmissionregistrationV1Api(cluster.api)
    only_here = {"matchLabels": {"kubernetes.io/metadata.name": kube.namespace}}
    installed: list[str] = []

    def none_left():      # registered first, so it runs after every removal
        left = [f"{kind}/{name}" for name in installed
                for kind, read in (("mutatingadmissionpolicy", api.read_mutating_admission_policy),
                                   ("mutatingadmissionpolicybinding", api.read_mutating_admission_policy_binding))
                if _exists(read, name)]
        assert not left, f"the lab left behind: {left}"
    request.addfinalizer(none_left)

    def install(suffix: str, resource: str, mutations: list[dict], sample: dict, in_effect,
                object_selector: dict | None = None) -> str:
        name = f"{kube.namespace}-{suffix}"[:63].rstrip("-")
        installed.append(name)
        constraints = {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                          "resources": [resource]}],
                       "namespaceSelector": only_here}
        if object_selector:
            constraints["objectSelector"] = object_selector
        api.create_mutating_admission_policy({
            "apiVersion": POLICY_API, "kind": "MutatingAdmissionPolicy", "metadata": {"name": name},
            "spec": {"matchConstraints": constraints, "failurePolicy": "Fail", "reinvocationPolicy": "Never",
                     "mutations": mutations}})
        request.addfinalizer(lambda: _delete(api.delete_mutating_admission_policy, name))
        api.create_mutating_admission_policy_binding({
            "apiVersion": POLICY_API, "kind": "MutatingAdmissionPolicyBinding", "metadata": {"name": name},
            "spec": {"policyName": name, "matchResources": {"namespaceSelector": only_here}}})
        request.addfinalizer(lambda: _delete(api.delete_mutating_admission_policy_binding, name))
        kube.timeline.note(f"mutatingadmissionpolicy/{name}", f"created for {resource} in {kube.namespace} only")

        create = {"pods": kube.core.create_namespaced_pod, "services": kube.core.create_namespaced_service}[resource]

        def dry_run():
            body = {**sample, "metadata": {**sample["metadata"], "namespace": kube.namespace}}
            return create(kube.namespace, body, dry_run="All")
        kube.wait(Polled(dry_run, f"a dry-run {resource[:-1]} under mutatingadmissionpolicy/{name}"),
                  c.Condition("mutated by the policy", lambda stored: stored is not None and
                              in_effect(cluster.api.sanitize_for_serialization(stored))),
                  IN_EFFECT_S)
        return name

    return install


# -- admission drift ------------------------------------------------------------------------

GRACE_REWRITE = [{"patchType": "JSONPatch", "jsonPatch": {
    "expression": '[JSONPatch{op: "add", path: "/spec/terminationGracePeriodSeconds", value: 3}]'}}]


def _init_container_added(image: str) -> list[dict]:
    return [{"patchType": "ApplyConfiguration", "applyConfiguration": {
        "expression": 'Object{spec: Object.spec{initContainers: [Object.spec.initContainers{'
                      f'name: "intruder", image: "{image}"}}]}}}}'}}]


def test_a_grace_period_rewritten_at_admission_fails_the_apply_naming_the_field(kube, admission_policy, timeouts):
    """R5's own test, run where a JSONPatch policy sets terminationGracePeriodSeconds to 3: it
    fails at the apply, before any wait, and says what was changed."""
    sample = pods.pod("sample", ["sleep", "1"], grace_period=10)
    admission_policy("grace", "pods", GRACE_REWRITE, sample,
                     lambda pod: pod["spec"]["terminationGracePeriodSeconds"] == 3)
    with pytest.raises(AdmissionDrift) as failed:
        runtime_suite.test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(kube, timeouts, 10)
    print(f"failed as expected: {failed.value}")
    assert str(failed.value) == ("pod/ignores-sigterm: changed at admission: spec.terminationGracePeriodSeconds "
                                 "manifest=10 stored=3"), str(failed.value)
    about_the_pod = [e.summary for e in kube.timeline.entries if e.subject == "pod/ignores-sigterm"]
    assert about_the_pod == ["created", "changed at admission: spec.terminationGracePeriodSeconds"], \
        f"the pod was awaited or observed after its apply:\n{kube.timeline.render()}"


def test_an_init_container_added_at_admission_fails_the_guides_apply_naming_it(kube, admission_policy):
    """The guide's myweb1, applied where an ApplyConfiguration policy adds an init container."""
    image = kube.image(pods.BUSYBOX)
    admission_policy("init", "pods", _init_container_added(image), pods.pod("sample", ["sleep", "1"]),
                     lambda pod: [ic["name"] for ic in pod["spec"].get("initContainers", [])] == ["intruder"])
    with pytest.raises(AdmissionDrift) as failed:
        kube.apply("myweb1-pod")
    print(f"failed as expected: {failed.value}")
    assert str(failed.value) == ('pod/myweb1: changed at admission: spec.initContainers manifest=(not set) '
                                 'stored=["intruder"]'), str(failed.value)


def _labels_set(labels: dict) -> list[dict]:
    pairs = ", ".join(f'"{k}": "{v}"' for k, v in labels.items())
    return [{"patchType": "ApplyConfiguration", "applyConfiguration": {
        "expression": f"Object{{metadata: Object.metadata{{labels: {{{pairs}}}}}}}"}}]


def test_b1_passes_where_admission_adds_a_label_of_its_own(kube, kubectl, admission_policy, timeouts):
    """A healthy cluster's policy engine adds a label to every pod: B1's own test passes and its
    timeline says what was added (before, it failed: "expected exactly {'key': 'value'}")."""
    admission_policy("injects", "pods", _labels_set({"example.com/injected": "yes"}), pods.pod("sample", ["sleep", "1"]),
                     lambda pod: pod["metadata"]["labels"].get("example.com/injected") == "yes")
    labels_suite.test_kubectl_selects_mynginx_pods_by_label_value_and_by_key_alone(kube, kubectl, timeouts)
    assert any("labels the cluster added besides --labels: {'example.com/injected': 'yes'}" in e.summary
               for e in kube.timeline.entries), kube.timeline.render()


def test_b1_fails_where_admission_changes_a_label_the_guide_set(kube, kubectl, admission_policy, timeouts):
    admission_policy("relabels", "pods", _labels_set({"key2": "changed"}), pods.pod("sample", ["sleep", "1"]),
                     lambda pod: pod["metadata"]["labels"].get("key2") == "changed")
    with pytest.raises(AssertionError) as failed:
        labels_suite.test_kubectl_selects_mynginx_pods_by_label_value_and_by_key_alone(kube, kubectl, timeouts)
    print(f"failed as expected: {failed.value}")
    assert str(failed.value).startswith("pod/mynginx2 has labels {'key2': 'changed'} where "
                                        "{'key1': 'value1', 'key2': 'value2'} was given"), str(failed.value)


# -- Services: which layer is broken --------------------------------------------------------

def _service_sample() -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "sample"},
            "spec": {"selector": {"app": "sample"}, "ports": [{"port": 80, "targetPort": 80}]}}


PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name"


@pytest.mark.aside      # every pod of it on one node: it needs that node's kube-proxy and no other
@pytest.mark.slow(60)
def test_a_service_kube_proxy_does_not_serve_is_blamed_on_its_cluster_ip(kube, admission_policy, timeouts):
    """kube-proxy leaves alone a Service labelled service.kubernetes.io/service-proxy-name (it
    belongs to another proxy): for that Service the cluster behaves as with a dead kube-proxy,
    while its EndpointSlice and its DNS name are fine. R1 must blame the ClusterIP."""
    admission_policy("no-proxy", "services", [{"patchType": "ApplyConfiguration", "applyConfiguration": {
        "expression": f'Object{{metadata: Object.metadata{{labels: {{"{PROXY_NAME_LABEL}": "pc-lab-nobody"}}}}}}'}}],
        _service_sample(), lambda svc: (svc["metadata"].get("labels") or {}).get(PROXY_NAME_LABEL) == "pc-lab-nobody")
    with pytest.raises(ServiceLayerBroken) as failed:
        runtime_suite.test_myweb1_runs_ready_and_serves_the_nginx_page_through_myweb_svc(kube, timeouts)
    print(f"failed as expected: {failed.value}")
    assert str(failed.value).startswith("service/myweb-svc is broken at its ClusterIP (the Service proxy"), \
        str(failed.value)
    assert "although its EndpointSlice lists the pods and the pod answers at its own IP" in str(failed.value)


@pytest.mark.aside_with_dns
@pytest.mark.slow(30)      # 20-30 s measured in whole runs (make bench)
def test_a_client_whose_dns_does_not_answer_blames_the_dns_name(kube, admission_policy, timeouts):
    """R1's client pod (only it, by label) gets a resolver where nothing answers (dnsPolicy None,
    nameserver 127.0.0.1): the ClusterIP still answers, so R1 must blame the name."""
    client_selector = {"matchLabels": {"app": "http-client"}}
    admission_policy("no-dns", "pods", [{"patchType": "JSONPatch", "jsonPatch": {
        "expression": '[JSONPatch{op: "add", path: "/spec/dnsPolicy", value: "None"}, '
                      'JSONPatch{op: "add", path: "/spec/dnsConfig", value: Object.spec.dnsConfig{'
                      'nameservers: ["127.0.0.1"], options: [Object.spec.dnsConfig.options{name: "timeout", '
                      'value: "1"}, Object.spec.dnsConfig.options{name: "attempts", value: "1"}]}}]'}}],
        pods.pod("http-client", ["sleep", "1"]), lambda pod: pod["spec"]["dnsPolicy"] == "None",
        object_selector=client_selector)
    with pytest.raises(ServiceLayerBroken) as failed:
        runtime_suite.test_myweb1_runs_ready_and_serves_the_nginx_page_through_myweb_svc(kube, timeouts)
    print(f"failed as expected: {failed.value}")
    assert str(failed.value).startswith("service/myweb-svc is broken at its DNS name (cluster DNS"), str(failed.value)
    assert "myweb-svc does not resolve from pod/http-client" in str(failed.value), str(failed.value)


@pytest.mark.aside_with_dns
@pytest.mark.slow(30)
def test_dns_behind_a_service_proxy_that_does_not_serve_blames_the_cluster_ip_not_dns(kube, admission_policy, timeouts):
    """Cluster DNS is a Service: R1's client gets as its nameserver a copy of the DNS Service that
    kube-proxy leaves alone (its service-proxy-name label), listing the real DNS pods. Its pods
    answer, its ClusterIP does not: R1 must blame the ClusterIP layer (the Service proxy), as with
    kube-proxy down, not DNS (before: "broken at its DNS name")."""
    dns = next(s for s in kube.core.list_namespaced_service("kube-system").items
               if any(p.port == 53 for p in s.spec.ports or []))
    slices = kube.discovery.list_namespaced_endpoint_slice(
        "kube-system", label_selector=f"kubernetes.io/service-name={dns.metadata.name}").items
    pods_of_dns = sorted({a for sl in slices for e in sl.endpoints or [] for a in e.addresses})
    ports = [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]
    copy = kube.core.create_namespaced_service(kube.namespace, {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "dns-copy", "labels": {PROXY_NAME_LABEL: "pod-conformance-none"}},
        "spec": {"ports": [{**p, "targetPort": 53} for p in ports]}})
    kube.discovery.create_namespaced_endpoint_slice(kube.namespace, {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
        "metadata": {"name": "dns-copy", "labels": {"kubernetes.io/service-name": "dns-copy"}},
        "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in pods_of_dns], "ports": ports})
    searches = ", ".join(f'"{d}"' for d in (f"{kube.namespace}.svc.cluster.local", "svc.cluster.local", "cluster.local"))
    admission_policy("dns-copy", "pods", [{"patchType": "JSONPatch", "jsonPatch": {
        "expression": '[JSONPatch{op: "add", path: "/spec/dnsPolicy", value: "None"}, '
                      'JSONPatch{op: "add", path: "/spec/dnsConfig", value: Object.spec.dnsConfig{'
                      f'nameservers: ["{copy.spec.cluster_ip}"], searches: [{searches}], '
                      'options: [Object.spec.dnsConfig.options{name: "timeout", value: "1"}, '
                      'Object.spec.dnsConfig.options{name: "attempts", value: "1"}]}}]'}}],
        pods.pod("http-client", ["sleep", "1"]), lambda pod: pod["spec"]["dnsPolicy"] == "None",
        object_selector={"matchLabels": {"app": "http-client"}})
    with pytest.raises(ServiceLayerBroken) as failed:
        runtime_suite.test_myweb1_runs_ready_and_serves_the_nginx_page_through_myweb_svc(kube, timeouts)
    print(f"failed as expected: {failed.value}")
    assert str(failed.value).startswith("service/myweb-svc is broken at its ClusterIP (the Service proxy"), \
        str(failed.value)
    assert (f"cluster DNS, service/dns-copy in {kube.namespace}, does not answer at its ClusterIP "
            f"{copy.spec.cluster_ip}") in str(failed.value), str(failed.value)
    assert "the Service proxy on the client's node is what is broken, not DNS" in str(failed.value)


@pytest.mark.aside      # every pod of it on one node; it fails at the EndpointSlice, before any proxy or DNS
@pytest.mark.slow(36)
def test_a_service_whose_endpoint_slice_misses_the_pod_port_blames_the_endpoint_slice(kube, admission_policy):
    """A policy points the Service's targetPort at 8080, where nothing listens: the EndpointSlice
    lists the pod on 8080, not 80. R1 must blame the EndpointSlice (with its waits shortened)."""
    admission_policy("wrong-port", "services", [{"patchType": "JSONPatch", "jsonPatch": {
        "expression": '[JSONPatch{op: "replace", path: "/spec/ports/0/targetPort", value: 8080}]'}}],
        _service_sample(), lambda svc: svc["spec"]["ports"][0]["targetPort"] == 8080)
    with pytest.raises(ServiceLayerBroken) as failed:
        runtime_suite.test_myweb1_runs_ready_and_serves_the_nginx_page_through_myweb_svc(kube, Timeouts(0.25))
    print(f"failed as expected: {failed.value}")
    assert str(failed.value).startswith("service/myweb-svc is broken at its EndpointSlice"), str(failed.value)
    assert "endpointslices of service/myweb-svc" in str(failed.value) and "on port 80" in str(failed.value)


# -- placement: a scheduler that ignores nodeSelector ----------------------------------------

class SelectorBlindScheduler:
    """Binds the namespace's pods that name it to the nodes in turn, whatever their selectors."""

    def __init__(self, core, namespace: str, nodes: list[str]):
        self.core, self.namespace, self.nodes = core, namespace, nodes
        self.bound: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        while not self._stop.wait(0.3):
            try:
                items = self.core.list_namespaced_pod(self.namespace).items
            except Exception:
                continue
            for pod in sorted(items, key=lambda p: (p.metadata.creation_timestamp, p.metadata.name)):
                if pod.spec.scheduler_name != LAB_SCHEDULER or pod.spec.node_name or pod.metadata.name in self.bound:
                    continue
                node = self.nodes[len(self.bound) % len(self.nodes)]
                body = client.V1Binding(metadata=client.V1ObjectMeta(name=pod.metadata.name),
                                        target=client.V1ObjectReference(kind="Node", name=node))
                try:
                    self.core.create_namespaced_pod_binding(pod.metadata.name, self.namespace, body,
                                                            _preload_content=False)
                    self.bound[pod.metadata.name] = node
                except ApiException:
                    pass


def test_a_scheduler_that_ignores_node_selectors_fails_n1(kube, admission_policy, topology, guide_nodes, timeouts):
    """Every pod of the namespace is sent to a stand-in scheduler that binds pods to the workers
    in turn, ignoring nodeSelector. N1 must fail, naming the misplaced pods (with one pod, as
    before, it passed whenever that pod happened to be bound to k8s-node1)."""
    workers = list(topology.workers)
    if len(workers) < 2:
        pytest.skip(f"N1 itself is NOT PROVEN here: {topology.too_few(2)}")
    admission_policy("blind-scheduler", "pods", [{"patchType": "ApplyConfiguration", "applyConfiguration": {
        "expression": f'Object{{spec: Object.spec{{schedulerName: "{LAB_SCHEDULER}"}}}}'}}],
        pods.pod("sample", ["sleep", "1"]), lambda pod: pod["spec"]["schedulerName"] == LAB_SCHEDULER)
    with SelectorBlindScheduler(kube.core, kube.namespace, workers) as scheduler:
        with pytest.raises(AssertionError) as failed:
            scheduling_suite.test_sch_test1_lands_on_the_node_its_hostname_selector_names(
                kube, workers, topology, timeouts)
    message = str(failed.value)
    print(f"failed as expected: {message}\nbound by the stand-in: {scheduler.bound}")
    assert message.startswith("misplaced: "), message
    for name, node in scheduler.bound.items():
        wanted = guide_nodes["k8s-node2"] if name.endswith("-control") else guide_nodes["k8s-node1"]
        assert (f"{name} on {node}, wanted {wanted}" in message) == (node != wanted), message
    assert any(node != guide_nodes["k8s-node1"] for name, node in scheduler.bound.items()
               if not name.endswith("-control")), scheduler.bound


# -- kubelet behaviour, against expectations the cluster does not meet -------------------------

@pytest.mark.aside
def test_sigterm_during_the_prestop_hook_fails_the_order_check(kube, timeouts):
    """A hook that sends SIGTERM itself right after it begins stands for a kubelet that signals
    while the hook still runs. The old check (the hook's first line before the handler's) passes
    on it; the suite's check must not."""
    hook_s = 3
    hook = ["sh", "-c", f'echo "preStop began at {runtime_suite.UPTIME}" > /proc/1/fd/1; kill -TERM 1; '
                        f'sleep {hook_s}; echo "preStop ended at {runtime_suite.UPTIME}" > /proc/1/fd/1']
    kube.apply(pods.pod("early-sigterm", runtime_suite.PRESTOP_MAIN, grace_period=30,
                        lifecycle={"preStop": {"exec": {"command": hook}}}))
    kube.wait_pod("early-sigterm", c.pod_running())
    kube.wait(kube.watch_log("early-sigterm"), c.text_contains("started"), timeouts.container_event)
    log = kube.follow_log("early-sigterm")
    kube.delete_pod("early-sigterm")
    text = kube.wait(log, c.text_contains("preStop ended"), timeouts.container_event)
    assert text.index("preStop began") < text.index("got SIGTERM"), f"the old check would fail too:\n{text}"
    with pytest.raises(AssertionError, match=r"SIGTERM arrived \d+\.\d\ds before the preStop hook finished") as failed:
        runtime_suite.assert_sigterm_after_prestop(text, hook_s)
    print(f"failed as expected: {failed.value}")


@pytest.mark.aside
def test_a_prestop_hook_that_never_ran_is_named_with_the_kubelets_event(kube, timeouts):
    """A hook whose command does not exist stands for a kubelet that does not run it: R5's check
    says the hook left no trace, with the pod's events, instead of naming missing log lines."""
    doc = pods.pod("prestop", runtime_suite.PRESTOP_MAIN, grace_period=30,
                   lifecycle={"preStop": {"exec": {"command": ["/no-such-hook"]}}})
    with pytest.raises(AssertionError) as failed:
        runtime_suite.delete_after_prestop(kube, timeouts, doc)
    print(f"failed as expected: {failed.value}")
    first = str(failed.value).splitlines()[0]
    assert first.startswith("the preStop hook left no trace in the log"), first
    assert "pod/prestop's last events:" in first and "FailedPreStopHook" in first, first


@pytest.mark.aside
def test_a_pod_ready_without_a_probe_fails_the_probe_check(kube, timeouts):
    """P4's success check on a pod with no probe at all (what a kubelet ignoring probes shows)."""
    kube.apply(pods.pod("probed", probes_suite.PROBED_NGINX, image=probes_suite.NGINX, grace_period=1))
    kube.wait_pod("probed", c.pod_running())      # as P4 does: the check's limit counts from Running
    with pytest.raises(AssertionError, match=r"Ready [01]s after its container started, before the probe's "
                                             r"initialDelaySeconds \(4s\): Ready without the probe's verdict") as failed:
        probes_suite.assert_ready_through_the_probe(kube, "probed", timeouts)
    print(f"failed as expected: {failed.value}")


@pytest.mark.aside
def test_containers_of_two_pods_fail_the_shared_network_namespace_check(kube):
    """R6's check on two containers that do not share a network namespace (one in each of two
    pods): `hostname -i` would have printed each pod's own address and proven nothing."""
    for name in ("net-a", "net-b"):
        kube.apply(pods.pod(name, ["sleep", "3600"], grace_period=1))
    a = kube.wait_pod("net-a", c.pod_running())
    kube.wait_pod("net-b", c.pod_running())
    with pytest.raises(AssertionError, match=r"the containers are in different network namespaces: "
                                             r"\{'net-a/main': 'net:\[\d+\]', 'net-b/main': 'net:\[\d+\]'\}") as failed:
        runtime_suite.assert_one_network_namespace(kube, [("net-a", "main"), ("net-b", "main")], a.status.pod_ip)
    print(f"failed as expected: {failed.value}")


@pytest.mark.aside
@pytest.mark.slow(40)
def test_restarts_sooner_than_the_expected_back_off_are_named(kube, timeouts):
    """A real crash loop checked against a back-off twice and a half this kubelet's (the kubelet
    cannot be made to skip its back-off here): the check must name the early restarts."""
    kube.apply(pods.pod("crashes", pods.shell("exit 1"), grace_period=1))
    history = backoff.RestartHistory("main")
    pod = kube.wait_pod("crashes", history.spaced(2), timeouts(150))
    real = backoff.for_node(kube.cluster.api, pod.spec.node_name)
    assert history.too_soon(real) == [], f"{history.render()} against {real}"
    wrong = backoff.BackOff(real.initial * 2.5, real.maximum * 2.5, "deliberately wrong")
    too_soon = history.too_soon(wrong)
    print(f"instances: {history.render()}; gaps: {[history.gap(n) for n in range(3)]}; {real}\n"
          f"failed as expected against {wrong}: {too_soon}")
    assert too_soon and too_soon[0].startswith("restart 2: ") and f"at least {wrong.floor(1):g}s expected" in too_soon[0], \
        too_soon


@pytest.mark.aside      # no pod: it needs no node
def test_kubectls_own_namespace_refusal_is_not_taken_for_the_servers(kubectl):
    """Y1 used to accept any stderr naming defaul드, which kubectl's client-side refusal does
    when the test's kubectl passes --namespace: the suite's check must reject that text."""
    from suites.test_guide_yaml_errors import AS_PRINTED
    local = kubectl("create", "--dry-run=server", "-f", str(AS_PRINTED / "weather.yaml"))
    print(f"kubectl with --namespace said: {local.stderr.strip()}")
    assert local.returncode != 0 and "defaul드" in local.stderr, local.stderr    # what the old test accepted
    assert local.stderr.startswith("error: the namespace from the provided object"), local.stderr
    assert "Error from server" not in local.stderr, local.stderr                 # what the suite now requires
