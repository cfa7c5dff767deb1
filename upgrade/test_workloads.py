"""Long-running workloads across an upgrade: created before it (--upgrade-phase=before), checked
after it (--upgrade-phase=after) and then removed. What the cluster must keep: the objects, their
identity (a Pod's UID), the Deployment's pods without a rollout, the Service reaching them. A
kubelet replaced in place leaves the containers it did not create running; the test records
restart counts and asserts that none went up."""

import json

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from fixtures import conditions as c
from fixtures import pods
from fixtures.kube import Kube

NAMESPACE = "pod-conformance-upgrade"
STATE = "before-upgrade"


@pytest.fixture
def phase(run):
    value = run.value("upgrade_phase")
    if value not in ("before", "after"):
        raise pytest.UsageError("upgrade/ runs with --upgrade-phase=before or --upgrade-phase=after")
    return value


@pytest.fixture
def workloads(run) -> Kube:
    return run.kube(NAMESPACE)


# The suite that runs between the two phases taints nodes NoExecute and stops a kubelet on
# purpose; the workloads tolerate that, so that only the upgrade can be what they did not survive.
TOLERATE_ALL = [{"operator": "Exists"}]


def _steady() -> dict:
    doc = pods.pod("steady", ["sleep", "2147483647"], grace_period=1)
    doc["spec"]["tolerations"] = TOLERATE_ALL
    return doc


def _deployment() -> dict:
    template = pods.pod("web", None, image="nginx:1.25.3", labels={"app": "web"})
    template["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}}
    template["spec"]["tolerations"] = TOLERATE_ALL
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": template["metadata"], "spec": template["spec"]}}}


def _snapshot(kube: Kube) -> dict:
    found = {}
    for p in kube.core.list_namespaced_pod(NAMESPACE).items:
        found[p.metadata.name] = {"uid": p.metadata.uid, "node": p.spec.node_name,
                                  "restarts": {cs.name: cs.restart_count for cs in p.status.container_statuses or []}}
    return found


def test_long_running_workloads_survive_the_upgrade(phase, workloads, cluster, timeouts):
    kube, core = workloads, cluster.core
    if phase == "before":
        try:
            core.delete_namespace(NAMESPACE)
            kube.wait(kube.watch_namespace(), c.gone(), timeouts.namespace_delete)
        except ApiException as e:
            assert e.status == 404, e
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(
            name=NAMESPACE, labels={"pod-conformance/upgrade-workloads": "true"})))
        kube.apply(_steady())
        kube.apply(_deployment())
        kube.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
        kube.wait_pod("steady", c.pod_ready())
        kube.wait(kube.watch_deployment("web"), c.deployment_available(2), timeouts.pod_start)
        kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": STATE},
                    "data": {"pods": json.dumps(_snapshot(kube)), "version": cluster.version}})
        return

    state = core.read_namespaced_config_map(STATE, NAMESPACE)
    before = json.loads(state.data["pods"])
    assert state.data["version"] != cluster.version, \
        f"the server still reports {cluster.version}, as before the upgrade: no upgrade happened"
    now = _snapshot(kube)
    assert "steady" in now, "the bare Pod created before the upgrade is gone"
    assert now["steady"]["uid"] == before["steady"]["uid"], "the bare Pod was replaced (new UID)"
    kube.wait_pod("steady", c.pod_ready(), timeouts.pod_start)
    kube.wait(kube.watch_deployment("web"), c.deployment_available(2), timeouts.pod_start)
    now = _snapshot(kube)
    assert set(now) == set(before), f"pods before the upgrade {sorted(before)}, after {sorted(now)}"
    restarted = {name: (before[name]["restarts"], now[name]["restarts"]) for name in now
                 if now[name]["restarts"] != before[name]["restarts"]}
    assert not restarted, f"containers restarted across the upgrade (before, after): {restarted}"
    page = kube.run_to_completion(pods.http_get("upgrade-client", f"http://web.{NAMESPACE}.svc.cluster.local/"))
    assert "Welcome to nginx!" in page
    core.delete_namespace(NAMESPACE)
