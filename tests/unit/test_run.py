from types import SimpleNamespace

import pytest

from fixtures import run as run_module, settings
from fixtures.errors import ClusterUnreachable
from fixtures.run import Run


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
    return SimpleNamespace(server="https://10.0.0.1:6443", context="ctx", kubeconfig="/kc", version="v1.36.3",
                           created_by_suite=created_by_suite, core=None, api=None)


@pytest.fixture
def connects(monkeypatch):
    """run.connect replaced: returns the clusters given in turn and records each call."""
    calls = []

    def install(*results):
        def connect(kubeconfig, context):
            calls.append((kubeconfig, context))
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
    with pytest.raises(AttributeError):
        run.id = "run-2"


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
        "node mutation: allowed (the suite created this cluster)",
        "disruptive tests: not allowed (from --allow-disruptive)",
        "timeout-scale: 1.5 (from $CONFORMANCE_TIMEOUT_SCALE)",
    ]


def test_substitutions_carry_the_runs_images_and_external_ip(tmp_path):
    images = tmp_path / "images.yaml"
    images.write_text("busybox:1.28: r/busybox:1.28\n")
    run = Run.configure(CountingConfig(options={"image_map": str(images), "external_ip": "10.0.0.9"}), "run-1")
    subs = run.substitutions("pc-a", {"k8s-node1": "w1"})
    assert (subs.namespace, subs.nodes, subs.external_ip) == ("pc-a", {"k8s-node1": "w1"}, "10.0.0.9")
    assert subs.images == {"docker.io/library/busybox:1.28": "r/busybox:1.28"}
