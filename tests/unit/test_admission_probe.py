"""The run's admission probe (fixtures/admission_probe.py): the guide's pods, dry-run once before
any test; what is refused, said once with the Pod Security level that admits them."""

import json

import pytest
from kubernetes.client.rest import ApiException

from fixtures import admission_probe, namespaces, settings


class PodSecurityCluster:
    """Admits a pod where the namespace's enforce label is at or above `needs`; counts calls."""

    ORDER = ("restricted", "baseline", "privileged")

    def __init__(self, default="restricted", needs="baseline", other_refusal=None):
        self.default, self.needs, self.other = default, needs, other_refusal
        self.labels, self.dry_runs, self.deleted = {}, [], []

    def create_namespace(self, body):
        self.labels[body.metadata.name] = dict(body.metadata.labels)

    def create_namespaced_pod(self, namespace, body, dry_run=None):
        assert dry_run == "All" and body["metadata"]["namespace"] == namespace
        self.dry_runs.append(body["metadata"]["name"])
        level = self.labels[namespace].get(namespaces.POD_SECURITY_LABEL, self.default)
        if self.other:
            raise ApiException(status=403, reason="Forbidden") from None
        if self.ORDER.index(level) < self.ORDER.index(self.needs):
            e = ApiException(status=403, reason="Forbidden")
            e.body = json.dumps({"message": f'pods "{body["metadata"]["name"]}" is forbidden: violates PodSecurity '
                                            f'"{level}:latest": ...'})
            raise e

    def delete_collection_namespaced_pod(self, name, **kw):
        pass

    def delete_namespace(self, name, **kw):
        self.deleted.append(name)


def test_every_pod_of_the_guide_is_probed():
    names = [p["metadata"]["name"] for p in admission_probe.guide_pods()]
    assert {"myweb1", "log-pod", "blog-web", "liveness-exec", "weather-pod", "sch-test4", "myapp-pod"} <= set(names)


def test_a_cluster_that_admits_the_guides_pods_passes_with_nothing_said():
    cluster = PodSecurityCluster(default="privileged")
    assert admission_probe.check(cluster, "run-1", None) is None
    assert len(cluster.dry_runs) == len(admission_probe.guide_pods()) and len(cluster.deleted) == 1


def test_restricted_by_default_stops_the_run_once_naming_the_level_and_the_option():
    cluster = PodSecurityCluster(default="restricted", needs="baseline")
    error = admission_probe.check(cluster, "run-1", None)
    lines = error.splitlines()
    assert lines[0].startswith("the cluster refuses the guide's pods in a namespace made as the suite makes its own")
    assert lines[1].startswith("  pod/") and 'violates PodSecurity "restricted:latest"' in lines[1]
    assert lines[4] == f"  and {len(admission_probe.guide_pods()) - 3} more pods"
    assert "need Pod Security level 'baseline'" in lines[5] and "pass --pod-security-level baseline" in lines[5]
    assert sorted(cluster.deleted) == sorted(cluster.labels), "a probe namespace stays"
    assert [labels.get(namespaces.POD_SECURITY_LABEL) for labels in cluster.labels.values()] == [
        None, "restricted", "baseline"], "each level is probed in a namespace made with its label"


def test_with_the_option_the_probe_namespace_is_labelled_and_admitted():
    cluster = PodSecurityCluster(default="restricted", needs="baseline")
    assert admission_probe.check(cluster, "run-1", "baseline") is None


def test_a_refusal_no_pod_security_level_lifts_is_blamed_on_another_admission_step():
    error = admission_probe.check(PodSecurityCluster(other_refusal=True), "run-1", None)
    assert "No Pod Security level admits them all" in error and "403 Forbidden" in error


def test_a_level_that_is_not_one_is_a_usage_error():
    class Config:
        def getoption(self, name):
            return "strict" if name == "pod_security_level" else None

        def getini(self, name):
            return ""
    with pytest.raises(pytest.UsageError, match="--pod-security-level: 'strict' from --pod-security-level is not a "
                                                "Pod Security level. Valid: privileged, baseline, restricted."):
        settings.resolve(Config(), "pod_security_level")
