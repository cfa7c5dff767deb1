import pytest

from fixtures import services


class FakeKube:
    """Answers exec with what a shell would print for each script, in order."""

    def __init__(self, *outputs):
        self.outputs = list(outputs)
        self.scripts = []

    def exec(self, pod, command):
        self.scripts.append(command[2])
        return self.outputs.pop(0)


def test_run_reads_the_exit_code_the_wrapper_prints_last():
    kube = FakeKube("curl: (6) Could not resolve host: x\nexit=6\n")
    assert services.run(kube, "client", "curl http://x/") == (6, "curl: (6) Could not resolve host: x\n")
    assert kube.scripts == ['(\ncurl http://x/\n)\necho "exit=$?"']
    assert services.run(FakeKube("killed\n"), "client", "true") == (-1, "killed\n")


def test_retried_stops_at_the_first_success_or_after_the_attempts_with_the_last_code():
    script = services.retried("getent hosts web", 3)
    assert script == ("i=0; while :; do getent hosts web && break; rc=$?; i=$((i+1)); "
                      "[ $i -ge 3 ] && exit $rc; sleep 1; done")


def test_a_broken_layer_is_named_with_what_it_stands_for():
    e = services.broken("web", "ClusterIP", "10.96.0.10:80 from pod/c on n1: exit 28")
    assert isinstance(e, AssertionError)
    assert str(e) == ("service/web is broken at its ClusterIP (the Service proxy on the client's node "
                      "(kube-proxy and its rules)): 10.96.0.10:80 from pod/c on n1: exit 28")
    with pytest.raises(KeyError):
        services.broken("web", "no such layer", "")


def test_http_builds_a_curl_with_host_and_port_left_to_fill():
    assert services.http("/x").format(host="10.0.0.1", port=8001) == \
        "curl -sS --connect-timeout 3 --max-time 5 http://10.0.0.1:8001/x"
