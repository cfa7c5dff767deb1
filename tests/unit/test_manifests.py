import copy

import pytest

from fixtures import manifests
from fixtures.errors import ManifestError
from fixtures.manifests import Substitutions, normalize_image, substitute

ALL_NODES = {"k8s-master": "cp", "k8s-node1": "w1", "k8s-node2": "w2", "k8s-node3": "w3"}


@pytest.mark.parametrize("ref, normalized", [
    ("nginx:1.25.3", "docker.io/library/nginx:1.25.3"),
    ("nginx", "docker.io/library/nginx:latest"),
    ("library/nginx:1.25.3", "docker.io/library/nginx:1.25.3"),
    ("docker.io/library/nginx:1.25.3", "docker.io/library/nginx:1.25.3"),
    ("curlimages/curl:7.85.0", "docker.io/curlimages/curl:7.85.0"),
    ("registry.k8s.io/busybox", "registry.k8s.io/busybox:latest"),
    ("registry.k8s.io/e2e/agnhost:2.39", "registry.k8s.io/e2e/agnhost:2.39"),
    ("localhost:5000/x:1", "localhost:5000/x:1"),
    ("localhost:5000/x", "localhost:5000/x:latest"),
    ("localhost/x", "localhost/x:latest"),
    ("nginx@sha256:abcd", "docker.io/library/nginx@sha256:abcd"),
    ("nginx:1.25@sha256:abcd", "docker.io/library/nginx:1.25@sha256:abcd"),
    ("quay.io/org/img@sha256:abcd", "quay.io/org/img@sha256:abcd"),
])
def test_normalize_image(ref, normalized):
    assert normalize_image(ref) == normalized
    assert normalize_image(normalized) == normalized


# -- image map -------------------------------------------------------------------------------

def test_load_image_map_normalizes_keys(tmp_path):
    f = tmp_path / "images.yaml"
    f.write_text("nginx:1.25.3: registry.local/nginx:1.25.3\n"
                 "curlimages/curl:7.85.0: registry.local/curl:7.85.0\n")
    assert manifests.load_image_map(str(f)) == {
        "docker.io/library/nginx:1.25.3": "registry.local/nginx:1.25.3",
        "docker.io/curlimages/curl:7.85.0": "registry.local/curl:7.85.0"}


def test_load_image_map_without_a_file_or_with_an_empty_one(tmp_path):
    assert manifests.load_image_map(None) == {}
    assert manifests.load_image_map("") == {}
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert manifests.load_image_map(str(empty)) == {}


def test_load_image_map_missing_file(tmp_path):
    path = str(tmp_path / "nope.yaml")
    with pytest.raises(ManifestError, match="cannot be read") as info:
        manifests.load_image_map(path)
    assert path in str(info.value)


def test_load_image_map_invalid_yaml(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("nginx:1.25.3: [unclosed\n")
    with pytest.raises(ManifestError, match="not valid YAML") as info:
        manifests.load_image_map(str(f))
    assert str(f) in str(info.value)


@pytest.mark.parametrize("text", ["- nginx:1.25.3\n- busybox\n", "just a string\n", "nginx:1.25.3: {a: b}\n",
                                  "nginx:1.25.3: 3\n", "1.5: registry.local/x:1\n"])
def test_load_image_map_wrong_shape(tmp_path, text):
    f = tmp_path / "shape.yaml"
    f.write_text(text)
    with pytest.raises(ManifestError, match="must map image references to image references") as info:
        manifests.load_image_map(str(f))
    assert str(f) in str(info.value)


# -- substitutions ---------------------------------------------------------------------------

def pod_doc(**spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.25.3"}], **spec}}


def test_namespace_is_set_on_namespaced_kinds_only():
    subs = Substitutions(namespace="pc-t-1")
    assert substitute(pod_doc(), subs)["metadata"]["namespace"] == "pc-t-1"
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"}, "spec": {}}
    assert substitute(svc, subs)["metadata"]["namespace"] == "pc-t-1"
    no_meta = {"apiVersion": "v1", "kind": "ConfigMap"}
    assert substitute(no_meta, subs)["metadata"] == {"namespace": "pc-t-1"}
    for kind in ("Node", "Namespace"):
        doc = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}}
        assert "namespace" not in substitute(doc, subs)["metadata"]


def test_images_are_mapped_by_normalized_reference_in_all_containers():
    subs = Substitutions(namespace="ns", images={
        "docker.io/library/nginx:1.25.3": "registry.local/nginx:1.25.3",
        "docker.io/curlimages/curl:7.85.0": "registry.local/curl:7.85.0"})
    doc = pod_doc(containers=[{"name": "a", "image": "nginx:1.25.3"},
                              {"name": "b", "image": "docker.io/library/nginx:1.25.3"},
                              {"name": "c", "image": "busybox:1.28"}],
                  initContainers=[{"name": "i", "image": "curlimages/curl:7.85.0"}])
    out = substitute(doc, subs)["spec"]
    assert [c["image"] for c in out["containers"]] == [
        "registry.local/nginx:1.25.3", "registry.local/nginx:1.25.3", "busybox:1.28"]
    assert out["initContainers"][0]["image"] == "registry.local/curl:7.85.0"


def test_guide_node_names_are_mapped():
    subs = Substitutions(namespace="ns", nodes={"k8s-node1": "worker-a"})
    out = substitute(pod_doc(nodeName="k8s-node1", nodeSelector={"kubernetes.io/hostname": "k8s-node1",
                                                                 "cputype": "gpu"}), subs)["spec"]
    assert out["nodeName"] == "worker-a"
    assert out["nodeSelector"] == {"kubernetes.io/hostname": "worker-a", "cputype": "gpu"}


def test_node_names_that_are_not_the_guides_are_kept():
    subs = Substitutions(namespace="ns")
    out = substitute(pod_doc(nodeName="worker-z", nodeSelector={"kubernetes.io/hostname": "worker-y"}), subs)
    assert out["spec"]["nodeName"] == "worker-z"
    assert out["spec"]["nodeSelector"]["kubernetes.io/hostname"] == "worker-y"


@pytest.mark.parametrize("spec", [{"nodeName": "k8s-node2"}, {"nodeSelector": {"kubernetes.io/hostname": "k8s-node2"}}])
def test_a_guide_node_without_a_cluster_node_is_an_error(spec):
    subs = Substitutions(namespace="ns", nodes={"k8s-node1": "worker-a"})
    with pytest.raises(ManifestError, match="k8s-node2"):
        substitute(pod_doc(**spec), subs)


def service(ips):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"ports": [{"port": 80}], "externalIPs": ips}}


def test_guide_external_ip_is_replaced_or_dropped():
    replaced = substitute(service(["192.168.56.102"]), Substitutions(namespace="ns", external_ip="10.9.8.7"))
    assert replaced["spec"]["externalIPs"] == ["10.9.8.7"]
    dropped = substitute(service(["192.168.56.102"]), Substitutions(namespace="ns"))
    assert "externalIPs" not in dropped["spec"]
    assert dropped["spec"]["ports"] == [{"port": 80}]
    others = substitute(service(["192.168.56.102", "10.1.1.1"]), Substitutions(namespace="ns"))
    assert others["spec"]["externalIPs"] == ["10.1.1.1"]


def test_weather_url_is_replaced_in_args_and_command():
    url = manifests.WEATHER_URL
    doc = pod_doc(initContainers=[{"name": "dl", "image": "curlimages/curl:7.85.0",
                                   "args": [f"{url}?latitude=1", "-o", "/out"]}],
                  containers=[{"name": "c", "image": "busybox", "command": ["wget", f"{url}?x=1"]}])
    out = substitute(doc, Substitutions(namespace="ns", weather_url="http://stub.local/forecast"))["spec"]
    assert out["initContainers"][0]["args"] == ["http://stub.local/forecast?latitude=1", "-o", "/out"]
    assert out["containers"][0]["command"] == ["wget", "http://stub.local/forecast?x=1"]
    kept = substitute(doc, Substitutions(namespace="ns"))["spec"]
    assert kept["initContainers"][0]["args"][0] == f"{url}?latitude=1"


def test_substitute_does_not_change_the_original():
    doc = pod_doc(nodeName="k8s-node1", nodeSelector={"kubernetes.io/hostname": "k8s-node1"},
                  initContainers=[{"name": "i", "image": "nginx:1.25.3", "args": [manifests.WEATHER_URL]}])
    before = copy.deepcopy(doc)
    substitute(doc, Substitutions(namespace="ns", nodes=ALL_NODES, images={
        "docker.io/library/nginx:1.25.3": "r/nginx:1"}, weather_url="http://x"))
    assert doc == before
    svc = service(["192.168.56.102"])
    substitute(svc, Substitutions(namespace="ns"))
    assert svc == service(["192.168.56.102"])


# -- the manifests directory -------------------------------------------------------------------

def test_read_unknown_manifest_lists_the_available_ones():
    with pytest.raises(ManifestError) as info:
        manifests.read("no-such-manifest")
    msg = str(info.value)
    assert "no-such-manifest" in msg
    assert "myweb1-pod" in msg and "sch-test4" in msg


MANIFEST_FILES = manifests.names()


def test_there_are_manifests():
    assert len(MANIFEST_FILES) >= 10
    assert "beyond/deadline-pod" in MANIFEST_FILES


@pytest.mark.parametrize("name", MANIFEST_FILES)
def test_every_manifest_parses_and_substitutes(name):
    docs = manifests.read(name)
    assert docs
    for doc in docs:
        assert doc["apiVersion"] and doc["kind"]
    for doc in manifests.load(name, Substitutions(namespace="pc-ns", nodes=ALL_NODES)):
        if doc["kind"] not in manifests.CLUSTER_SCOPED:
            assert doc["metadata"]["namespace"] == "pc-ns"


def test_load_applies_the_substitutions():
    (svc,) = manifests.load("myweb1-svc", Substitutions(namespace="pc-ns"))
    assert svc["metadata"]["namespace"] == "pc-ns"
    assert "externalIPs" not in svc["spec"]


def test_parse_needs_api_version_and_kind():
    with pytest.raises(ManifestError, match="apiVersion and kind"):
        manifests.parse("kind: Pod\nmetadata: {name: x}\n", source="m.yaml")
    with pytest.raises(ManifestError, match="apiVersion and kind"):
        manifests.parse("- a\n- b\n")
    assert manifests.parse("---\napiVersion: v1\nkind: Pod\n---\n") == [{"apiVersion": "v1", "kind": "Pod"}]


# -- the guide's YAML errors ---------------------------------------------------------------------

GUIDE_MYAPP_INIT_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  labels:
    app: myapp
spec:
  containers:
  - image: busybox:1.28
    name: myapp-container
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox:1.28
     command: ['sh', '-c', "until nslookup myservice; do echo waiting for myservice; sleep 2; done"]
"""

GUIDE_SCH_TEST4 = """\
apiVersion: v1
kind: Pod
metadata:
  name: sch-test4
spec:
  nodeSelector:
    cputype: gpu
  containers:
  - image: nginx:1.25.3
    name: sch-test4
  tolerations:
  - key: "cputype"
    operator: "Equal"
    value: "gpu"
    effect: "NoSchedule
"""

GUIDE_WEATHER_NAMESPACE = """\
apiVersion: v1
kind: Pod
metadata:
  name: weather-pod
  namespace: defaul드
spec:
  containers:
  - image: nginx:1.25.3-alpine
    name: nginx-container
"""


@pytest.mark.parametrize("text", [GUIDE_MYAPP_INIT_POD, GUIDE_SCH_TEST4], ids=["myapp-init-pod", "sch-test4"])
def test_guide_yaml_errors_are_not_valid_yaml(text):
    with pytest.raises(ManifestError, match="guide.yaml is not valid YAML"):
        manifests.parse(text, source="guide.yaml")


def test_guide_namespace_typo_is_valid_yaml():
    (doc,) = manifests.parse(GUIDE_WEATHER_NAMESPACE)
    assert doc["metadata"]["namespace"] == "defaul드"


def test_corrected_guide_manifests_parse():
    assert manifests.parse(GUIDE_MYAPP_INIT_POD.replace("     command:", "    command:"))
    assert manifests.parse(GUIDE_SCH_TEST4.replace('"NoSchedule\n', '"NoSchedule"\n'))


def test_kube_apply_maps_the_guides_node_names_once(monkeypatch):
    """Where cluster nodes are named as the guide's and play others (k8s-node1 cordoned, so
    k8s-node2 plays it; k8s-master hidden), a manifest's nodes are mapped once and a document a
    test wrote with a node it chose is taken as written (was: mapped again on apply, k8s-node1
    -> k8s-node2 -> k8s-node3, and k8s-master refused as played by no node)."""
    from types import SimpleNamespace

    from kubernetes import client, utils

    from fixtures.kube import Kube
    from fixtures.timeline import Timeline
    from fixtures.timeouts import Timeouts

    sent = []
    monkeypatch.setattr(utils, "create_from_dict", lambda api, doc, namespace: sent.append(doc) or [doc])
    played = {"k8s-node1": "k8s-node2", "k8s-node2": "k8s-node3", "k8s-node3": "k8s-node2"}
    kube = Kube(SimpleNamespace(api=client.ApiClient()), "ns", Timeline(), Timeouts(), Substitutions("ns", nodes=played))
    monkeypatch.setattr(kube, "check_admission", lambda *a: None)
    kube.apply("sch-test1")
    kube.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pinned"},
                "spec": {"nodeSelector": {"kubernetes.io/hostname": "k8s-master"},
                         "containers": [{"name": "c", "image": "busybox:1.28"}]}})
    assert [d["spec"]["nodeSelector"]["kubernetes.io/hostname"] for d in sent] == ["k8s-node2", "k8s-master"]
