import copy
import datetime as dt
import json
import tempfile
from types import SimpleNamespace

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from fakeleases import Clock, FakeApi, ended_process
from fixtures import costs, namespaces, nodes, run as run_module, settings
from fixtures.coordination import holds as holds_module, leases
from fixtures.coordination.leases import Member
from fixtures.errors import ClusterUnreachable, CoordinationError
from fixtures.run import Run
from kubeobjects import node


class CountingConfig:
    """Stands for pytest.Config: options and ini values, counting every lookup."""

    def __init__(self, options=None, ini=None):
        self.options, self.ini, self.lookups = options or {}, ini or {}, 0

    def getoption(self, name):
        self.lookups += 1
        return self.options.get(name)

    def getini(self, name):
        self.lookups += 1
        return self.ini.get(name, "")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for s in settings.SETTINGS:
        monkeypatch.delenv(s.env, raising=False)


def fake_cluster(created_by_suite=False):
    nodes = [node("cp", labels={"node-role.kubernetes.io/control-plane": ""},
                  taints=[("node-role.kubernetes.io/control-plane", None, "NoSchedule")]), node("w1"), node("w2")]
    return SimpleNamespace(server="https://10.0.0.1:6443", context="ctx", kubeconfig="/kc", version="v1.36.3",
                           created_by_suite=created_by_suite, api=None,
                           core=SimpleNamespace(list_node=lambda: SimpleNamespace(items=nodes)))


@pytest.fixture
def connects(monkeypatch):
    """run.connect replaced: returns the clusters given in turn and records each call."""
    calls = []

    def install(*results):
        def connect(kubeconfig, context, credentials):
            calls.append((kubeconfig, context))
            assert credentials == str(run_module.run_directory.path("run-1") / "credentials")
            result = results[min(len(calls), len(results)) - 1]
            if isinstance(result, BaseException):
                raise result
            return result
        monkeypatch.setattr(run_module, "connect", connect)
        return calls
    return install


def test_every_setting_is_resolved_once_at_configure_time():
    config = CountingConfig(options={"timeout_scale": "2", "external_ip": "10.0.0.9"},
                            ini={"keep_on_failure": "yes"})
    run = Run.configure(config, "run-1")
    looked_up = config.lookups
    assert run.settings["timeout_scale"] == (2.0, "--timeout-scale")
    assert run.timeouts.scale == 2.0
    assert run.value("keep_on_failure") is True and run.value("external_ip") == "10.0.0.9"
    assert set(run.settings) == {s.name for s in settings.SETTINGS}
    assert config.lookups == looked_up
    with pytest.raises(TypeError):
        run.settings["timeout_scale"] = (1.0, "a test")


def test_a_bad_value_of_any_setting_is_a_usage_error_at_configure_time():
    with pytest.raises(pytest.UsageError, match="--allow-disruptive: 'maybe' from --allow-disruptive"):
        Run.configure(CountingConfig(options={"allow_disruptive": "maybe"}), "run-1")


def test_the_image_map_is_loaded_at_configure_time(tmp_path):
    good = tmp_path / "images.yaml"
    good.write_text("nginx:1.25.3: registry.local/nginx:1.25.3\n")
    run = Run.configure(CountingConfig(options={"image_map": str(good)}), "run-1")
    assert run.image_map == {"docker.io/library/nginx:1.25.3": "registry.local/nginx:1.25.3"}
    with pytest.raises(pytest.UsageError, match="image map .*no-such.yaml cannot be read"):
        Run.configure(CountingConfig(options={"image_map": str(tmp_path / "no-such.yaml")}), "run-1")


def test_the_cluster_is_connected_once_per_process_and_only_when_asked(connects):
    calls = connects(fake_cluster())
    run = Run.configure(CountingConfig(options={"kubeconfig": "/kc", "context": "ctx"}), "run-1")
    assert not run.connected and calls == []
    assert run.cluster is run.cluster
    assert calls == [("/kc", "ctx")] and run.connected


def test_an_unusable_cluster_is_a_usage_error_naming_the_problem(connects):
    connects(ClusterUnreachable("API server https://127.0.0.1:1 (context ctx) does not answer within 5 s"))
    run = Run.configure(CountingConfig(), "run-1")
    with pytest.raises(pytest.UsageError, match=r"^cannot use the cluster: API server https://127.0.0.1:1 "):
        run.cluster


@pytest.mark.parametrize("created, option, expected", [
    (True, None, (True, "the suite created this cluster")),
    (False, None, (False, "this cluster was not created by the suite")),
    (False, "true", (True, "from --allow-node-mutation")),
    (True, "false", (False, "from --allow-node-mutation")),
])
def test_permission_follows_the_setting_else_who_made_the_cluster(connects, created, option, expected):
    connects(fake_cluster(created_by_suite=created))
    run = Run.configure(CountingConfig(options={"allow_node_mutation": option}), "run-1")
    assert run.permission("allow_node_mutation") == expected


def test_the_header_names_the_run_the_cluster_the_permissions_and_the_winning_sources(connects, monkeypatch):
    connects(fake_cluster(created_by_suite=True))
    monkeypatch.setenv("CONFORMANCE_TIMEOUT_SCALE", "1.5")
    run = Run.configure(CountingConfig(options={"allow_disruptive": "false"}), "run-1")
    assert run.header() == ["pod-conformance run id: run-1", "timeout-scale: 1.5 (from $CONFORMANCE_TIMEOUT_SCALE)"]
    run.cluster
    assert run.header() == [
        "pod-conformance run id: run-1",
        "cluster: https://10.0.0.1:6443 (context ctx, kubeconfig /kc), server v1.36.3",
        "the guide's nodes: k8s-node1=w1, k8s-node2=w2, k8s-node3=w1, k8s-master=cp",
        "node mutation: allowed (the suite created this cluster)",
        "disruptive tests: not allowed (from --allow-disruptive)",
        "timeout-scale: 1.5 (from $CONFORMANCE_TIMEOUT_SCALE)",
    ]


def test_the_header_names_the_kubeconfig_files_read_and_those_passed_over(connects):
    read_two = fake_cluster()
    read_two.kubeconfig, read_two.skipped = "/a:/b", ["/nonexistent/other"]
    connects(read_two)
    run = Run.configure(CountingConfig(options={"allow_disruptive": "false", "allow_node_mutation": "false"}), "run-1")
    run.cluster
    assert run.header()[1:3] == [
        "cluster: https://10.0.0.1:6443 (context ctx, kubeconfig /a:/b), server v1.36.3",
        "kubeconfig files read: /a:/b; passed over, as kubectl does: /nonexistent/other (no such file)"]


def test_substitutions_carry_the_runs_images_and_external_ip(tmp_path):
    images = tmp_path / "images.yaml"
    images.write_text("busybox:1.28: r/busybox:1.28\n")
    run = Run.configure(CountingConfig(options={"image_map": str(images), "external_ip": "10.0.0.9"}), "run-1")
    subs = run.substitutions("pc-a", {"k8s-node1": "w1"})
    assert (subs.namespace, subs.nodes, subs.external_ip) == ("pc-a", {"k8s-node1": "w1"}, "10.0.0.9")
    assert subs.images == {"docker.io/library/busybox:1.28": "r/busybox:1.28"}


# -- the start-up cleanup, on fakes of the API --------------------------------------------------

class FakeCluster:
    """Namespaces and nodes in memory, with the Leases of fakeleases.FakeApi."""

    def __init__(self, api, *nodes):
        self.api = api
        self.items = {}                       # namespace name -> labels
        self.nodes = {n.metadata.name: n for n in nodes}
        self.deleted = []

    # the Cluster's face
    server, context, kubeconfig, version, created_by_suite = "https://x", "ctx", "/kc", "v1.36.3", True

    @property
    def core(self):
        return self

    # namespaces
    def list_namespace(self, label_selector=""):
        def fits(labels):
            return all((term[1:] not in labels) if term.startswith("!") else (term in labels)
                       for term in label_selector.split(",") if term)
        young = dt.datetime.now(dt.timezone.utc)
        return SimpleNamespace(items=[SimpleNamespace(metadata=SimpleNamespace(name=n, labels=labels,
                                                                               creation_timestamp=young))
                                      for n, labels in self.items.items() if fits(labels)])

    def delete_namespace(self, name, **kwargs):
        if name not in self.items:
            raise ApiException(status=404, reason="Not Found")
        self.deleted.append(name)
        self.items.pop(name)

    # nodes
    def list_node(self):
        return SimpleNamespace(items=[copy.deepcopy(n) for n in self.nodes.values()])

    def read_node(self, name):
        return copy.deepcopy(self.nodes[name])

    def patch_node(self, name, body):
        n = self.nodes[name]
        meta = body.get("metadata", {})
        for attr in ("labels", "annotations"):
            merged = dict(getattr(n.metadata, attr) or {})
            for k, v in meta.get(attr, {}).items():
                merged.pop(k) if v is None else merged.__setitem__(k, v)
            setattr(n.metadata, attr, merged)
        if "taints" in body.get("spec", {}):
            n.spec.taints = [client.V1Taint(**t) for t in body["spec"]["taints"] or []] or None


def test_start_up_cleanup_removes_only_what_runs_that_are_gone_left(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))     # the run's directory
    clock, api = Clock(), FakeApi()
    members = {run_id: Member(api, api, run_id, "gw0", clock=clock) for run_id in ("run-gone", "run-live", "run-lapsed")}
    for m in members.values():
        m.join()
    for step in range(10):                   # 100 s: run-gone silent throughout, run-lapsed from 20 s on
        clock.advance(10)
        members["run-live"].renew()
        if step < 2:
            members["run-lapsed"].renew()   # expired 50 s ago: not yet for the margin, so not gone

    gone_book = json.dumps({"run": "run-gone", "labels": {"cputype": None}, "taints": {}})
    live_book = json.dumps({"run": "run-live", "labels": {"cputype": None}, "taints": {}})
    cluster = FakeCluster(api, node("n1", labels={"cputype": "gpu"}, annotations={nodes.LEDGER_ANNOTATION: gone_book}),
                          node("n2", labels={"cputype": "gpu"}, annotations={nodes.LEDGER_ANNOTATION: live_book}))
    leased = {namespaces.LEASED_LABEL: "true"}
    cluster.items = {"pc-a-gone": {namespaces.RUN_LABEL: "run-gone", **leased},
                     "pc-b-live": {namespaces.RUN_LABEL: "run-live", **leased},
                     "pc-c-kept": {namespaces.RUN_LABEL: "run-gone", namespaces.KEPT_LABEL: "true", **leased},
                     "pc-d-of-a-suite-without-leases": {namespaces.RUN_LABEL: "run-older"},
                     "pc-e-lapsed-within-the-margin": {namespaces.RUN_LABEL: "run-lapsed", **leased},
                     "default": {}}

    run = Run.configure(CountingConfig(), "run-new")
    run.attach(cluster, Member(api, api, "run-new", "main", clock=clock))
    run.member.join()
    run.clean_up_leftovers()

    assert cluster.deleted == ["pc-a-gone"]
    assert "cputype" not in cluster.nodes["n1"].metadata.labels
    assert nodes.LEDGER_ANNOTATION not in cluster.nodes["n1"].metadata.annotations
    assert cluster.nodes["n2"].metadata.labels["cputype"] == "gpu"
    assert sorted(api.leases) == [leases.EXCLUSIVE, "run-run-lapsed-gw0", "run-run-live-gw0", "run-run-new-main"]
    assert "holderIdentity" not in api.spec(leases.EXCLUSIVE)      # mended alone, then let go
    assert run.notes == ["removed namespace pc-a-gone, left by a run that is gone",
                         f"removed lease {leases.NAMESPACE}/run-run-gone-gw0 of a process that is gone",
                         "node n1: label cputype -> None"]


@pytest.mark.parametrize("status", [404, 409], ids=["removed-meanwhile", "an-older-servers-409-for-one-going"])
def test_a_leftover_namespace_that_goes_meanwhile_is_no_error(tmp_path, monkeypatch, status):
    """Another run's cleanup, or the namespace controller, may remove it between the list and the
    delete (seen: an INTERNALERROR at the session's start)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    api = FakeApi()
    cluster = FakeCluster(api)
    cluster.items = {"pc-a-gone": {namespaces.RUN_LABEL: "run-gone", namespaces.LEASED_LABEL: "true"}}

    def goes_meanwhile(name, **kwargs):
        raise ApiException(status=status, reason="Not Found" if status == 404 else "Conflict")
    cluster.delete_namespace = goes_meanwhile
    run = Run.configure(CountingConfig(options={"allow_node_mutation": "false"}), "run-new")
    run.attach(cluster, Member(api, api, "run-new", "main"))
    run.member.join()
    run.clean_up_leftovers()
    assert run.notes == []


def test_at_its_end_the_run_puts_back_what_a_crashed_worker_left_on_the_nodes(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))     # the run's directory
    api = FakeApi()
    own = json.dumps({"run": "run-1", "labels": {"cputype": None}, "taints": {}})
    other = json.dumps({"run": "run-live", "labels": {"cputype": None}, "taints": {}})
    cluster = FakeCluster(api, node("n1", labels={"cputype": "gpu"}, annotations={nodes.LEDGER_ANNOTATION: own}),
                          node("n2", labels={"cputype": "gpu"}, annotations={nodes.LEDGER_ANNOTATION: other}))
    Member(api, api, "run-live", "gw0").join()
    run = Run.configure(CountingConfig(options={"allow_node_mutation": "true"}), "run-1")
    run.attach(cluster, Member(api, api, "run-1", "main"))
    run.member.join()
    run.mend_what_crashed_workers_left()
    assert "cputype" not in cluster.nodes["n1"].metadata.labels
    assert cluster.nodes["n2"].metadata.labels["cputype"] == "gpu"
    assert run.notes == ["node n1: label cputype -> None"]


def run_on_fake_leases(tmp_path, monkeypatch, api: FakeApi) -> Run:
    """Run run-1's main process, connected to `api` and joined, its lock directory in tmp_path."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    run = Run.configure(CountingConfig(options={"allow_node_mutation": "false"}), "run-1")
    run.attach(FakeCluster(api), Member(api, api, "run-1", "main"))
    run.member.join()
    return run


def test_a_hold_inside_a_hold_is_the_outer_one_and_exclusive_inside_shared_is_refused(tmp_path, monkeypatch):
    api = FakeApi()
    run = run_on_fake_leases(tmp_path, monkeypatch, api)
    with run.alongside():
        with run.alongside():
            assert api.shared_mark("run-run-1-main") == "true"
        assert api.shared_mark("run-run-1-main") == "true"
        with pytest.raises(CoordinationError, match="cannot take the cluster alone inside a shared hold"):
            with run.alone():
                pass
    assert api.shared_mark("run-run-1-main") == "false"
    with run.alone():
        with run.alongside():
            assert api.spec(leases.EXCLUSIVE)["holderIdentity"] == "run-1/main"
    assert "holderIdentity" not in api.spec(leases.EXCLUSIVE)


def test_a_test_that_holds_the_cluster_alone_first_resumes_what_ended_processes_left_paused(tmp_path, monkeypatch):
    """A worker of another run that crashed with a kubelet paused: its run's main process resumes it
    a moment later, and the test that took the cluster alone meanwhile would find it paused."""
    run = run_on_fake_leases(tmp_path, monkeypatch, FakeApi())
    log = tmp_path / "log"
    left = tmp_path / "pod-conformance-other-run"
    left.mkdir()
    (left / "paused-k8s-node1@1").write_text(json.dumps({"process": ended_process(),
                                                         "resume": ["sh", "-c", f"echo resumed >> {log}"]}))
    with run.alone():
        assert log.read_text() == "resumed\n"
    assert run.notes == ["resumed node k8s-node1's kubelet: a process that ended had paused it"]
    assert list(left.iterdir()) == []


def test_at_its_end_the_run_removes_the_lease_of_a_worker_that_crashed(tmp_path, monkeypatch):
    """xdist's workers have all ended by then; one that crashed never removed its own lease."""
    api = FakeApi()
    run = run_on_fake_leases(tmp_path, monkeypatch, api)
    crashed = Member(api, api, "run-1", "gw3")
    crashed.join()
    api.leases["run-run-1-gw3"]["metadata"]["annotations"][leases.PROCESS] = ended_process()
    run.close()
    assert sorted(api.leases) == []


# -- the seconds a test waits for its holds (fixtures/costs.py) --------------------------------

class SlowLock:
    """A lock had `wait` seconds of the fake clock after it is asked for; or refused then."""

    def __init__(self, clock, wait, refused=False):
        self.clock, self.wait, self.refused = clock, wait, refused

    def __enter__(self):
        self.clock.now += self.wait
        if self.refused:
            raise CoordinationError("waited too long")

    def __exit__(self, *exc):
        pass


class SlowLocks:
    """Stands for the lease protocol: each hold had after `waits[mode]` seconds."""

    def __init__(self, clock, waits, refused=False):
        self.clock, self.waits, self.refused = clock, waits, refused

    def shared(self):
        return SlowLock(self.clock, self.waits["shared"], self.refused)

    def exclusive(self):
        return SlowLock(self.clock, self.waits["exclusive"], self.refused)


def test_a_test_is_charged_the_seconds_from_asking_for_its_holds_to_having_them(monkeypatch):
    clock = SimpleNamespace(now=100.0)
    monkeypatch.setattr(costs, "time", SimpleNamespace(monotonic=lambda: clock.now))
    member = SlowLocks(clock, {"shared": 3, "exclusive": 7})
    monkeypatch.setattr(Run, "member", property(lambda self: member))
    run = Run.configure(CountingConfig(options={"allow_node_mutation": "false"}), "run-1")

    monkeypatch.setattr(costs, "current", costs.Tally())      # a test of the suite runs now
    with run.alongside():
        clock.now += 50                  # the test's own work
        with run.alongside():            # inside the hold: nothing more to wait for
            pass
    assert (costs.current.hold_wait_s, costs.current.holds) == (3, ["shared"])
    with run.alone():                    # a session fixture's hold, set up or torn down for this test
        clock.now += 20
    assert (costs.current.hold_wait_s, costs.current.holds) == (10, ["shared", "exclusive"])
    member.waits["exclusive"], member.refused = 11, True
    with pytest.raises(CoordinationError):
        with run.alone():
            pass
    assert costs.current.hold_wait_s == 21          # a wait given up is waited all the same
    assert costs.properties()[:2] == [("hold", "shared,exclusive"), ("hold_wait_s", "21.000")]

    member.refused = False
    monkeypatch.setattr(costs, "current", None)
    with run.alongside():                # outside a test: nobody to charge
        pass


def test_the_header_says_when_nodes_cannot_be_listed(connects):
    forbidden = fake_cluster()

    def list_node():
        raise ApiException(status=403, reason="Forbidden")
    forbidden.core = SimpleNamespace(list_node=list_node)
    connects(forbidden)
    run = Run.configure(CountingConfig(options={"allow_disruptive": "false", "allow_node_mutation": "false"}), "run-1")
    run.cluster
    assert run.header()[2] == "the guide's nodes: cannot list the cluster's nodes (403 Forbidden)"
