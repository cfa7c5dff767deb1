"""Nodes are stopped only on a cluster this host runs (fixtures/disruption.py): the marker the
suite leaves on its clusters must come with the API server address and CA of this host's own
kubeconfig for that cluster."""

import base64
import json
import os
import tempfile
import threading
from types import SimpleNamespace

import pytest
from kubernetes import client

from fixtures import disruption
from fixtures.coordination import processes

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


def test_a_pause_is_recorded_in_the_runs_directory_with_how_to_resume_it_until_it_is_resumed(tmp_path):
    log = tmp_path / "log"
    disruptor = _disruptor(tmp_path, log)
    disruptor.pause("k8s-node1")
    (record,) = (tmp_path / "run").iterdir()
    assert record.name == f"paused-k8s-node1@{os.getpid()}"
    assert json.loads(record.read_text()) == {"process": processes.identity(),
                                              "resume": ["sh", "-c", f'echo "resume $0" >> {log}', "k8s-node1"]}
    disruptor.resume("k8s-node1")
    assert not record.exists()
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
    assert (tmp_path / "run" / f"paused-k8s-node1@{os.getpid()}").exists()


def left_paused(directory, node, resume, process=None):
    """A record as a process now ended (or `process`) left it."""
    directory.mkdir(parents=True, exist_ok=True)
    record = directory / f"paused-{node}@1"
    record.write_text(json.dumps({"process": process or ended_process(), "resume": resume}))
    return record


def test_the_nodes_ended_processes_of_any_run_left_paused_are_resumed_not_those_of_a_live_one(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    log = tmp_path / "log"
    live, killed = tmp_path / "pod-conformance-live", tmp_path / "pod-conformance-killed"
    disruption.NodeDisruptor(["true"], ["true"], record=live).pause("k8s-node1")     # by this process, in its test
    left_paused(live, "k8s-node3", ["sh", "-c", f"echo resume node3 >> {log}"])         # by a worker that crashed
    left_paused(killed, "k8s-node2", ["sh", "-c", f"echo resume node2 >> {log}"])       # by a run killed
    (killed / "paused-k8s-node4").write_text("1 2")                  # not a record of this suite's: left as it is
    assert [p.name for p in disruption.records_here()] == [
        "paused-k8s-node2@1", "paused-k8s-node4", f"paused-k8s-node1@{os.getpid()}", "paused-k8s-node3@1"]
    notes = disruption.resume_left(disruption.records_here())
    assert notes == ["resumed node k8s-node2's kubelet: a process that ended had paused it",
                     "resumed node k8s-node3's kubelet: a process that ended had paused it"]
    assert log.read_text().splitlines() == ["resume node2", "resume node3"]
    assert [p.name for p in disruption.records_here()] == ["paused-k8s-node4", f"paused-k8s-node1@{os.getpid()}"]
    assert disruption.resume_left(disruption.records_here()) == []


def test_of_two_processes_that_find_a_record_only_one_resumes_its_node(tmp_path):
    log = tmp_path / "log"
    record = left_paused(tmp_path / "run", "k8s-node1", ["sh", "-c", f"sleep 0.3; echo resumed >> {log}"])
    notes = []
    finders = [threading.Thread(target=lambda: notes.extend(disruption.resume_left([record]))) for _ in range(4)]
    for finder in finders:
        finder.start()
    for finder in finders:
        finder.join()
    assert log.read_text() == "resumed\n"
    assert notes == ["resumed node k8s-node1's kubelet: a process that ended had paused it"]
    assert list((tmp_path / "run").iterdir()) == []


def test_a_node_that_cannot_be_resumed_is_named(tmp_path):
    record = left_paused(tmp_path / "run", "k8s-node1", ["false"])
    assert disruption.resume_left([record]) == [
        "NODE LEFT PAUSED: could not resume node k8s-node1's kubelet, which a process that ended had paused: "
        "false failed: "]
