from types import SimpleNamespace

import pytest
from kubernetes import client

from fixtures import egress
from fixtures.errors import EgressUnknown, SuiteError, WaitTimeout
from fixtures.kube import Kube
from fixtures.manifests import Substitutions
from fixtures.timeline import Timeline
from fixtures.timeouts import Timeouts
from kubeobjects import container_status, pod


class FakeCore:
    def __init__(self, log: str):
        self.log = log

    def read_namespaced_pod_log(self, name, namespace, **kwargs):
        return self.log


def probe_kube(ended, log: str = "") -> Kube:
    """A Kube whose apply records the pod and whose wait for the pod's end returns `ended`, the
    pod as it ended, or raises it."""
    kube = Kube(SimpleNamespace(api=client.ApiClient()), "pc-egress-probe-abc", Timeline(), Timeouts(),
                Substitutions(namespace="pc-egress-probe-abc"))
    kube.core = FakeCore(log)
    kube.applied = []
    kube.apply = kube.applied.append

    def wait_pod(name, condition, timeout=None):
        if isinstance(ended, BaseException):
            raise ended
        return ended
    kube.wait_pod = wait_pod
    return kube


def curl_ended(phase: str, exit_code: int, reason: str = "Error"):
    return pod("egress-probe", phase=phase, statuses=[container_status(
        "main", terminated="Completed" if exit_code == 0 else reason, exit_code=exit_code)])


def test_a_curl_that_fetched_the_page_means_egress():
    kube = probe_kube(curl_ended("Succeeded", 0))
    assert egress.detect(kube) is True
    (doc,) = kube.applied
    assert doc["spec"]["containers"][0]["command"][0] == "curl"


@pytest.mark.parametrize("exit_code", [6, 7, 28])
def test_a_curl_that_ran_and_could_not_reach_the_host_means_no_egress(exit_code):
    assert egress.detect(probe_kube(curl_ended("Failed", exit_code), log="curl: (6) Could not resolve host")) is False


def test_a_probe_pod_that_never_started_is_an_error_naming_why():
    stuck = WaitTimeout("timed out after 120.0s (limit 120s) waiting for pod/egress-probe to be in phase "
                        "Succeeded or Failed; last seen: Pending node=n1 main=waiting(ImagePullBackOff)")
    with pytest.raises(EgressUnknown) as info:
        egress.detect(probe_kube(stuck))
    msg = str(info.value)
    assert "pod/egress-probe never ran curl to its end" in msg
    assert "main=waiting(ImagePullBackOff)" in msg
    assert not isinstance(info.value, AssertionError) and isinstance(info.value, SuiteError)


@pytest.mark.parametrize("exit_code, reason", [(127, "Error"), (128, "StartError"), (3, "Error")])
def test_a_probe_that_failed_other_than_by_not_reaching_the_host_is_an_error(exit_code, reason):
    with pytest.raises(EgressUnknown) as info:
        egress.detect(probe_kube(curl_ended("Failed", exit_code, reason), log="sh: curl: not found"))
    msg = str(info.value)
    assert f"exit code {exit_code} ({reason})" in msg
    assert "sh: curl: not found" in msg
