"""The guide's three manifests that cannot be applied as printed (manifests/as-printed/) are
rejected with a clear, specific error; manifests/ holds their corrected forms."""

import json

import pytest
from kubernetes.client.rest import ApiException

from fixtures import manifests
from fixtures.errors import ManifestError

AS_PRINTED = manifests.MANIFEST_DIR / "as-printed"

# No pod: these tests need no node, so they run beside the tests that hold the cluster alone.
pytestmark = pytest.mark.aside


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
def test_the_guides_namespace_defaul드_is_refused_as_an_invalid_name(kubectl, kube):
    """The namespace is refused by the API server's validation (RFC 1123: 422 Invalid on
    metadata.name, asked through kubectl and through the API). The Pod in it is
    refused by the API server too, and not by kubectl: kubectl runs here without --namespace
    (with it, kubectl itself refuses any object of another namespace, before the server is
    asked). The server's refusal is NotFound from its NamespaceLifecycle admission, which runs
    before validation: a namespace with that name cannot exist, as the first request shows."""
    printed = manifests.parse((AS_PRINTED / "weather.yaml").read_text())[0]
    assert printed["metadata"]["namespace"] == "defaul드"
    result = kubectl("create", "namespace", "defaul드", "--dry-run=server")
    assert result.returncode != 0, "the API server accepted the namespace name defaul드"
    assert 'Invalid value: "defaul드": a lowercase RFC 1123 label' in result.stderr, result.stderr
    with pytest.raises(ApiException) as invalid:
        kube.core.create_namespace({"metadata": {"name": "defaul드"}}, dry_run="All")
    status = json.loads(invalid.value.body)
    causes = [(cause["field"], cause["reason"]) for cause in status["details"]["causes"]]
    assert (invalid.value.status, status["reason"]) == (422, "Invalid") and \
        ("metadata.name", "FieldValueInvalid") in causes, invalid.value.body

    as_the_user_runs_it = kubectl.in_namespace(None)
    applied = as_the_user_runs_it("create", "--dry-run=server", "-f", str(AS_PRINTED / "weather.yaml"))
    assert applied.returncode != 0, "a Pod in namespace defaul드 was accepted"
    assert 'Error from server (NotFound): error when creating' in applied.stderr and \
           'namespaces "defaul드" not found' in applied.stderr, \
        f"the refusal does not come from the API server:\n{applied.stderr}"

    with pytest.raises(ApiException) as refused:
        kube.core.create_namespaced_pod("defaul드", printed, dry_run="All")
    status = json.loads(refused.value.body)
    assert (refused.value.status, status["reason"], status["details"]) == (404, "NotFound", {
        "name": "defaul드", "kind": "namespaces"}), refused.value.body
