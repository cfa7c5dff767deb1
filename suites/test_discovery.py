"""Discovery (the guide's "Kubernetes API Resource"): kubectl api-resources and explain."""

import pytest

# No pod: these tests need no node, so they run beside the tests that hold the cluster alone.
pytestmark = pytest.mark.aside

# The rows the guide shows: name -> (short name, API version, namespaced, kind).
GUIDE_RESOURCES = {
    "pods": ("po", "v1", "true", "Pod"),
    "bindings": ("", "v1", "true", "Binding"),
    "componentstatuses": ("cs", "v1", "false", "ComponentStatus"),
    "configmaps": ("cm", "v1", "true", "ConfigMap"),
    "endpoints": ("ep", "v1", "true", "Endpoints"),
    "events": ("ev", "v1", "true", "Event"),
    "limitranges": ("limits", "v1", "true", "LimitRange"),
    "namespaces": ("ns", "v1", "false", "Namespace"),
    "nodes": ("no", "v1", "false", "Node"),
}


def _table(text: str) -> dict[str, tuple]:
    lines = text.splitlines()
    header = lines[0]
    cols = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    starts = [header.index(c) for c in cols]
    rows = {}
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        rows.setdefault(cells[0], tuple(cells[1:]))   # first row wins: the core group comes first
    return rows


@pytest.mark.catalog("D1")
@pytest.mark.parametrize("resource", list(GUIDE_RESOURCES))
def test_api_resources_lists_the_guides_kinds(kubectl, resource):
    rows = _table(kubectl("api-resources", "--api-group=").check().stdout)
    assert resource in rows, f"kubectl api-resources has no {resource}"
    assert rows[resource] == GUIDE_RESOURCES[resource], \
        f"{resource}: {rows[resource]}, expected (shortnames, apiversion, namespaced, kind) {GUIDE_RESOURCES[resource]}"


@pytest.mark.catalog("D1")
def test_explain_pods_describes_a_pod_as_a_collection_of_containers(kubectl):
    out = kubectl("explain", "pods").check().stdout
    assert "KIND:" in out and "Pod" in out.split("KIND:")[1].splitlines()[0]
    assert "VERSION:" in out and "v1" in out.split("VERSION:")[1].splitlines()[0]
    description = " ".join(out.split("DESCRIPTION:")[1].split("FIELDS:")[0].split())
    assert description.startswith("Pod is a collection of containers that can run on a host."), description
    for field in ("apiVersion", "kind", "metadata", "spec", "status"):
        assert f"\n  {field}\t" in out, f"kubectl explain pods lists no field {field}"
    spec = kubectl("explain", "pods.spec.containers").check().stdout
    assert "image\t<string>" in spec
