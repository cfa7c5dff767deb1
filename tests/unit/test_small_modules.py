import datetime as dt

from kubernetes import client
from kubernetes.client.rest import ApiException

from fixtures import catalog, diagnostics, manifests, pods, timeouts
from fixtures.errors import ClusterUnreachable, ConditionImpossible, ManifestError, SuiteError, WaitTimeout
from kubeobjects import container_status, pod


def test_timeouts_scale_every_kind_of_wait():
    t = timeouts.Timeouts(2.5)
    assert t.pod_start == timeouts.POD_START_S * 2.5
    assert t.pod_schedule == timeouts.POD_SCHEDULE_S * 2.5
    assert t.container_event == timeouts.CONTAINER_EVENT_S * 2.5
    assert t.namespace_delete == timeouts.NAMESPACE_DELETE_S * 2.5
    assert t(10) == 25
    assert t.delete(30) == 30 + timeouts.DELETE_EXTRA_S * 2.5
    assert timeouts.Timeouts().pod_start == timeouts.POD_START_S


def test_catalog_check_ids():
    assert catalog.check_ids("R1", "Y1", "N6") == []
    assert catalog.check_ids("R1", "X9", "r1", "") == ["X9", "r1", ""]


def test_errors_are_suite_errors_and_waits_fail_as_assertions():
    for e in (ClusterUnreachable, ManifestError, WaitTimeout, ConditionImpossible):
        assert issubclass(e, SuiteError)
    assert issubclass(WaitTimeout, AssertionError) and issubclass(ConditionImpossible, AssertionError)
    assert not issubclass(ManifestError, AssertionError)


def test_pods_pod_builder():
    doc = pods.pod("sig", pods.IGNORES_SIGTERM, grace_period=5, node_selector={"kubernetes.io/hostname": "k8s-node1"},
                   restart_policy="Never", ports=[{"containerPort": 80}])
    assert doc["metadata"] == {"name": "sig", "labels": {"app": "sig"}}
    assert doc["spec"]["terminationGracePeriodSeconds"] == 5
    assert doc["spec"]["restartPolicy"] == "Never"
    (c,) = doc["spec"]["containers"]
    assert c == {"name": "main", "image": pods.BUSYBOX, "ports": [{"containerPort": 80}],
                 "command": ["sh", "-c", c["command"][2]]}
    assert "trap" in c["command"][2]
    bare = pods.pod("plain")
    assert "command" not in bare["spec"]["containers"][0]
    assert "terminationGracePeriodSeconds" not in bare["spec"] and "nodeSelector" not in bare["spec"]


def test_pods_pod_builder_goes_through_substitutions():
    doc = pods.pod("p", node_selector={"kubernetes.io/hostname": "k8s-node1"})
    out = manifests.substitute(doc, manifests.Substitutions(
        namespace="ns", nodes={"k8s-node1": "w1"}, images={"docker.io/library/busybox:1.28": "r/busybox:1.28"}))
    assert out["spec"]["nodeSelector"] == {"kubernetes.io/hostname": "w1"}
    assert out["spec"]["containers"][0]["image"] == "r/busybox:1.28"


# -- diagnostics -------------------------------------------------------------------------------

def event(reason, message, seconds, *, count=1, type_="Normal"):
    return client.CoreV1Event(
        metadata=client.V1ObjectMeta(name=f"e-{reason}"), reason=reason, message=message, type=type_, count=count,
        involved_object=client.V1ObjectReference(kind="Pod", name="web"),
        last_timestamp=dt.datetime(2024, 1, 1, 12, 0, seconds, tzinfo=dt.timezone.utc))


class FakeCore:
    def __init__(self, events=(), pods_=(), logs=None, broken=()):
        self.events, self.pods, self.logs, self.broken = list(events), list(pods_), logs or {}, broken

    def list_namespaced_event(self, namespace):
        if "events" in self.broken:
            raise ApiException(status=403, reason="Forbidden")
        return client.CoreV1EventList(items=self.events)

    def list_namespaced_pod(self, namespace):
        if "pods" in self.broken:
            raise ApiException(status=500, reason="Internal")
        return client.V1PodList(items=self.pods)

    def read_namespaced_pod_log(self, name, namespace, container, previous, tail_lines):
        key = (name, container, previous)
        if key not in self.logs:
            raise ApiException(status=400, reason="Bad Request")
        return self.logs[key]


def test_events_in_time_order():
    core = FakeCore(events=[event("Started", "Started container app", 30),
                            event("Pulled", "image present", 10, count=3),
                            event("BackOff", "Back-off restarting", 50, type_="Warning")])
    lines = diagnostics.events(core, "ns").splitlines()
    assert [line.split()[2] for line in lines] == ["Pulled", "Started", "BackOff"]
    assert lines[0].startswith("12:00:10 Normal") and lines[0].endswith("pod/web: image present (x3)")
    assert diagnostics.events(FakeCore(), "ns") == "(no events)"


def test_gather_pods_logs_and_unreadable_sections():
    p = pod("web", phase="Running", statuses=[container_status("app", running=True, restarts=1)],
            conditions=[("Ready", "False", "ContainersNotReady")])
    core = FakeCore(pods_=[p], logs={("web", "app", False): "now\n", ("web", "app", True): ""}, broken=("events",))
    sections = diagnostics.gather(core, "ns")
    assert sections["events in ns"].startswith("(could not be read:")
    assert sections["pods in ns"].splitlines()[0] == "pod/web: Running Ready=False(ContainersNotReady) app=running restarts=1"
    assert sections["log web/app"] == "now\n"
    assert sections["log web/app (previous)"] == "(empty)"

    sections = diagnostics.gather(FakeCore(broken=("pods",)), "ns")
    assert sections["pods in ns"].startswith("(could not be read:")
    assert sections["logs"].startswith("(could not be read:")
    assert sections["events in ns"] == "(no events)"


def test_the_labels_given_must_come_back_and_the_clusters_own_additions_are_its_right():
    given = {"key1": "value1", "key2": "value2"}
    assert pods.labels_set_by(given, {"key1": "value1", "key2": "value2"}) == (None, {})
    assert pods.labels_set_by(given, {"key1": "value1", "key2": "value2", "example.com/injected": "yes"}) == (
        None, {"example.com/injected": "yes"})
    assert pods.labels_set_by(given, {"key1": "other", "key2": "value2"})[0] == (
        "{'key1': 'other'} where {'key1': 'value1', 'key2': 'value2'} was given")
    assert pods.labels_set_by(given, {"key1": "value1"})[0] == "{'key2': None} where " + str(given) + " was given"
    assert pods.labels_set_by({"key": "value"}, None)[0] == "{'key': None} where {'key': 'value'} was given"
