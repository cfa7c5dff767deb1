"""The guide's three manifests that cannot be applied as printed (manifests/as-printed/) are
rejected with a clear, specific error; manifests/ holds their corrected forms."""

import pytest

from fixtures import manifests
from fixtures.errors import ManifestError

AS_PRINTED = manifests.MANIFEST_DIR / "as-printed"


@pytest.mark.catalog("Y1")
@pytest.mark.parametrize("name, line, problem", [
    pytest.param("myapp-init-pod", 15, "mapping values are not allowed", id="myapp-init-pod-command-indented-one-space-too-far"),
    pytest.param("sch-test4", 16, "unexpected end of stream", id="sch-test4-unterminated-effect-string"),
])
def test_the_guides_invalid_yaml_is_refused_by_kubectl_naming_the_line(kubectl, name, line, problem):
    path = AS_PRINTED / f"{name}.yaml"
    result = kubectl("apply", "--dry-run=client", "-f", str(path))
    assert result.returncode != 0, f"kubectl accepted {path}"
    assert f"line {line}: " in result.stderr and problem in result.stderr, result.stderr
    with pytest.raises(ManifestError, match="is not valid YAML"):
        manifests.parse(path.read_text(), source=str(path))
    corrected = manifests.read(name)
    assert corrected[0]["metadata"]["name"] in path.read_text()


@pytest.mark.catalog("Y1")
def test_the_guides_namespace_defaul드_is_refused_as_an_invalid_name(kubectl):
    printed = manifests.parse((AS_PRINTED / "weather.yaml").read_text())[0]
    assert printed["metadata"]["namespace"] == "defaul드"
    result = kubectl("create", "namespace", "defaul드", "--dry-run=server")
    assert result.returncode != 0, "the API server accepted the namespace name defaul드"
    assert 'Invalid value: "defaul드": a lowercase RFC 1123 label' in result.stderr, result.stderr
    applied = kubectl("create", "--dry-run=server", "-f", str(AS_PRINTED / "weather.yaml"))
    assert applied.returncode != 0, "a Pod in namespace defaul드 was accepted"
    assert "defaul드" in applied.stderr, applied.stderr
