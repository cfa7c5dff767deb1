import base64
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fixtures import cluster
from fixtures.errors import ClusterUnreachable
from fixtures.kubectl import Kubectl

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {server}
    insecure-skip-tls-verify: true
contexts:
- name: ctx-a
  context: {{cluster: c, user: u}}
- name: ctx-b
  context: {{cluster: c, user: u}}
current-context: ctx-a
users:
- name: u
  user: {{token: not-a-secret}}
"""


def kubeconfig(tmp_path, server):
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG.format(server=server))
    return str(path)


def test_missing_kubeconfig_names_the_path(tmp_path):
    path = str(tmp_path / "no-such-kubeconfig")
    with pytest.raises(ClusterUnreachable, match="does not exist") as info:
        cluster.connect(path, None)
    assert path in str(info.value)


@pytest.mark.parametrize("text", ["{{{ not: yaml", "- a\n- b\n", "just words\n", ""])
def test_garbage_kubeconfig_is_not_usable(tmp_path, text):
    path = tmp_path / "kubeconfig"
    path.write_text(text)
    with pytest.raises(ClusterUnreachable, match="is not usable") as info:
        cluster.connect(str(path), None)
    assert str(path) in str(info.value)


def test_unknown_context_lists_the_contexts_there_are(tmp_path):
    path = kubeconfig(tmp_path, "https://127.0.0.1:1")
    with pytest.raises(ClusterUnreachable) as info:
        cluster.connect(path, "ctx-nope")
    assert str(info.value) == f"kubeconfig {path} has no context 'ctx-nope' (it has: ctx-a, ctx-b)"


def test_nothing_listening_does_not_answer(tmp_path):
    path = kubeconfig(tmp_path, "https://127.0.0.1:1")
    started = time.monotonic()
    with pytest.raises(ClusterUnreachable) as info:
        cluster.connect(path, None)
    assert time.monotonic() - started < 10
    msg = str(info.value)
    assert "API server https://127.0.0.1:1 (context ctx-a) does not answer within" in msg


def test_a_silent_server_is_given_up_after_one_timeout(tmp_path, monkeypatch):
    """Accepts connections (the kernel does, from the backlog) and never answers."""
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        path = kubeconfig(tmp_path, f"https://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        with pytest.raises(ClusterUnreachable, match="does not answer within 0.5 s"):
            cluster.connect(path, None)
        assert time.monotonic() - started < 1.5     # one attempt, not one per urllib3 retry


class FakeApiServer(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):
        status, body = self.routes.get(self.path.split("?")[0].rstrip("/"), (404, {"kind": "Status", "code": 404}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def api_server():
    FakeApiServer.routes = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApiServer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server, FakeApiServer.routes
    server.shutdown()
    server.server_close()


VERSION = {"major": "1", "minor": "31", "gitVersion": "v1.31.0", "gitCommit": "x", "gitTreeState": "clean",
           "buildDate": "2024-08-13T00:00:00Z", "goVersion": "go1.22", "compiler": "gc", "platform": "linux/amd64"}


def test_connects_and_reads_the_server_version(tmp_path, api_server):
    server, routes = api_server
    routes["/version"] = (200, VERSION)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    c = cluster.connect(kubeconfig(tmp_path, url), "ctx-b")
    assert (c.context, c.server, c.version, c.created_by_suite) == ("ctx-b", url, "v1.31.0", False)
    assert c.kubeconfig == str(tmp_path / "kubeconfig")


def test_the_marker_config_map_says_the_suite_made_the_cluster(tmp_path, api_server):
    server, routes = api_server
    routes["/version"] = (200, VERSION)
    routes[f"/api/v1/namespaces/{cluster.MARKER_NAMESPACE}/configmaps/{cluster.MARKER_NAME}"] = (
        200, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": cluster.MARKER_NAME}})
    c = cluster.connect(kubeconfig(tmp_path, f"http://127.0.0.1:{server.server_address[1]}"), None)
    assert c.created_by_suite is True


def test_a_refusing_server_is_named_with_its_status(tmp_path, api_server):
    server, routes = api_server
    routes["/version"] = (401, {"kind": "Status", "code": 401})
    with pytest.raises(ClusterUnreachable, match=r"\(context ctx-a\) refused the request: 401"):
        cluster.connect(kubeconfig(tmp_path, f"http://127.0.0.1:{server.server_address[1]}"), None)


def test_kubeconfig_paths_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", f"/first/config{os.pathsep}/second/config")
    assert cluster.kubeconfig_paths("/given") == ["/given"]
    assert cluster.kubeconfig_paths(None) == ["/first/config", "/second/config"]
    monkeypatch.delenv("KUBECONFIG")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cluster.kubeconfig_paths(None) == [str(tmp_path / ".kube" / "config")]


# -- a list of kubeconfig files, merged as kubectl merges them ----------------------------------

FIRST = """\
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {{server: {server}}}
- name: shared
  cluster: {{server: {server}}}
contexts:
- name: ctx-a
  context: {{cluster: c, user: u}}
- name: ctx-shared
  context: {{cluster: shared, user: u}}
{current}
users:
- name: u
  user: {{token: first}}
"""

SECOND = """\
apiVersion: v1
kind: Config
clusters:
- name: shared
  cluster: {{server: https://127.0.0.1:1}}
- name: other
  cluster: {{server: {server}}}
contexts:
- name: ctx-shared
  context: {{cluster: shared, user: u}}
- name: ctx-second
  context: {{cluster: other, user: v}}
current-context: ctx-second
users:
- name: u
  user: {{token: second}}
- name: v
  user: {{token: only-in-second}}
"""


def kubeconfig_list(tmp_path, server, *, first_current="current-context: ctx-a"):
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text(FIRST.format(server=server, current=first_current))
    second.write_text(SECOND.format(server=server))
    return os.pathsep.join([str(first), str(second)])


@pytest.fixture
def answering(api_server):
    server, routes = api_server
    routes["/version"] = (200, VERSION)
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_a_kubeconfig_list_takes_the_current_context_of_the_first_file_that_sets_one(tmp_path, answering):
    c = cluster.connect(kubeconfig_list(tmp_path, answering), None)
    assert (c.context, c.server, c.version) == ("ctx-a", answering, "v1.31.0")
    c = cluster.connect(kubeconfig_list(tmp_path, answering, first_current=""), None)
    assert c.context == "ctx-second"


def test_a_kubeconfig_list_merges_contexts_and_the_first_file_wins_a_name(tmp_path, answering):
    paths = kubeconfig_list(tmp_path, answering)
    second = cluster.connect(paths, "ctx-second")
    assert (second.server, second.api.configuration.api_key["BearerToken"]) == \
        (answering, "Bearer only-in-second")
    shared = cluster.connect(paths, "ctx-shared")     # the second file's ctx-shared points nowhere
    assert (shared.server, shared.api.configuration.api_key["BearerToken"]) == (answering, "Bearer first")
    assert shared.kubeconfig == paths


def test_a_kubeconfig_list_is_read_from_the_environment(tmp_path, answering, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", kubeconfig_list(tmp_path, answering))
    assert cluster.connect(None, "ctx-second").context == "ctx-second"


def test_a_missing_file_in_a_kubeconfig_list_is_passed_over_as_kubectl_does(tmp_path, answering):
    read = kubeconfig_list(tmp_path, answering)
    found = cluster.connect(read + os.pathsep + str(tmp_path / "typo"), "ctx-second")
    assert found.context == "ctx-second" and found.kubeconfig == read
    assert found.skipped == [str(tmp_path / "typo")]


def test_a_kubeconfig_list_of_which_no_file_exists_is_named(tmp_path):
    paths = os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    with pytest.raises(ClusterUnreachable) as info:
        cluster.connect(paths, None)
    assert str(info.value) == f"none of the kubeconfig files {paths} exists (give one with --kubeconfig or $KUBECONFIG)"


def test_an_unknown_context_in_a_kubeconfig_list_names_the_merged_contexts(tmp_path, answering):
    paths = kubeconfig_list(tmp_path, answering)
    with pytest.raises(ClusterUnreachable) as info:
        cluster.connect(paths, "ctx-nope")
    assert str(info.value) == \
        f"kubeconfig {paths} has no context 'ctx-nope' (it has: ctx-a, ctx-second, ctx-shared)"


def test_kubectl_is_given_a_kubeconfig_list_as_kubectl_takes_one(tmp_path):
    """kubectl's --kubeconfig names one file; a list goes through $KUBECONFIG."""
    fake = tmp_path / "kubectl"
    fake.write_text('#!/bin/sh\necho "KUBECONFIG=$KUBECONFIG"\necho "$@"\n')
    fake.chmod(0o755)
    paths = os.pathsep.join(["/a/config", "/b/config"])
    out = Kubectl(str(fake), paths, "ctx-b", "ns1")("get", "pods").check().stdout.splitlines()
    assert out == [f"KUBECONFIG={paths}", "--context=ctx-b --namespace=ns1 get pods"]


def test_the_clients_credential_files_go_to_the_directory_given(tmp_path):
    """The client writes a kubeconfig's embedded keys to files it removes only at a normal exit: in
    the run's directory, a killed run's are removed with it by the next run (run_directory.sweep)."""
    key = f"-----BEGIN PRIVATE KEY-----\n{tmp_path.name}\n-----END PRIVATE KEY-----\n"   # unique: the client caches by content
    cert = key.replace("PRIVATE KEY", "CERTIFICATE")
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG.format(server="https://127.0.0.1:1").replace(
        "user: {token: not-a-secret}", "user: {client-key-data: %s, client-certificate-data: %s}" % (
            base64.b64encode(key.encode()).decode(), base64.b64encode(cert.encode()).decode())))
    with pytest.raises(ClusterUnreachable):      # the files are written before the first request
        cluster.connect(str(path), None, str(tmp_path / "credentials"))
    assert sorted(f.read_text() for f in (tmp_path / "credentials").iterdir()) == sorted([key, cert])
