"""An API server in memory for Leases and Namespaces, enough for fixtures/coordination/leases.py: objects are
kept as the JSON the server would hold, read back as the client's models; resourceVersion is
checked on replace (409), as etcd does."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
from types import SimpleNamespace

from kubernetes import client
from kubernetes.client.rest import ApiException

from fixtures.coordination import processes

_models = client.ApiClient()


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 11, 27, 3, 0, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def _merge(into: dict, patch: dict) -> None:
    for k, v in patch.items():
        if v is None:
            into.pop(k, None)
        elif isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = copy.deepcopy(v)


class FakeApi:
    """CoordinationV1Api and the CoreV1Api calls for namespaces, in one object."""

    def __init__(self):
        self.leases: dict[str, dict] = {}
        self.namespaces: set[str] = set()
        self.calls: list[tuple[str, str]] = []
        self.forbidden: set[str] = set()        # method names answered 403
        self._before: dict[str, list] = {}
        self._rv = 0

    def before(self, method: str, action, *, skip: int = 0) -> None:
        """Run `action` once, just before a call of `method` is served: the next one, or the
        one after `skip` more."""
        self._before.setdefault(method, []).append([skip, action])

    def _call(self, method: str, name: str = "") -> None:
        self.calls.append((method, name))
        pending = self._before.get(method, [])
        for entry in list(pending):
            if entry[0]:
                entry[0] -= 1
                continue
            pending.remove(entry)
            entry[1]()
        if method in self.forbidden:
            raise ApiException(status=403, reason="Forbidden")

    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    def _model(self, data: dict) -> client.V1Lease:
        return _models.deserialize(json.dumps(data), "V1Lease", "application/json")

    # -- namespaces
    def read_namespace(self, name):
        self._call("read_namespace", name)
        if name not in self.namespaces:
            raise ApiException(status=404, reason="Not Found")
        return client.V1Namespace(metadata=client.V1ObjectMeta(name=name))

    def create_namespace(self, body):
        name = body["metadata"]["name"]
        self._call("create_namespace", name)
        if name in self.namespaces:
            raise ApiException(status=409, reason="AlreadyExists")
        self.namespaces.add(name)

    # -- leases
    def create_namespaced_lease(self, namespace, body):
        name = body["metadata"]["name"]
        self._call("create_namespaced_lease", name)
        if namespace not in self.namespaces:
            raise ApiException(status=404, reason="Not Found")
        if name in self.leases:
            raise ApiException(status=409, reason="AlreadyExists")
        data = copy.deepcopy(body)
        data["metadata"]["resourceVersion"] = self._next_rv()
        self.leases[name] = data
        return self._model(data)

    def read_namespaced_lease(self, name, namespace):
        self._call("read_namespaced_lease", name)
        if name not in self.leases:
            raise ApiException(status=404, reason="Not Found")
        return self._model(self.leases[name])

    def replace_namespaced_lease(self, name, namespace, body):
        self._call("replace_namespaced_lease", name)
        if name not in self.leases:
            raise ApiException(status=404, reason="Not Found")
        if body["metadata"].get("resourceVersion") != self.leases[name]["metadata"]["resourceVersion"]:
            raise ApiException(status=409, reason="Conflict")
        data = copy.deepcopy(body)
        data["metadata"]["resourceVersion"] = self._next_rv()
        self.leases[name] = data
        return self._model(data)

    def patch_namespaced_lease(self, name, namespace, body):
        self._call("patch_namespaced_lease", name)
        if name not in self.leases:
            raise ApiException(status=404, reason="Not Found")
        _merge(self.leases[name], body)
        self.leases[name]["metadata"]["resourceVersion"] = self._next_rv()
        return self._model(self.leases[name])

    def delete_namespaced_lease(self, name, namespace, body=None):
        self._call("delete_namespaced_lease", name)
        if name not in self.leases:
            raise ApiException(status=404, reason="Not Found")
        wanted = body.preconditions.resource_version if body is not None and body.preconditions else None
        if wanted and wanted != self.leases[name]["metadata"]["resourceVersion"]:
            raise ApiException(status=409, reason="Conflict")
        del self.leases[name]

    def list_namespaced_lease(self, namespace, label_selector=None):
        self._call("list_namespaced_lease")
        items = [d for d in self.leases.values()
                 if not label_selector or label_selector in (d["metadata"].get("labels") or {})]
        return SimpleNamespace(items=[self._model(d) for d in items])

    # views for assertions
    def spec(self, name) -> dict:
        return self.leases[name]["spec"]

    def shared_mark(self, name) -> str:
        return self.leases[name]["metadata"]["annotations"]["pod-conformance/shared"]


def ended_process() -> str:
    """The identity of a process of this host that has ended."""
    ended = subprocess.Popen(["sleep", "30"])
    ident = processes.identity(ended.pid)
    ended.kill()
    ended.wait()
    return ident
