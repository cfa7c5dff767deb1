import copy

import pytest

from fixtures import admission

NOT_READY = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}
UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
               "tolerationSeconds": 300}


def manifest(**spec) -> dict:
    base = {"containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"],
                            "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 2}}]}
    base.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": base}


def stored_for(doc: dict) -> dict:
    """What a plain API server stores: defaults filled in, the two default tolerations added."""
    out = copy.deepcopy(doc)
    spec = out["spec"]
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    for c in spec.get("initContainers", []) + spec["containers"]:
        c.setdefault("imagePullPolicy", "IfNotPresent")
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c["volumeMounts"] = [{"name": "kube-api-access-x", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            if probe in c:
                c[probe] = {"timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3, "periodSeconds": 10,
                            **c[probe]}
    spec["tolerations"] = list(spec.get("tolerations", [])) + [NOT_READY, UNREACHABLE]
    return out


def drift_text(doc, stored) -> list[str]:
    return [str(d) for d in admission.pod_drift(doc, stored)]


def test_a_pod_stored_with_only_api_defaults_and_the_default_tolerations_has_no_drift():
    doc = manifest(tolerations=[{"key": "cputype", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}],
                   nodeSelector={"cputype": "gpu"},
                   initContainers=[{"name": "init", "image": "busybox", "args": ["true"]}])
    assert admission.pod_drift(doc, stored_for(doc)) == []


def test_a_grace_period_the_manifest_sets_and_the_server_changes_is_drift():
    doc = manifest(terminationGracePeriodSeconds=10)
    stored = stored_for(doc)
    stored["spec"]["terminationGracePeriodSeconds"] = 3
    assert drift_text(doc, stored) == [
        "changed at admission: spec.terminationGracePeriodSeconds manifest=10 stored=3"]


def test_a_grace_period_or_restart_policy_the_manifest_leaves_out_is_a_default():
    doc = manifest()
    stored = stored_for(doc)
    stored["spec"]["terminationGracePeriodSeconds"] = 3      # not 30, but the manifest left it to the server
    assert admission.pod_drift(doc, stored) == []


def test_a_changed_restart_policy_is_drift():
    doc = manifest(restartPolicy="Never")
    stored = stored_for(doc)
    stored["spec"]["restartPolicy"] = "OnFailure"
    assert drift_text(doc, stored) == ["changed at admission: spec.restartPolicy manifest=Never stored=OnFailure"]


def test_an_added_toleration_is_drift_and_the_default_ones_are_left_out_of_the_message():
    doc = manifest()
    stored = stored_for(doc)
    stored["spec"]["tolerations"].insert(0, {"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"})
    assert drift_text(doc, stored) == [
        "changed at admission: spec.tolerations manifest=(not set) stored=[\"dedicated:NoSchedule\"]"]


def test_a_removed_or_changed_toleration_is_drift():
    doc = manifest(tolerations=[{"key": "cputype", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}])
    removed = stored_for(doc)
    removed["spec"]["tolerations"] = [NOT_READY, UNREACHABLE]
    assert [d.field for d in admission.pod_drift(doc, removed)] == ["spec.tolerations"]
    changed = stored_for(doc)
    changed["spec"]["tolerations"][0]["value"] = "cpu"
    (d,) = admission.pod_drift(doc, changed)
    assert (d.manifest, d.stored) == (["cputype=gpu:NoSchedule"], ["cputype=cpu:NoSchedule"])


def test_a_default_toleration_with_other_seconds_is_drift():
    doc = manifest()
    stored = stored_for(doc)
    stored["spec"]["tolerations"][1] = {**UNREACHABLE, "tolerationSeconds": 6000}
    (d,) = admission.pod_drift(doc, stored)
    assert d.stored == ["node.kubernetes.io/unreachable:NoExecute for 6000s"]


def test_a_missing_default_toleration_is_no_drift():
    """A cluster without DefaultTolerationSeconds stores the manifest's tolerations as they are."""
    doc = manifest()
    stored = stored_for(doc)
    stored["spec"]["tolerations"] = [UNREACHABLE]
    assert admission.pod_drift(doc, stored) == []


def test_no_default_toleration_is_expected_for_a_key_the_manifest_tolerates_already():
    own = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}
    doc = manifest(tolerations=[own])
    plain = stored_for(doc)
    plain["spec"]["tolerations"] = [own, UNREACHABLE]          # what the plugin does: unreachable only
    assert admission.pod_drift(doc, plain) == []
    doubled = stored_for(doc)                                  # own + not-ready default + unreachable default
    assert [d.field for d in admission.pod_drift(doc, doubled)] == ["spec.tolerations"]
    everything = manifest(tolerations=[{"operator": "Exists"}])
    stored = stored_for(everything)
    stored["spec"]["tolerations"] = [{"operator": "Exists"}]   # tolerates every taint: nothing added
    assert admission.pod_drift(everything, stored) == []


@pytest.mark.parametrize("field, sent, kept", [
    ("nodeSelector", {"kubernetes.io/hostname": "n1"}, {"kubernetes.io/hostname": "n2"}),
    ("nodeSelector", {"kubernetes.io/hostname": "n1"}, {"kubernetes.io/hostname": "n1", "zone": "a"}),
    ("nodeSelector", None, {"zone": "a"}),
    ("nodeName", None, "n3"),
    ("nodeName", "n1", "n2"),
], ids=["selector-value-changed", "selector-key-added", "selector-added", "node-name-added", "node-name-changed"])
def test_node_placement_fields_must_come_back_exactly(field, sent, kept):
    doc = manifest(**({field: sent} if sent is not None else {}))
    stored = stored_for(doc)
    stored["spec"][field] = kept
    (d,) = admission.pod_drift(doc, stored)
    assert (d.field, d.manifest, d.stored) == (f"spec.{field}", sent, kept)


def test_an_added_init_container_is_drift_naming_the_containers():
    doc = manifest()
    stored = stored_for(doc)
    stored["spec"]["initContainers"] = [{"name": "intruder", "image": "busybox"}]
    assert drift_text(doc, stored) == ["changed at admission: spec.initContainers manifest=(not set) "
                                       "stored=[\"intruder\"]"]


def test_a_removed_init_container_or_an_added_container_is_drift():
    doc = manifest(initContainers=[{"name": "init", "image": "busybox"}])
    stored = stored_for(doc)
    stored["spec"]["initContainers"] = []
    stored["spec"]["containers"].append({"name": "sidecar", "image": "busybox"})
    assert [(d.field, d.manifest, d.stored) for d in admission.pod_drift(doc, stored)] == [
        ("spec.initContainers", ["init"], None), ("spec.containers", ["main"], ["main", "sidecar"])]


def test_a_probe_setting_the_manifest_sets_must_come_back_and_a_defaulted_one_may_differ():
    doc = manifest()
    stored = stored_for(doc)
    stored["spec"]["containers"][0]["readinessProbe"]["periodSeconds"] = 30
    stored["spec"]["containers"][0]["readinessProbe"]["failureThreshold"] = 9    # not set by the manifest
    assert drift_text(doc, stored) == [
        "changed at admission: spec.containers[main].readinessProbe.periodSeconds manifest=2 stored=30"]


def test_a_probe_handler_changed_added_or_removed_is_drift():
    doc = manifest()
    changed = stored_for(doc)
    changed["spec"]["containers"][0]["readinessProbe"]["exec"]["command"] = ["true"]
    assert [d.field for d in admission.pod_drift(doc, changed)] == [
        "spec.containers[main].readinessProbe.exec.command"]
    added = stored_for(doc)
    added["spec"]["containers"][0]["livenessProbe"] = {"tcpSocket": {"port": 80}}
    (d,) = admission.pod_drift(doc, added)
    assert (d.field, d.manifest, d.stored) == ("spec.containers[main].livenessProbe", None, {"tcpSocket": {"port": 80}})
    removed = stored_for(doc)
    del removed["spec"]["containers"][0]["readinessProbe"]
    (d,) = admission.pod_drift(doc, removed)
    assert (d.field, d.stored) == ("spec.containers[main].readinessProbe", None)


def test_lifecycle_hooks_command_and_args_of_init_containers_and_containers_are_compared():
    hook = {"preStop": {"exec": {"command": ["sh", "-c", "sleep 5"]}}}
    doc = manifest(initContainers=[{"name": "init", "image": "busybox", "args": ["a"]}])
    doc["spec"]["containers"][0]["lifecycle"] = hook
    stored = stored_for(doc)
    stored["spec"]["initContainers"][0]["args"] = ["a", "b"]
    stored["spec"]["initContainers"][0]["command"] = ["sh"]
    stored["spec"]["containers"][0]["lifecycle"]["preStop"]["exec"]["command"] = ["true"]
    stored["spec"]["containers"][0]["command"] = ["sleep", "1"]
    assert [d.field for d in admission.pod_drift(doc, stored)] == [
        "spec.initContainers[init].command", "spec.initContainers[init].args",
        "spec.containers[main].command", "spec.containers[main].lifecycle.preStop.exec.command"]


def test_an_equal_number_of_another_type_is_no_drift_and_a_string_for_a_number_is():
    doc = manifest(terminationGracePeriodSeconds=10)
    stored = stored_for(doc)
    stored["spec"]["terminationGracePeriodSeconds"] = 10.0
    assert admission.pod_drift(doc, stored) == []
    doc["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}}
    stored = stored_for(doc)
    stored["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = "80"
    assert [d.field for d in admission.pod_drift(doc, stored)] == [
        "spec.containers[main].readinessProbe.httpGet.port"]


def test_describe_names_the_object_and_every_field_one_a_line():
    drifts = [admission.Drift("spec.restartPolicy", "Never", "Always"),
              admission.Drift("spec.initContainers", None, ["intruder"])]
    assert admission.describe(drifts, "pod/p") == (
        "pod/p: changed at admission: spec.restartPolicy manifest=Never stored=Always\n"
        "pod/p: changed at admission: spec.initContainers manifest=(not set) stored=[\"intruder\"]")


def test_kube_apply_fails_on_drift_before_returning_and_notes_it_on_the_timeline(monkeypatch):
    from kubernetes import client

    from fixtures import kube as kube_module, manifests
    from fixtures.cluster import Cluster
    from fixtures.errors import AdmissionDrift
    from fixtures.timeline import Timeline
    from fixtures.timeouts import Timeouts

    api = client.ApiClient()
    sent = []

    def create(api_client, doc, namespace):
        sent.append(doc)
        stored = stored_for(doc)
        stored["spec"]["terminationGracePeriodSeconds"] = 3
        return [api_client._ApiClient__deserialize(stored, "V1Pod")]

    monkeypatch.setattr(kube_module.utils, "create_from_dict", create)
    cluster = Cluster(api=api, kubeconfig="k", context="c", server="s", version="v", created_by_suite=False)
    timeline = Timeline()
    kube = kube_module.Kube(cluster, "ns", timeline, Timeouts(), manifests.Substitutions(namespace="ns"))
    with pytest.raises(AdmissionDrift) as raised:
        kube.apply(manifest(terminationGracePeriodSeconds=10))
    assert str(raised.value) == ("pod/p: changed at admission: spec.terminationGracePeriodSeconds "
                                 "manifest=10 stored=3")
    assert [e.summary for e in timeline.entries] == ["created",
                                                     "changed at admission: spec.terminationGracePeriodSeconds"]
    assert isinstance(raised.value, AssertionError)

    monkeypatch.setattr(kube_module.utils, "create_from_dict",
                        lambda api_client, doc, namespace: [api_client._ApiClient__deserialize(stored_for(doc), "V1Pod")])
    (pod,) = kube.apply(manifest(terminationGracePeriodSeconds=10))
    assert pod.spec.termination_grace_period_seconds == 10
