"""Nodes are stopped only on a cluster this host runs (fixtures/disruption.py): the marker the
suite leaves on its clusters must come with the API server address and CA of this host's own
kubeconfig for that cluster."""

import base64
from types import SimpleNamespace

import pytest
from kubernetes import client

from fixtures import disruption

from fakeleases import ended_process

CA = b"-----BEGIN CERTIFICATE-----\nMIIBlocal\n-----END CERTIFICATE-----\n"


class MarkedCluster:
    """An ApiClient's face: its server and CA file, and the suite's marker saying who made it."""

    def __init__(self, tmp_path, server, ca, made_by="localcluster"):
        ca_file = tmp_path / "ca.crt"
        ca_file.write_bytes(ca)
        self.configuration = SimpleNamespace(host=server, ssl_ca_cert=str(ca_file))
        self.made_by = made_by


@pytest.fixture
def own_kubeconfig(monkeypatch, tmp_path):
    own = tmp_path / "own.kubeconfig"
    own.write_text("apiVersion: v1\nclusters:\n- name: local\n  cluster:\n    server: https://10.200.0.1:6443\n"
                   f"    certificate-authority-data: {base64.b64encode(CA).decode()}\n")
    monkeypatch.setattr(disruption, "OWN_KUBECONFIG", {"localcluster": f"cat {own}", "kind": "false"})
    monkeypatch.setattr(disruption.client, "CoreV1Api", lambda api: SimpleNamespace(
        read_namespaced_config_map=lambda name, ns: client.V1ConfigMap(data={"created-by": api.made_by})))


def test_the_local_cluster_this_host_runs_gets_a_disruptor(own_kubeconfig, tmp_path):
    found, why = disruption.for_cluster(MarkedCluster(tmp_path, "https://10.200.0.1:6443", CA))
    assert found is not None and why == "local cluster"


@pytest.mark.parametrize("server, ca", [("https://192.0.2.7:6443", CA), ("https://10.200.0.1:6443", CA.replace(b"local", b"other"))],
                         ids=["another-server", "another-ca"])
def test_a_marked_cluster_that_is_not_this_hosts_gets_none(own_kubeconfig, tmp_path, server, ca):
    found, why = disruption.for_cluster(MarkedCluster(tmp_path, server, ca))
    assert found is None
    assert why == (f"the cluster says localcluster made it, but its API server ({server}) and CA are not those of "
                   "the localcluster cluster this host runs: no node of it is stopped from here")


def test_a_kind_marker_without_a_kind_cluster_here_gets_none(own_kubeconfig, tmp_path):
    found, why = disruption.for_cluster(MarkedCluster(tmp_path, "https://127.0.0.1:40000", CA, made_by="kind"))
    assert found is None and "not those of the kind cluster this host runs" in why


def _disruptor(tmp_path, log):
    return disruption.NodeDisruptor(["sh", "-c", f'echo "pause $0" >> {log}'], ["sh", "-c", f'echo "resume $0" >> {log}'],
                                    record=tmp_path / "run")


def test_a_pause_is_recorded_in_the_runs_directory_until_the_node_is_resumed(tmp_path):
    log = tmp_path / "log"
    disruptor = _disruptor(tmp_path, log)
    disruptor.pause("k8s-node1")
    assert (tmp_path / "run" / "paused-k8s-node1").exists()
    disruptor.resume("k8s-node1")
    assert not (tmp_path / "run" / "paused-k8s-node1").exists()
    assert log.read_text() == "pause k8s-node1\nresume k8s-node1\n"


def test_a_pause_that_failed_leaves_no_record(tmp_path, monkeypatch):
    monkeypatch.setattr(disruption, "PAUSE_RETRY_AFTER_S", 0)
    disruptor = disruption.NodeDisruptor(["false"], ["true"], record=tmp_path / "run")
    with pytest.raises(RuntimeError, match=f"failed {disruption.PAUSE_ATTEMPTS} times"):
        disruptor.pause("k8s-node1")
    assert not list((tmp_path / "run").iterdir())


def test_a_pause_the_engine_could_not_do_at_once_is_tried_again(tmp_path, monkeypatch):
    """What docker pause does on cgroup v1 while processes of the node keep forking or sleep in the kernel."""
    monkeypatch.setattr(disruption, "PAUSE_RETRY_AFTER_S", 0)
    tries = tmp_path / "tries"
    fails_once = ["sh", "-c", f'echo "$0" >> {tries}; [ "$(wc -l < {tries})" -gt 1 ] '
                              f'|| {{ echo "OCI runtime pause failed: unable to freeze" >&2; exit 1; }}']
    disruptor = disruption.NodeDisruptor(fails_once, ["true"], record=tmp_path / "run")
    disruptor.pause("k8s-node1")
    assert tries.read_text() == "k8s-node1\nk8s-node1\n"
    assert (tmp_path / "run" / "paused-k8s-node1").exists()


def test_the_run_resumes_the_nodes_a_crashed_worker_left_paused_not_those_of_a_live_one(tmp_path, monkeypatch):
    log = tmp_path / "log"
    _disruptor(tmp_path, log).pause("k8s-node1")          # by this process, still in its test
    _disruptor(tmp_path, log).pause("k8s-node3")
    (tmp_path / "run" / "paused-k8s-node3").write_text(ended_process())    # by a worker that crashed
    monkeypatch.setattr(disruption, "for_cluster", lambda api, record=None: (_disruptor(tmp_path, log), "local cluster"))
    notes = disruption.resume_left(object(), tmp_path / "run")
    assert notes == ["resumed node k8s-node3's kubelet: a worker that crashed had paused it"]
    assert log.read_text().splitlines()[-1] == "resume k8s-node3"
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["paused-k8s-node1"]
    assert disruption.resume_left(object(), tmp_path / "run") == []


def test_a_node_the_run_cannot_resume_is_named(tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "paused-k8s-node1").write_text(ended_process())
    monkeypatch.setattr(disruption, "for_cluster", lambda api, record=None: (None, "no way to stop a node of it"))
    assert disruption.resume_left(object(), tmp_path / "run") == [
        "NODE LEFT PAUSED: could not resume node k8s-node1's kubelet, which a worker that crashed had paused: "
        "no way to stop a node of it"]
