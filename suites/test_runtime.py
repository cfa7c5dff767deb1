"""Runtime containers (the guide's "Pod 관리" and "선언형/명령형 Pod 생성"): myweb1 behind
myweb-svc, and what deleting a Pod does."""

import time

import pytest
import yaml

from fixtures import backoff
from fixtures import conditions as c
from fixtures import pods

# A graceful delete ends within this much of the grace period: the kubelet's SIGKILL, its
# status report and the API's removal of the object (before --timeout-scale).
GRACE_TOLERANCE_S = 8
# Restart gaps checked against the kubelet's back-off: gaps 1 and 2 (the first restart comes at
# once), so that both the initial delay and its doubling are seen.
RESTART_GAPS = 2


@pytest.mark.catalog("R1")
def test_myweb1_runs_ready_and_serves_the_nginx_page_through_myweb_svc(kube, timeouts):
    """The guide's Service also asks for externalIPs 192.168.56.102: it is replaced by
    --external-ip, or dropped (no such address exists here)."""
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
    kube.wait(kube.watch_service_endpoints("myweb-svc"), c.endpoints_exactly({pod.status.pod_ip}, port=80),
              timeouts.pod_start)
    page = kube.run_to_completion(pods.http_get("http-client", "http://myweb-svc:8001/"))
    assert "Welcome to nginx!" in page, f"GET http://myweb-svc:8001/ returned:\n{page[:500]}"


@pytest.mark.catalog("R5")
def test_termination_grace_period_defaults_to_30_seconds(kube):
    kube.apply("myweb1-pod")
    stored = kube.pod("myweb1").spec.termination_grace_period_seconds
    assert stored == 30, f"terminationGracePeriodSeconds defaulted to {stored}, expected 30"


def _start(kube, doc) -> str:
    name = doc["metadata"]["name"]
    kube.apply(doc)
    kube.wait_pod(name, c.pod_running())
    kube.wait(kube.watch_log(name), c.text_contains("started"), kube.timeouts.container_event)
    return name


@pytest.mark.catalog("R5")
@pytest.mark.parametrize("grace", [10, 20], ids=lambda g: f"grace-period-{g}s")
def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(kube, timeouts, grace):
    name = _start(kube, pods.pod("ignores-sigterm", pods.IGNORES_SIGTERM, grace_period=grace))
    started = time.monotonic()
    kube.delete_pod(name)
    pod = kube.pod(name)
    assert pod.metadata.deletion_timestamp is not None, "deletionTimestamp not set right after the delete"
    kube.wait(kube.watch_log(name), c.text_contains("got SIGTERM"), grace)
    still_there = kube.pod(name)
    assert still_there.metadata.deletion_grace_period_seconds == grace
    kube.wait_pod(name, c.gone(), timeouts.delete(grace))
    took = time.monotonic() - started
    tolerance = timeouts(GRACE_TOLERANCE_S)
    assert grace - 1 <= took <= grace + tolerance, \
        f"the pod was gone {took:.1f}s after the delete; expected the grace period {grace}s (+{tolerance:.0f}s)"


@pytest.mark.catalog("R5")
def test_a_process_that_exits_on_sigterm_ends_before_the_grace_period(kube, timeouts):
    name = _start(kube, pods.pod("exits-on-sigterm", pods.EXITS_ON_SIGTERM, grace_period=30))
    started = time.monotonic()
    kube.delete_pod(name)
    kube.wait_pod(name, c.gone(), timeouts.delete(30))
    took = time.monotonic() - started
    assert took < 15, f"the pod took {took:.1f}s to go although its process exits on SIGTERM (grace 30s)"


@pytest.mark.catalog("R5")
def test_force_delete_with_grace_period_0_removes_the_object_at_once(kube, timeouts):
    """kubectl delete --grace-period=0 --force sends gracePeriodSeconds=0."""
    name = _start(kube, pods.pod("forced", pods.IGNORES_SIGTERM, grace_period=30))
    started = time.monotonic()
    kube.delete_pod(name, grace_period=0)
    kube.wait_pod(name, c.gone(), timeouts(5))
    took = time.monotonic() - started
    assert took < timeouts(3), f"the object took {took:.1f}s to go after a forced delete"


@pytest.mark.catalog("R5")
def test_grace_period_0_in_the_spec_deletes_without_waiting(kube, timeouts):
    name = _start(kube, pods.pod("no-grace", pods.IGNORES_SIGTERM, grace_period=0))
    started = time.monotonic()
    kube.delete_pod(name)
    kube.wait_pod(name, c.gone(), timeouts(30))
    took = time.monotonic() - started
    assert took < timeouts(5), f"the pod took {took:.1f}s to go with terminationGracePeriodSeconds 0"


@pytest.mark.catalog("R5", "P5")
def test_the_prestop_hook_runs_before_sigterm(kube, timeouts):
    doc = pods.pod("prestop", pods.shell("trap 'echo got SIGTERM; sleep 3; exit 0' TERM; echo started; "
                                         "while true; do sleep 1; done"), grace_period=30,
                   lifecycle={"preStop": {"exec": {"command": ["sh", "-c", "echo preStop ran > /proc/1/fd/1; sleep 1"]}}})
    name = _start(kube, doc)
    kube.delete_pod(name)
    log = kube.wait(kube.watch_log(name), c.text_contains("got SIGTERM"), timeouts.container_event)
    assert "preStop ran" in log, f"no sign of the preStop hook before SIGTERM; log:\n{log}"
    assert log.index("preStop ran") < log.index("got SIGTERM"), f"SIGTERM came before the preStop hook; log:\n{log}"


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


@pytest.mark.catalog("R4")
def test_mysql57_with_a_root_password_answers_a_query_through_mysql_svc_13306(kube, timeouts):
    docs = kube.manifest("mysql-pod-password")
    password = next(e["value"] for e in docs[0]["spec"]["containers"][0]["env"] if e["name"] == "MYSQL_ROOT_PASSWORD")
    kube.apply(docs)
    kube.apply("mysql-svc")
    pod = kube.wait_pod("mysql57-pod", c.pod_ready())
    assert pod.status.phase == "Running"
    # The server takes a few seconds to initialize its data directory after the container starts.
    query = ('for i in $(seq 60); do mysql --connect-timeout=5 -h mysql-svc -P 13306 -uroot -p"$PW" -N -e "SELECT 6*7" && exit 0; '
             'sleep 2; done; exit 1')
    client = pods.pod("mysql-client", pods.shell(query), image="mysql:5.7", restart_policy="Never",
                      env=[{"name": "PW", "value": password}])
    out = kube.run_to_completion(client, timeouts(180))
    assert "42" in out.split(), f"the query through mysql-svc:13306 returned:\n{out}"


@pytest.mark.catalog("R6")
def test_two_containers_of_one_pod_reach_each_other_on_localhost(kube):
    doc = pods.pod("shared-net", ["sleep", "3600"], container="client")
    doc["spec"]["containers"].insert(0, {"name": "web", "image": "nginx:1.25.3-alpine"})
    kube.apply(doc)
    kube.wait_pod("shared-net", c.pod_ready())
    page = kube.exec("shared-net", ["wget", "-qO-", "http://localhost:80/"], container="client")
    assert "Welcome to nginx!" in page, f"the client container got from localhost:80:\n{page[:300]}"
    web_ip = kube.exec("shared-net", ["hostname", "-i"], container="web").split()
    client_ip = kube.exec("shared-net", ["hostname", "-i"], container="client").split()
    assert web_ip == client_ip, f"the containers have different addresses: {web_ip} and {client_ip}"
