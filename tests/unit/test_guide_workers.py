"""The scheduling suite's `workers` fixture on a simulated cluster, through pytest and the
plugin as a run uses them: a node its owner cordoned or tainted is left out and the others play
the guide's workers; one that is NotReady fails the tests that need it, naming the node; and a
node left out after an upgrade that took pods before (what `make upgrade-local BROKEN=1` and CI
leave on k8s-node3) makes the upgrade comparison reject, in the words CI greps for."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT

CONFTEST = '''
import json
from types import SimpleNamespace

import pytest
from kubernetes import client

from fixtures.plugin import RUN


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    # The run counts as connected, to a cluster whose nodes are nodes.json, so that it connects to
    # none. nodes.json lists the nodes, or {"reads": [...]}: the nodes read by each list call in
    # turn, the last one for every call after it.
    def node(n):
        return client.V1Node(
            metadata=client.V1ObjectMeta(name=n["name"], labels=n.get("labels", {})),
            spec=client.V1NodeSpec(taints=[client.V1Taint(key=k, value=v, effect=e) for k, v, e in n.get("taints", [])],
                                   unschedulable=n.get("unschedulable")),
            status=client.V1NodeStatus(conditions=[client.V1NodeCondition(type="Ready", status=n.get("ready", "True"))]))
    loaded = json.load(open("nodes.json"))
    reads = [[node(n) for n in listed] for listed in (loaded["reads"] if isinstance(loaded, dict) else [loaded])]

    def list_node():
        return SimpleNamespace(items=reads.pop(0) if len(reads) > 1 else reads[0])
    config.stash[RUN].attach(SimpleNamespace(
        core=SimpleNamespace(list_node=list_node), server="https://simulated",
        context="simulated", kubeconfig="none", version="v1.36.3", created_by_suite=False))


@pytest.fixture
def namespace():
    return "pc-test"
'''

TESTS = '''
import json

import pytest

from suites.test_scheduling import workers


@pytest.mark.catalog("N1")
def test_the_expected_workers_take_pods(workers):
    assert workers == json.load(open("expected.json"))
'''
THREE = ["k8s-node1", "k8s-node2", "k8s-node3"]

LEFT_BY_UPGRADE = ["pod-conformance/left-by-upgrade", "true", "NoSchedule"]


def nodes(**changes):
    out = [{"name": "k8s-master", "labels": {"node-role.kubernetes.io/control-plane": ""},
            "taints": [["node-role.kubernetes.io/control-plane", None, "NoSchedule"]]}]
    return out + [{"name": n, **changes.get(n.replace("-", "_"), {})} for n in ("k8s-node1", "k8s-node2", "k8s-node3")]


@pytest.fixture
def workers_project(project):
    pytester, run = project
    (pytester.path / "conftest.py").write_text(CONFTEST)
    (pytester.path / "tests" / "test_uses_workers.py").write_text(TESTS)

    def run_on(node_list, observations, *args, expected=THREE):
        (pytester.path / "nodes.json").write_text(json.dumps(node_list))
        (pytester.path / "expected.json").write_text(json.dumps(expected))
        return run("tests", f"--observations={pytester.path / observations}", *args)
    return pytester, run_on


def test_workers_that_take_pods_are_the_guides_three(workers_project):
    pytester, run_on = workers_project
    run_on(nodes(), "obs.json").assert_outcomes(passed=1)


def test_nodes_their_owners_cordoned_or_tainted_are_left_out_and_the_others_play_the_workers(workers_project):
    pytester, run_on = workers_project
    result = run_on(nodes(k8s_node1={"unschedulable": True}, k8s_node3={"taints": [LEFT_BY_UPGRADE]}), "obs.json",
                    expected=["k8s-node2"])
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["the guide's nodes: k8s-node1=k8s-node2, k8s-node2=k8s-node2, k8s-node3=k8s-node2, "
                                 "k8s-master=k8s-master; left out by their owners' choice: k8s-node1 (cordoned); "
                                 "k8s-node3 (tainted pod-conformance/left-by-upgrade=true:NoSchedule)"])


def test_a_notready_worker_fails_naming_it_and_an_owners_taint_does_not(workers_project):
    pytester, run_on = workers_project
    result = run_on(nodes(k8s_node3={"taints": [LEFT_BY_UPGRADE]}, k8s_node2={"ready": "False"}), "obs.json",
                    expected=["k8s-node1", "k8s-node2"])
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*k8s-node2: NotReady (Ready=False); the nodes that play the guide's workers must take pods: untaint, "
        "uncordon or repair the node"])


NOT_READY = ["node.kubernetes.io/not-ready", None, "NoExecute"]


def test_a_ready_worker_the_node_controller_has_yet_to_untaint_is_waited_for(workers_project):
    pytester, run_on = workers_project
    run_on({"reads": [nodes(k8s_node3={"taints": [NOT_READY]}), nodes(k8s_node3={"taints": [NOT_READY]}), nodes()]},
           "obs.json").assert_outcomes(passed=1)


def test_a_ready_worker_whose_not_ready_taint_stays_fails_naming_it(workers_project):
    pytester, run_on = workers_project
    result = run_on(nodes(k8s_node3={"taints": [NOT_READY]}), "obs.json", "--timeout-scale=0.1")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*k8s-node3: tainted node.kubernetes.io/not-ready:NoExecute, not by the suite (the node controller kept its "
        "taints on a Ready node for 3 s); the nodes that play the guide's workers must take pods*"])


def test_a_notready_worker_fails_without_waiting(workers_project):
    pytester, run_on = workers_project
    result = run_on(nodes(k8s_node2={"ready": "False", "taints": [NOT_READY]}), "obs.json")
    result.assert_outcomes(errors=1)
    assert result.duration < 10
    result.stdout.fnmatch_lines(["*k8s-node2: NotReady (Ready=False); tainted node.kubernetes.io/not-ready:NoExecute, "
                                 "not by the suite; the nodes that play*"])


def test_the_upgrade_comparison_rejects_a_worker_left_tainted_as_ci_greps_for_it(workers_project):
    pytester, run_on = workers_project
    run_on(nodes(), "before.json").assert_outcomes(passed=1)
    run_on(nodes(k8s_node3={"taints": [LEFT_BY_UPGRADE]}), "after.json",
           expected=["k8s-node1", "k8s-node2"]).assert_outcomes(passed=1)
    compared = subprocess.run([sys.executable, str(ROOT / "scripts" / "compare-runs.py"),
                               str(pytester.path / "before.json"), str(pytester.path / "after.json")],
                              capture_output=True, text=True, timeout=30)
    assert compared.returncode == 1, compared.stdout + compared.stderr
    print(compared.stdout)
    assert compared.stdout.splitlines()[:2] == [
        "REJECT: 1 regression(s)",
        "  - node k8s-node3 took the suite's pods before and is left out after: "
        "tainted pod-conformance/left-by-upgrade=true:NoSchedule"]
    ci = (ROOT / ".ci" / "run").read_text()
    grep = next(line for line in ci.splitlines() if "comparison-after-broken.txt" in line and "left out after" in line)
    wanted = grep.split('"')[1]
    assert wanted in compared.stdout, f".ci/run greps for {wanted!r}, which the comparison does not say"
