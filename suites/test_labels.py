"""Labels and annotations (the guide's "Label 활용"): selecting pods by label, a Service
selecting the pods of one multi-document manifest, and annotations that select nothing."""

import pytest

from fixtures import conditions as c
from fixtures import pods, services

GUIDE_IMAGE = "nginx:1.25.3-alpine"
ICON_URL_KEY = "examples.com/icon-url"
ICON_URL = "https://example.com/icon.png"


def _names(pod_list) -> list[str]:
    return sorted(p.metadata.name for p in pod_list.items)


@pytest.mark.catalog("B1")
def test_kubectl_selects_mynginx_pods_by_label_value_and_by_key_alone(kube, kubectl, timeouts):
    image = kube.image(GUIDE_IMAGE)      # through the image map, as the manifests' images go
    labels = {"mynginx1": "key=value",
              "mynginx2": "key1=value1,key2=value2",
              "mynginx3": "key1=value1,key2=value2,key3=value3"}
    for name, spec in labels.items():
        kubectl("run", name, f"--image={image}", f"--labels={spec}").check()
    for name, spec in labels.items():
        pod = kube.wait_pod(name, c.pod_running(), timeouts.pod_start)
        differs, added = pods.labels_set_by(dict(kv.split("=") for kv in spec.split(",")), pod.metadata.labels)
        assert differs is None, f"pod/{name} has labels {differs} (--labels={spec})"
        if added:
            kube.timeline.note(f"pod/{name}", f"labels the cluster added besides --labels: {added}")

    for selector, expected in (("key=value", ["mynginx1"]), ("key1", ["mynginx2", "mynginx3"])):
        out = kubectl("get", "po", f"--selector={selector}", "-o", "name").check().stdout
        printed, wanted = sorted(out.split()), [f"pod/{n}" for n in expected]
        assert printed == wanted, f"kubectl get po --selector={selector} -o name printed {printed}, expected {wanted}"
        by_api = _names(kube.core.list_namespaced_pod(kube.namespace, label_selector=selector))
        assert by_api == expected, f"the API's label selector {selector!r} chose {by_api}, expected {expected}"


@pytest.mark.aside      # its pods on one node; it asks the EndpointSlice, no proxy, no DNS
@pytest.mark.reaches_service
@pytest.mark.catalog("B2")
def test_label_pod_manifest_creates_three_pods_that_infra_svc1_selects(kube, timeouts):
    """The manifest names namespace infra-team-ns1; like every manifest here it goes into the
    test's own namespace, which stands for infra-team-ns1."""
    created = kube.apply("label-pod")
    kinds = sorted(f"{o.kind}/{o.metadata.name}" for o in created)
    assert kinds == ["Pod/label-pod-a", "Pod/label-pod-b", "Pod/label-pod-c", "Service/infra-svc1"], \
        f"one apply of label-pod.yaml created {kinds}"
    assert {o.metadata.namespace for o in created} == {kube.namespace}

    ips = set()
    for name in ("label-pod-a", "label-pod-b", "label-pod-c"):
        pod = kube.wait_pod(name, c.pod_running(), timeouts.pod_start)
        assert pod.metadata.labels.get("type") == "infra1"
        ips.add(pod.status.pod_ip)
    assert len(ips) == 3, f"the three pods have pod IPs {ips}, expected three different ones"
    selected = _names(kube.core.list_namespaced_pod(kube.namespace, label_selector="type=infra1"))
    assert selected == ["label-pod-a", "label-pod-b", "label-pod-c"], f"type=infra1 selects {selected}"
    kube.wait(kube.watch_service_endpoints("infra-svc1"),
              c.slices_made_within(c.endpoints_exactly(ips, port=7777), timeouts(services.SLICE_MADE_S)),
              timeouts.pod_start)


@pytest.mark.catalog("B3")
def test_an_annotation_is_stored_unchanged_and_selects_nothing(kube):
    doc = pods.pod("annotated", ["sleep", "3600"])
    doc["metadata"]["annotations"] = {ICON_URL_KEY: ICON_URL}
    kube.apply(doc)
    stored = kube.pod("annotated").metadata.annotations or {}
    assert stored.get(ICON_URL_KEY) == ICON_URL, \
        f"annotation {ICON_URL_KEY} reads back as {stored.get(ICON_URL_KEY)!r}, expected {ICON_URL!r}"

    by_label = _names(kube.core.list_namespaced_pod(kube.namespace, label_selector="app=annotated"))
    assert by_label == ["annotated"], f"the pod's own label app=annotated selects {by_label}"
    by_annotation = _names(kube.core.list_namespaced_pod(kube.namespace, label_selector=ICON_URL_KEY))
    assert by_annotation == [], f"a label selector on the annotation key {ICON_URL_KEY} selected {by_annotation}"
