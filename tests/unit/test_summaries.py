from kubernetes import client

from fixtures import summaries
from fixtures.summaries import container_state, node_summary, pod_summary, slice_summary, summarize
from kubeobjects import container_status, endpoint_slice, node, pod


def test_pod_summary_lists_phase_node_conditions_containers_and_reason():
    p = pod(phase="Running", node="n1", deleting=True, reason="Evicted",
            conditions=[("Ready", "True", "Ignored"), ("PodScheduled", "False", "Unschedulable")],
            init_statuses=[container_status("init", terminated="Completed")],
            statuses=[container_status("app", running=True, ready=True, restarts=2)])
    assert pod_summary(p) == ("Running terminating node=n1 Ready=True PodScheduled=False(Unschedulable) "
                              "init:init=terminated(Completed,exit=0) app=running ready restarts=2 reason=Evicted")


def test_pod_summary_ends_with_the_pods_status_message():
    p = pod(phase="Failed", node="n3", reason="NodeAffinity",
            message="Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector")
    assert pod_summary(p) == ("Failed node=n3 reason=NodeAffinity (Pod was rejected: Predicate NodeAffinity "
                              "failed: node(s) didn't match Pod's node affinity/selector)")


def test_pod_summary_of_a_fresh_pod():
    assert pod_summary(pod(phase=None)) == "?"
    assert pod_summary(pod(phase="Pending")) == "Pending"


def test_container_states():
    assert container_state(container_status("a", running=True)) == "running"
    assert container_state(container_status("a", running=True, ready=True)) == "running ready"
    assert container_state(container_status("a", waiting="CrashLoopBackOff", restarts=3)) == \
        "waiting(CrashLoopBackOff) restarts=3"
    assert container_state(container_status("a", terminated="Error", exit_code=1)) == "terminated(Error,exit=1)"
    assert container_state(container_status("a")) == "unknown"


def test_node_summary():
    assert node_summary(node("n1", taints=[("cputype", "gpu", "NoSchedule"), ("x", None, "NoExecute")])) == \
        "Ready=True taints=[cputype=gpu:NoSchedule,x=:NoExecute]"
    assert node_summary(node("n2", ready=None)) == "Ready=? taints=[]"
    assert node_summary(node("n3", ready="False")) == "Ready=False taints=[]"


def test_slice_summary_counts_ready_and_unconditioned_endpoints_as_ready_and_names_the_others():
    es = endpoint_slice("web-x1", [("10.0.0.2", True), ("10.0.0.1", None), ("10.0.0.3", False)], ports=(80, 443))
    assert slice_summary(es) == "web-x1 ready=['10.0.0.1', '10.0.0.2'] not-ready=[10.0.0.3] ports=[80, 443]"
    es.endpoints[2].conditions.serving, es.endpoints[2].conditions.terminating = True, True
    assert slice_summary(es) == "web-x1 ready=['10.0.0.1', '10.0.0.2'] not-ready=[10.0.0.3 serving terminating] ports=[80, 443]"
    empty = client.V1EndpointSlice(address_type="IPv4", metadata=client.V1ObjectMeta(name="e"), endpoints=[])
    assert slice_summary(empty) == "e ready=[] ports=[]"


def test_summarize_text():
    assert summarize(None) == "not found"
    assert summarize("") == "empty text"
    assert summarize("one") == "1 line(s), ending: 'one'"
    assert summarize("a\nb\nc\nd\n") == "4 line(s), ending: 'b | c | d'"
    long = summarize("x" * 1000)
    assert long.startswith("1 line(s), ending: 'xxx") and len(long) < 340


def test_summarize_lists_and_objects_by_type():
    assert summarize([]) == "none"
    assert summarize([pod(phase="Running"), pod(phase="Failed")]) == "Running; Failed"
    assert summarize(pod(phase="Running", node="n1")) == "Running node=n1"
    assert summarize(node("n1")) == "Ready=True taints=[]"
    assert summarize(endpoint_slice("s", [("10.0.0.1", True)])) == "s ready=['10.0.0.1'] ports=[80]"
    ns = client.V1Namespace(metadata=client.V1ObjectMeta(name="pc-x"), status=client.V1NamespaceStatus(phase="Terminating"))
    assert summarize(ns) == "namespace pc-x Terminating"


def test_summarize_other_objects_by_kind_and_name():
    cm = client.V1ConfigMap(kind="ConfigMap", metadata=client.V1ObjectMeta(name="settings"))
    assert summarize(cm) == "ConfigMap settings"
    bare = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings"))
    assert summarize(bare) == "V1ConfigMap settings"
    assert set(summaries._BY_TYPE) >= {"V1Pod", "V1Node", "V1EndpointSlice", "V1Namespace"}
