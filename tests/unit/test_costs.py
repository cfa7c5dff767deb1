import importlib
import threading

import pytest
from kubernetes import client

from fixtures import costs

websocket = importlib.import_module("kubernetes.stream.stream")     # the module, not its `stream` function


class Sent(Exception):
    """Stands for the response: the request got as far as being sent."""


@pytest.fixture
def api():
    counted = costs.count_requests(client.ApiClient(client.Configuration(host="http://127.0.0.1:9")))

    def send(*args, **kwargs):
        raise Sent()
    counted.call_api = send
    return counted


@pytest.fixture
def in_a_test(monkeypatch):
    """A test of the suite runs now (in place of this unit test, which the plugin measures too)."""
    monkeypatch.setattr(costs, "current", costs.Tally())
    return costs.current


def request(api):
    with pytest.raises(Sent):
        client.CoreV1Api(api).list_namespace()


def test_requests_through_the_client_count_for_the_test_that_runs(api, in_a_test):
    request(api)
    request(api)
    assert in_a_test.api_requests == 2
    assert ("api_requests", "2") in costs.properties()


def test_requests_outside_a_test_count_for_none(api, monkeypatch):
    monkeypatch.setattr(costs, "current", None)
    request(api)
    assert costs.properties() == []
    costs.begin()
    assert costs.current.api_requests == 0
    costs.end()
    assert costs.current is None


def test_a_threads_requests_count_for_the_test_unless_the_thread_is_the_runs_own(api, in_a_test):
    def renewer():
        costs.the_runs_own_thread()
        request(api)

    for target in (lambda: request(api), renewer):
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    assert in_a_test.api_requests == 1


def test_an_exec_request_counts_though_the_stream_replaces_call_api(api, in_a_test):
    class Upgraded(Exception):
        pass

    def websocket_call(*args, **kwargs):
        raise Upgraded()

    with pytest.raises(Upgraded):
        websocket._websocket_request(websocket_call, None, client.CoreV1Api(api).connect_get_namespaced_pod_exec,
                                     "pod", "ns", command=["true"])
    assert in_a_test.api_requests == 1


def test_the_properties_name_the_holds_and_the_wait():
    tally = costs.Tally(hold_wait_s=1.23456, holds=["exclusive", "shared"], api_requests=7)
    assert tally.properties() == [("hold", "exclusive,shared"), ("hold_wait_s", "1.235"), ("api_requests", "7")]
    assert costs.Tally().properties()[0] == ("hold", "none")
