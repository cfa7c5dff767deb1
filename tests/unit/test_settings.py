import pytest

from fixtures import settings
from fixtures.catalog import BEYOND


class FakeConfig:
    def __init__(self, options=None, ini=None):
        self.options = options or {}
        self.ini = ini or {}

    def getoption(self, name):
        return self.options.get(name)

    def getini(self, name):
        return self.ini.get(name, "")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for s in settings.SETTINGS:
        monkeypatch.delenv(s.env, raising=False)


def test_option_beats_environment_beats_ini_beats_default(monkeypatch):
    name = "timeout_scale"
    assert settings.resolve(FakeConfig(), name) == (1.0, "default")
    assert settings.resolve(FakeConfig(ini={name: "2"}), name) == (2.0, "pytest.ini")
    monkeypatch.setenv("CONFORMANCE_TIMEOUT_SCALE", "3")
    assert settings.resolve(FakeConfig(ini={name: "2"}), name) == (3.0, "$CONFORMANCE_TIMEOUT_SCALE")
    assert settings.resolve(FakeConfig(options={name: "4.5"}, ini={name: "2"}), name) == (4.5, "--timeout-scale")


def test_empty_values_count_as_unset(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_CONTEXT", "")
    assert settings.resolve(FakeConfig(options={"context": ""}, ini={"context": "kind-x"}), "context") == \
        ("kind-x", "pytest.ini")


def test_unset_without_default():
    assert settings.resolve(FakeConfig(), "kubeconfig") == (None, "unset")
    assert settings.resolve(FakeConfig(), "allow_node_mutation") == (None, "unset")


def test_kubeconfig_from_its_usual_environment_variable(monkeypatch):
    monkeypatch.setenv("KUBECONFIG", "/tmp/kc")
    assert settings.resolve(FakeConfig(), "kubeconfig") == ("/tmp/kc", "$KUBECONFIG")


@pytest.mark.parametrize("raw, value", [("true", True), ("Yes", True), ("1", True), ("ON", True),
                                        ("false", False), ("no", False), ("0", False), ("off", False)])
def test_bool_values(raw, value):
    assert settings.resolve(FakeConfig(options={"keep_on_failure": raw}), "keep_on_failure") == \
        (value, "--keep-on-failure")


def test_bool_default():
    assert settings.resolve(FakeConfig(), "keep_on_failure") == (False, "default")


def test_a_bad_bool_is_a_usage_error_naming_flag_source_and_valid_values(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_ALLOW_NODE_MUTATION", "maybe")
    with pytest.raises(pytest.UsageError) as info:
        settings.resolve(FakeConfig(), "allow_node_mutation")
    msg = str(info.value)
    assert "--allow-node-mutation" in msg
    assert "'maybe'" in msg
    assert "$CONFORMANCE_ALLOW_NODE_MUTATION" in msg
    assert "true, false" in msg


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "nan", "inf"])
def test_a_non_positive_or_non_number_scale_is_a_usage_error(raw):
    with pytest.raises(pytest.UsageError) as info:
        settings.resolve(FakeConfig(ini={"timeout_scale": raw}), "timeout_scale")
    msg = str(info.value)
    assert "--timeout-scale" in msg and "pytest.ini" in msg
    assert "positive number" in msg


def test_strings_are_kept_as_given():
    assert settings.resolve(FakeConfig(options={"external_ip": "10.0.0.9"}), "external_ip") == \
        ("10.0.0.9", "--external-ip")


def test_accepted_unproven_ids_are_a_tuple_of_catalog_ids(monkeypatch):
    assert settings.resolve(FakeConfig(options={"accept_unproven": "N2,N6"}), "accept_unproven") == \
        (("N2", "N6"), "--accept-unproven")
    monkeypatch.setenv("CONFORMANCE_ACCEPT_UNPROVEN", " N2 , ")
    assert settings.resolve(FakeConfig(), "accept_unproven") == (("N2",), "$CONFORMANCE_ACCEPT_UNPROVEN")
    assert settings.resolve(FakeConfig(ini={"accept_unproven": "N6"}), "accept_unproven")[0] == ("N2",)


def test_an_accepted_id_not_in_the_catalog_is_a_usage_error_naming_the_valid_ids():
    with pytest.raises(pytest.UsageError) as info:
        settings.resolve(FakeConfig(ini={"accept_unproven": "N2,n6,Z9"}), "accept_unproven")
    assert str(info.value).startswith("--accept-unproven: 'N2,n6,Z9' from pytest.ini names n6, Z9, which the "
                                      "catalog does not have. Valid ids: R1, R2, ")
    assert str(info.value).endswith(", D1, Y1, " + ", ".join(BEYOND) + ".")


def test_every_setting_has_a_distinct_flag_env_and_name():
    for attr in ("name", "flag", "env"):
        values = [getattr(s, attr) for s in settings.SETTINGS]
        assert len(values) == len(set(values)), attr
    for s in settings.SETTINGS:
        assert s.flag == "--" + s.name.replace("_", "-")
        assert s.kind in ("string", "bool", "float", "catalog_ids", "pod_security_level")
