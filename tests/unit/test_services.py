import pytest

from fixtures import services


class FakeKube:
    """Answers exec with what a shell would print for each script, in order."""

    def __init__(self, *outputs):
        self.outputs = list(outputs)
        self.scripts = []

    def exec(self, pod, command):
        self.scripts.append(command[2])
        return self.outputs.pop(0)


def test_run_reads_the_exit_code_the_wrapper_prints_last():
    kube = FakeKube("curl: (6) Could not resolve host: x\nexit=6\n")
    assert services.run(kube, "client", "curl http://x/") == (6, "curl: (6) Could not resolve host: x\n")
    assert kube.scripts == ['(\ncurl http://x/\n)\necho "exit=$?"']
    assert services.run(FakeKube("killed\n"), "client", "true") == (-1, "killed\n")


def test_retried_stops_at_the_first_success_or_after_the_attempts_with_the_last_code():
    script = services.retried("getent hosts web", 3)
    assert script == ("i=0; while :; do getent hosts web && break; rc=$?; i=$((i+1)); "
                      "[ $i -ge 3 ] && exit $rc; sleep 1; done")


def test_a_broken_layer_is_named_with_what_it_stands_for():
    e = services.broken("web", "ClusterIP", "10.96.0.10:80 from pod/c on n1: exit 28")
    assert isinstance(e, AssertionError)
    assert str(e) == ("service/web is broken at its ClusterIP (the Service proxy on the client's node "
                      "(kube-proxy and its rules)): 10.96.0.10:80 from pod/c on n1: exit 28")
    with pytest.raises(KeyError):
        services.broken("web", "no such layer", "")


def test_http_builds_a_curl_with_host_and_port_left_to_fill():
    assert services.http("/x").format(host="10.0.0.1", port=8001) == \
        "curl -sS --connect-timeout 3 --max-time 5 http://10.0.0.1:8001/x"


class DnsCluster:
    """A client pod whose resolv.conf names the DNS Service's ClusterIP, and that Service's
    endpoints; `answers` says which servers answer each round of queries (services._ask)."""

    def __init__(self, monkeypatch, endpoints, *rounds):
        from types import SimpleNamespace as NS
        self.rounds = list(rounds)
        self.asked = []
        dns = NS(metadata=NS(name="kube-dns", namespace="kube-system"), spec=NS(cluster_ip="10.96.0.10"))
        slices = [NS(endpoints=[NS(addresses=[ip], conditions=NS(ready=True)) for ip in endpoints])]
        self.core = NS(list_service_for_all_namespaces=lambda: NS(items=[dns]))
        self.discovery = NS(list_namespaced_endpoint_slice=lambda ns, label_selector: NS(items=slices))
        self.pod = lambda name: NS(spec=NS(node_name="k8s-node2"))
        monkeypatch.setattr(services, "run", lambda kube, pod, script: (
            0, "search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\n"))
        monkeypatch.setattr(services, "_ask", self._ask)
        monkeypatch.setattr(services, "client", self._client)
        monkeypatch.setattr(services.time, "sleep", lambda s: None)
        self.probers = []

    def _client(self, kube, name, image, node_selector):
        self.probers.append((name, node_selector))
        return name

    def _ask(self, kube, prober, name, servers):
        assert name == "kubernetes.default.svc.cluster.local."
        assert self.probers == [("dns-prober", {"kubernetes.io/hostname": "k8s-node2"})], "one prober, on the client's node"
        self.asked.append(servers)
        answering = self.rounds.pop(0)
        return {s: s in answering for s in servers}


def test_dns_whose_endpoints_answer_and_cluster_ip_does_not_blames_the_service_proxy(monkeypatch):
    kube = DnsCluster(monkeypatch, ["10.244.1.5"], {"10.244.1.5"})
    layer, why = services.cluster_dns_plainly_broken(kube, "client")
    assert layer == "ClusterIP"
    assert why == ("cluster DNS, service/kube-dns in kube-system, does not answer at its ClusterIP 10.96.0.10 (the "
                   "client's nameserver), although its endpoints 10.244.1.5 answer for "
                   "kubernetes.default.svc.cluster.local: the Service proxy on the client's node is what is broken, "
                   "not DNS")


def test_dns_that_answers_nowhere_twice_is_down_at_once(monkeypatch):
    kube = DnsCluster(monkeypatch, ["10.244.1.5", "10.244.2.7"], set(), set())
    layer, why = services.cluster_dns_plainly_broken(kube, "client")
    assert layer == "DNS name" and len(kube.asked) == 2
    assert why == ("cluster DNS, service/kube-dns in kube-system, answers neither at its ClusterIP 10.96.0.10 nor at "
                   "its endpoints 10.244.1.5, 10.244.2.7 for kubernetes.default.svc.cluster.local, a name that always "
                   "exists, asked twice from k8s-node2: cluster DNS itself does not answer")


def test_dns_silent_once_then_answering_is_left_to_the_retries(monkeypatch):
    kube = DnsCluster(monkeypatch, ["10.244.1.5"], set(), {"10.96.0.10", "10.244.1.5"})
    assert services.cluster_dns_plainly_broken(kube, "client") is None


def test_dns_whose_cluster_ip_answers_is_no_plain_breakage(monkeypatch):
    kube = DnsCluster(monkeypatch, ["10.244.1.5"], {"10.96.0.10"})
    assert services.cluster_dns_plainly_broken(kube, "client") is None and len(kube.asked) == 1


def test_dns_with_no_ready_endpoint_is_down_without_asking(monkeypatch):
    kube = DnsCluster(monkeypatch, [])
    layer, why = services.cluster_dns_plainly_broken(kube, "client")
    assert (layer, kube.asked) == ("DNS name", [])
    assert why == ("cluster DNS, service/kube-dns in kube-system, has no ready endpoint in its EndpointSlices: "
                   "nothing serves cluster DNS")


def test_retried_for_gives_up_after_its_seconds_with_the_last_code():
    import subprocess
    script = services.retried_for("false", 2)
    assert script == ("end=$(($(date +%s)+2)); while :; do false && break; rc=$?; "
                      "[ $(date +%s) -ge $end ] && exit $rc; sleep 1; done")
    done = subprocess.run(["sh", "-c", script], timeout=10)
    assert done.returncode == 1
    assert subprocess.run(["sh", "-c", services.retried_for("true", 2)], timeout=10).returncode == 0
