"""Runtime containers (the guide's "Pod 관리" and "선언형/명령형 Pod 생성"): myweb1 behind
myweb-svc, and what deleting a Pod does."""

import re
import time

import pytest
import yaml
from kubernetes.client.rest import ApiException

from fixtures import backoff
from fixtures import conditions as c
from fixtures import pods, procnet, services

# SIGKILL comes within this much of the grace period after SIGTERM, on the node's own clock
# (before --timeout-scale). The kubelet's report and the API server's removal of the object come
# after it, and are bounded only by the delete's timeout: the docs promise they follow the kill,
# not how soon (a loaded 2-core node took 10 s).
KILL_TOLERANCE_S = 3
# Restart gaps checked against the kubelet's back-off: gaps 1 and 2 (the first restart comes at
# once), so that both the initial delay and its doubling are seen.
RESTART_GAPS = 2
MYSQL_START_ATTEMPTS = 60      # as the old loop: 60 tries, each at most 6 s here (it allowed 7 s)


@pytest.mark.aside_with_dns
@pytest.mark.reaches_service
@pytest.mark.catalog("R1")
def test_myweb1_runs_ready_and_serves_the_nginx_page_through_myweb_svc(kube, timeouts):
    """The guide's Service also asks for externalIPs 192.168.56.102: it is replaced by
    --external-ip, or dropped (no such address exists here). The page is asked for at the pod's
    own IP, then through the Service by ClusterIP, then by name (fixtures/services.py), so that
    a failure names the broken layer: the pod, the EndpointSlice, the proxy, or DNS."""
    kube.apply("myweb1-pod")
    pod = kube.wait_pod("myweb1", c.pod_ready())
    assert pod.status.phase == "Running"
    for type_ in ("PodScheduled", "Initialized", "ContainersReady", "Ready"):
        cond = c.find_condition(pod, type_)
        assert cond is not None and cond.status == "True", \
            f"condition {type_} is {cond.status if cond else 'missing'} on a running myweb1, expected True"
    assert pod.status.pod_ip, "myweb1 is Ready but has no podIP"
    assert pod.spec.node_name, "myweb1 is Ready but has no nodeName"

    svc = kube.apply("myweb1-svc")[0]
    assert svc.spec.cluster_ip and svc.spec.cluster_ip != "None", "myweb-svc got no ClusterIP"
    client = services.client(kube, "http-client")
    services.wait_endpoints(kube, "myweb-svc", {pod.status.pod_ip}, 80, timeouts.pod_start)
    services.reach(kube, "myweb-svc", 8001, client, services.http("/"), "Welcome to nginx!",
                   backend=(pod.status.pod_ip, 80))


@pytest.mark.catalog("R5")
def test_termination_grace_period_defaults_to_30_seconds(kube):
    kube.apply("myweb1-pod")
    stored = kube.pod("myweb1").spec.termination_grace_period_seconds
    assert stored == 30, (f"terminationGracePeriodSeconds stored as {stored}, expected the default 30: the manifest "
                          f"sets none, so the API server's defaulting or an admission step changed it")


def _start(kube, doc) -> str:
    name = doc["metadata"]["name"]
    kube.apply(doc)
    kube.wait_pod(name, c.pod_running())
    kube.wait(kube.watch_log(name), c.text_contains("started"), kube.timeouts.container_event)
    return name


# Lines stamped with the node's uptime (one clock for every container of the node).
UPTIME = "$(read up rest < /proc/uptime; echo $up)"
# The process stamps SIGTERM's arrival, then every STAMP_TICK_S that it is still alive: its last
# stamp is at most that long before its SIGKILL. The loop waits on a background sleep, which a
# signal interrupts, so the handler runs as soon as SIGTERM arrives.
STAMP_TICK_S = 0.5
STAMPS_UNTIL_KILLED = pods.shell(
    f"""trap 'echo "got SIGTERM at {UPTIME}"; term=1' TERM; echo started; """
    f"""while true; do sleep {STAMP_TICK_S} & wait $!; [ -z "$term" ] || echo "alive at {UPTIME}"; done""")


def stamps(log: str, what: str) -> list[float]:
    """The node's uptime on each line "<what> at <uptime>" of the log, in order."""
    return [float(t) for t in re.findall(re.escape(what) + r" at (\d+\.\d+)", log)]


def lived_after_sigterm(log: str) -> float:
    """From SIGTERM to the last sign of life, in the node's seconds, from STAMPS_UNTIL_KILLED's log."""
    sigterm = stamps(log, "got SIGTERM")
    assert sigterm, f"no 'got SIGTERM' line in the log:\n{log}"
    return (stamps(log, "alive") or sigterm)[-1] - sigterm[0]


@pytest.mark.aside
@pytest.mark.catalog("R5")
@pytest.mark.parametrize("grace", [10, pytest.param(20, marks=pytest.mark.slow(20))], ids=lambda g: f"grace-period-{g}s")
def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(kube, timeouts, grace):
    """The kill's moment is read on the node's clock (STAMPS_UNTIL_KILLED); the object must stay
    until the grace period is over, and go after the kill within the delete's timeout."""
    name = _start(kube, pods.pod("ignores-sigterm", STAMPS_UNTIL_KILLED, grace_period=grace))
    log = kube.follow_log(name)
    started = time.monotonic()
    kube.delete_pod(name)
    pod = kube.pod(name)
    assert pod.metadata.deletion_timestamp is not None, "deletionTimestamp not set right after the delete"
    kube.wait(log, c.text_contains("got SIGTERM"), grace)
    still_there = kube.pod(name)
    assert still_there.metadata.deletion_grace_period_seconds == grace
    kube.wait_pod(name, c.gone(), timeouts.delete(grace))
    took = time.monotonic() - started
    assert took >= grace - 1, f"the pod was gone {took:.1f}s after the delete, before its grace period {grace}s"
    assert log.ended.wait(timeouts(15)), f"the pod is gone but its log stream has not ended; it read:\n{log.text}"
    lived = lived_after_sigterm(log.text)
    kube.observed.measure(f"pod/{name} SIGTERM to its last stamp (node clock)", lived)
    tolerance = timeouts(KILL_TOLERANCE_S)
    assert grace - 2 <= lived <= grace + tolerance, (
        f"the process lived {lived:.1f}s after SIGTERM until its SIGKILL (node uptime, within "
        f"{STAMP_TICK_S}s); expected the grace period {grace}s (-2s, +{tolerance:.0f}s){kube.last_events(name)}")


@pytest.mark.aside
@pytest.mark.catalog("R5")
def test_a_process_that_exits_on_sigterm_ends_before_the_grace_period(kube, timeouts):
    """The log is followed from before the delete, so that the handler's line is read although
    the pod is gone a moment after it."""
    name = _start(kube, pods.pod("exits-on-sigterm", pods.EXITS_ON_SIGTERM, grace_period=30))
    log = kube.follow_log(name)
    started = time.monotonic()
    kube.delete_pod(name)
    kube.wait_pod(name, c.gone(), timeouts.delete(30))
    took = time.monotonic() - started
    assert took < 15, f"the pod took {took:.1f}s to go although its process exits on SIGTERM (grace 30s)"
    log.ended.wait(timeouts(5))
    assert "got SIGTERM" in log.text, \
        f"the pod went in {took:.1f}s, but its process never said it got SIGTERM; its log:\n{log.text}"


@pytest.mark.aside
@pytest.mark.catalog("R5")
def test_force_delete_with_grace_period_0_removes_the_object_at_once(kube, timeouts):
    """kubectl delete --grace-period=0 --force sends gracePeriodSeconds=0."""
    name = _start(kube, pods.pod("forced", pods.IGNORES_SIGTERM, grace_period=30))
    started = time.monotonic()
    kube.delete_pod(name, grace_period=0)
    kube.wait_pod(name, c.gone(), timeouts(5))
    took = time.monotonic() - started
    assert took < timeouts(3), f"the object took {took:.1f}s to go after a forced delete"


@pytest.mark.aside
@pytest.mark.catalog("R5")
def test_grace_period_0_in_the_spec_deletes_without_waiting(kube, timeouts):
    name = _start(kube, pods.pod("no-grace", pods.IGNORES_SIGTERM, grace_period=0))
    started = time.monotonic()
    kube.delete_pod(name)
    kube.wait_pod(name, c.gone(), timeouts(30))
    took = time.monotonic() - started
    assert took < timeouts(5), f"the pod took {took:.1f}s to go with terminationGracePeriodSeconds 0"


# The preStop hook and the SIGTERM handler stamp their lines with UPTIME. The handler runs as soon
# as the signal arrives (as in STAMPS_UNTIL_KILLED), and the hook lasts PRESTOP_S.
PRESTOP_S = 5
PRESTOP_MAIN = pods.shell(f"""trap 'echo "got SIGTERM at {UPTIME}"; sleep 5; exit 0' TERM; echo started; """
                          "while true; do sleep 1 & wait $!; done")
PRESTOP_HOOK = ["sh", "-c", f'echo "preStop began at {UPTIME}" > /proc/1/fd/1; sleep {PRESTOP_S}; '
                            f'echo "preStop ended at {UPTIME}" > /proc/1/fd/1']


def prestop_times(log: str) -> dict[str, float]:
    """{"began": ..., "ended": ..., "sigterm": ...}: the node's uptime at each, from the log."""
    found = {key: stamps(log, what)
             for key, what in (("began", "preStop began"), ("ended", "preStop ended"), ("sigterm", "got SIGTERM"))}
    missing = [key for key, times in found.items() if not times]
    assert found["began"] or found["ended"], "the preStop hook left no trace in the log (no 'preStop began' nor " \
                                             f"'preStop ended' line)\nthe log:\n{log}"
    assert not missing, f"no line for {', '.join(missing)} in the log:\n{log}"
    return {key: times[0] for key, times in found.items()}


def assert_sigterm_after_prestop(log: str, hook_s: float = PRESTOP_S) -> None:
    t = prestop_times(log)
    assert t["ended"] - t["began"] >= hook_s - 0.5, \
        f"the preStop hook lasted {t['ended'] - t['began']:.2f}s, it sleeps {hook_s}s; log:\n{log}"
    assert t["sigterm"] >= t["ended"], (
        f"SIGTERM arrived {t['ended'] - t['sigterm']:.2f}s before the preStop hook finished "
        f"(hook {t['began']:.2f}..{t['ended']:.2f}, SIGTERM {t['sigterm']:.2f}, node uptime); log:\n{log}")


@pytest.mark.aside
@pytest.mark.catalog("R5", "P5")
def test_the_prestop_hook_runs_before_sigterm(kube, timeouts):
    """SIGTERM must come after the hook has finished, not merely after it began: the hook lasts
    PRESTOP_S and both stamp their lines with the node's uptime."""
    doc = pods.pod("prestop", PRESTOP_MAIN, grace_period=30, lifecycle={"preStop": {"exec": {"command": PRESTOP_HOOK}}})
    delete_after_prestop(kube, timeouts, doc)


def delete_after_prestop(kube, timeouts, doc: dict) -> None:
    """Start the pod, delete it, and check its log: the hook ran, for its length, before SIGTERM."""
    name = _start(kube, doc)
    log = kube.follow_log(name)
    kube.delete_pod(name)
    text = kube.wait(log, c.text_contains("got SIGTERM"), timeouts(PRESTOP_S) + timeouts.container_event)
    try:
        assert_sigterm_after_prestop(text)
    except AssertionError as e:
        events = kube.last_events(name)
        hook_event = "" if "FailedPreStopHook" in events else "; no FailedPreStopHook event"
        raise AssertionError(f"{str(e).splitlines()[0]}{hook_event}{events}\n" + "\n".join(str(e).splitlines()[1:])) \
            from None


@pytest.mark.catalog("R2")
def test_kubectl_run_dry_run_writes_the_guides_myweb2_manifest_which_then_runs(kube, kubectl):
    image = kube.image("nginx:1.25.3-alpine")
    generated = kubectl("run", "myweb2", f"--image={image}", "--port=80", "--dry-run=client", "-o", "yaml").check()
    doc = yaml.safe_load(generated.stdout)
    assert doc["metadata"]["labels"] == {"run": "myweb2"}
    container = doc["spec"]["containers"][0]
    assert container["ports"] == [{"containerPort": 80}]
    assert doc["spec"]["restartPolicy"] == "Always"
    assert doc["spec"]["dnsPolicy"] == "ClusterFirst"
    assert kube.core.list_namespaced_pod(kube.namespace).items == [], "--dry-run=client created something"
    kubectl("apply", "-f", "-", stdin=generated.stdout).check()
    kube.wait_pod("myweb2", c.pod_running())


@pytest.mark.aside
@pytest.mark.slow(40)
@pytest.mark.catalog("R3")
def test_mysql57_without_a_root_password_crashes_and_says_why(kube, timeouts):
    """The restarts must be spaced by the kubelet's back-off: the second restart at least the
    initial delay after the container's second exit, the third at least twice that (10 s and
    20 s by default; the node's own settings are read, fixtures/backoff.py, and where they
    cannot be the least legal back-off, 1 s, is assumed). A kubelet that restarts at once
    reaches the restart count as well; only the gaps tell."""
    history = backoff.RestartHistory("mysql57-container")
    kube.apply("mysql-pod")
    pod = kube.wait_pod("mysql57-pod", history.recording(c.Condition(
        "terminated with Error (the guide's STATUS Error)",
        lambda p: (cs := c.container_status(p, "mysql57-container")) is not None and
        ((cs.state.terminated and cs.state.terminated.reason == "Error") or
         (cs.last_state.terminated and cs.last_state.terminated.reason == "Error")))))
    cs = c.container_status(pod, "mysql57-container")
    ended = cs.state.terminated or cs.last_state.terminated
    assert ended.exit_code != 0
    pod = kube.wait_pod("mysql57-pod", history.recording(c.container_waiting("mysql57-container", "CrashLoopBackOff")))
    spacing = backoff.for_node(kube.cluster.api, pod.spec.node_name)
    pod = kube.wait_pod("mysql57-pod", history.spaced(RESTART_GAPS),
                        timeouts(90) + sum(spacing.floor(n) for n in range(RESTART_GAPS + 1)))
    assert pod.status.phase == "Running", f"phase {pod.status.phase}: restartPolicy Always keeps the pod Running"
    too_soon = history.too_soon(spacing)
    assert not too_soon, (f"mysql57-container was restarted sooner than the kubelet's back-off "
                          f"({spacing}) allows:\n" + "\n".join(too_soon) + f"\ninstances: {history.render()}")
    kube.wait(kube.watch_log("mysql57-pod", "mysql57-container"),
              c.text_contains("Database is uninitialized and password option is not specified"),
              timeouts.container_event)


@pytest.mark.aside_with_dns
@pytest.mark.reaches_service
@pytest.mark.catalog("R4")
def test_mysql57_with_a_root_password_answers_a_query_through_mysql_svc_13306(kube, timeouts):
    """Asked at the pod's own IP first (until the server is up), then through mysql-svc by
    ClusterIP, then by name: a failure names the broken layer (fixtures/services.py)."""
    docs = kube.manifest("mysql-pod-password")
    password = next(e["value"] for e in docs[0]["spec"]["containers"][0]["env"] if e["name"] == "MYSQL_ROOT_PASSWORD")
    kube.apply(docs)
    kube.apply("mysql-svc")
    pod = kube.wait_pod("mysql57-pod", c.pod_ready())
    assert pod.status.phase == "Running"
    client = services.client(kube, "mysql-client", image="mysql:5.7", env=[{"name": "PW", "value": password}])
    services.wait_endpoints(kube, "mysql-svc", {pod.status.pod_ip}, 3306, timeouts.pod_start)
    query = 'mysql --connect-timeout=5 -h {host} -P {port} -uroot -p"$PW" -N -e "SELECT 6*7"'
    # The server takes a few seconds to initialize its data directory after the container starts:
    # the pod is asked at its own IP until it answers (MYSQL_START_ATTEMPTS, a second apart).
    out = services.reach(kube, "mysql-svc", 13306, client, query, "42", backend=(pod.status.pod_ip, 3306),
                         backend_attempts=MYSQL_START_ATTEMPTS)
    assert "42" in out.split(), f"the query through mysql-svc:13306 returned:\n{out}"


def _local_addresses(kube, pod: str, container: str) -> set[str]:
    return procnet.local_addresses(kube.exec(pod, ["cat", "/proc/net/fib_trie"], container=container))


def _network_namespace(kube, pod: str, container: str) -> str:
    return kube.exec(pod, ["readlink", "/proc/self/ns/net"], container=container).strip()


@pytest.mark.aside
@pytest.mark.catalog("R6")
def test_two_containers_of_one_pod_reach_each_other_on_localhost(kube):
    """Each container answers on localhost with what only it has: nginx's page in web, a token
    written into client's own filesystem served by busybox httpd on 8080. Both containers are in
    one network namespace (the same /proc/self/ns/net), whose own address is the pod's IP (read
    from the kernel's table of local addresses, not /etc/hosts, which the kubelet writes)."""
    token = f"client-of-{kube.namespace}"
    doc = pods.pod("shared-net", pods.shell(f"mkdir /www && echo {token} > /www/index.html && "
                                            "exec httpd -f -p 8080 -h /www"), container="client", grace_period=1)
    doc["spec"]["containers"].insert(0, {"name": "web", "image": "nginx:1.25.3-alpine"})
    kube.apply(doc)
    pod = kube.wait_pod("shared-net", c.pod_ready())
    page = kube.exec("shared-net", ["wget", "-qO-", "http://localhost:80/"], container="client")
    assert "Welcome to nginx!" in page, f"the client container got from localhost:80:\n{page[:300]}"
    answer = kube.exec("shared-net", ["curl", "-sS", "--max-time", "5", "--retry", "5", "--retry-connrefused",
                                      "http://localhost:8080/"], container="web")
    assert answer.strip() == token, f"the web container got from localhost:8080 {answer[:300]!r}, expected {token!r}"

    assert_one_network_namespace(kube, [("shared-net", "web"), ("shared-net", "client")], pod.status.pod_ip)


def assert_one_network_namespace(kube, containers: list[tuple[str, str]], pod_ip: str) -> None:
    """The containers (pod, container) share one network namespace, whose own address is pod_ip."""
    namespaces = {f"{p}/{name}": _network_namespace(kube, p, name) for p, name in containers}
    assert len(set(namespaces.values())) == 1 and all(v.startswith("net:[") for v in namespaces.values()), \
        f"the containers are in different network namespaces: {namespaces}"
    addresses = {f"{p}/{name}": _local_addresses(kube, p, name) for p, name in containers}
    for name, found in addresses.items():
        assert found == {pod_ip}, \
            f"container {name}'s network namespace has the addresses {sorted(found)}, the pod's IP is {pod_ip}"


# -- beyond the guide: in-place resize (X6) ------------------------------------------------------

IN_PLACE_RESIZE = "in-place resize through the pod's resize subresource"
# The container's own CPU quota and memory limit, as cgroup v2 and v1 show them inside it.
CGROUP_READ = ("cat /sys/fs/cgroup/cpu.max 2>/dev/null || "
               "echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us); "
               "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes")


def _resize(kube, name: str, container: str, requests: dict, limits: dict) -> None:
    body = {"spec": {"containers": [{"name": container, "resources": {"requests": requests, "limits": limits}}]}}
    kube.core.patch_namespaced_pod_resize(name, kube.namespace, body)
    kube.timeline.note(f"pod/{name}", f"resize requested: requests {requests}, limits {limits}")


def _cgroup(kube, name: str, container: str) -> tuple[float, int]:
    """(CPU cores the quota allows, memory limit in bytes) as the container's cgroup says."""
    cpu, memory = kube.exec(name, ["sh", "-c", CGROUP_READ], container).split("\n")[:2]
    quota, period = cpu.split()
    return (float("inf") if quota in ("max", "-1") else int(quota) / int(period)), int(memory)


def _applied(container: str, **limits: str) -> c.Condition:
    def met(pod):
        cs = c.container_status(pod, container)
        have = (cs.resources.limits or {}) if cs is not None and cs.resources else {}
        return all(have.get(k) == v for k, v in limits.items()) and c.find_condition(pod, "PodResizeInProgress") is None
    said = ", ".join(f"{k} {v}" for k, v in limits.items())
    return c.Condition(f"showing container {container}'s limits {said} applied (status.resources, no resize in "
                       f"progress)", met, c.terminal_unless())


@pytest.mark.aside
@pytest.mark.needs_server(33, IN_PLACE_RESIZE)
@pytest.mark.catalog("X6")
def test_a_cpu_resize_with_resize_policy_not_required_applies_without_a_restart(kube, timeouts):
    kube.apply("beyond/resizable-web")
    pod = kube.wait_pod("resizable-web", c.pod_ready())
    before = c.container_status(pod, "web").container_id
    assert _cgroup(kube, "resizable-web", "web")[0] == pytest.approx(0.2), "the container's CPU quota before the resize"
    _resize(kube, "resizable-web", "web", {"cpu": "200m", "memory": "64Mi"}, {"cpu": "400m", "memory": "128Mi"})
    pod = kube.wait_pod("resizable-web", _applied("web", cpu="400m"), timeouts.container_event)
    web = c.container_status(pod, "web")
    assert (web.container_id, web.restart_count) == (before, 0), \
        f"the CPU resize restarted the container (id {web.container_id}, was {before}; restartCount {web.restart_count})"
    cores, _ = _cgroup(kube, "resizable-web", "web")
    assert cores == pytest.approx(0.4), f"the container's cgroup allows {cores} CPU after the resize to 400m"


@pytest.mark.aside
@pytest.mark.needs_server(33, IN_PLACE_RESIZE)
@pytest.mark.catalog("X6")
def test_a_memory_resize_with_resize_policy_restart_container_restarts_it_once(kube, timeouts):
    kube.apply("beyond/resizable-web")
    kube.wait_pod("resizable-web", c.pod_ready())
    _resize(kube, "resizable-web", "web", {"cpu": "100m", "memory": "64Mi"}, {"cpu": "200m", "memory": "256Mi"})
    pod = kube.wait_pod("resizable-web", c.all_of(_applied("web", memory="256Mi"), c.container_restarted("web", 1),
                                                  c.pod_ready()), timeouts.container_event)
    assert c.restart_count(pod, "web") == 1, f"restartCount {c.restart_count(pod, 'web')} after one memory resize"
    _, memory = _cgroup(kube, "resizable-web", "web")
    assert memory == 256 * 2**20, f"the container's cgroup limits memory to {memory} bytes after the resize to 256Mi"


@pytest.mark.aside
@pytest.mark.needs_server(33, IN_PLACE_RESIZE)
@pytest.mark.catalog("X6")
def test_a_resize_no_node_can_fit_is_refused_or_infeasible_and_the_pod_keeps_running(kube, timeouts):
    """Since v1.36 the API server refuses a resize beyond the node's allocatable at once (403,
    cause NodeCapacity); before, the kubelet takes it and marks it PodResizePending, reason
    Infeasible. Either way nothing is applied and the pod runs on."""
    kube.apply("beyond/resizable-web")
    kube.wait_pod("resizable-web", c.pod_ready())
    try:
        _resize(kube, "resizable-web", "web", {"cpu": "1000", "memory": "64Mi"}, {"cpu": "1000", "memory": "128Mi"})
    except ApiException as e:
        assert e.status == 403 and "NodeCapacity" in (e.body or ""), \
            f"the resize to 1000 CPUs was refused, but not for the node's capacity: {e.status} {e.reason} {e.body}"
        kube.timeline.note("pod/resizable-web", "resize refused for the node's capacity")
        pod = kube.wait_pod("resizable-web", c.throughout(3, c.pod_ready()), timeouts(10))
    else:
        pod = kube.wait_pod("resizable-web", c.pod_condition("PodResizePending", "True", reason="Infeasible"),
                            timeouts.container_event)
    web = c.container_status(pod, "web")
    assert pod.status.phase == "Running" and web.restart_count == 0, \
        f"a resize no node can fit left the pod {pod.status.phase} with restartCount {web.restart_count}"
    assert (web.resources.requests or {}).get("cpu") == "100m", \
        f"status.resources shows requests {web.resources.requests} although the resize could not be applied"
