"""Builders of kubernetes client model objects for the framework's unit tests."""

from __future__ import annotations

import datetime as dt

from kubernetes import client


def container_status(name: str, *, running: bool = False, ready: bool = False, waiting: str | None = None,
                     terminated: str | None = None, exit_code: int = 0, restarts: int = 0):
    state = client.V1ContainerState(
        running=client.V1ContainerStateRunning() if running else None,
        waiting=client.V1ContainerStateWaiting(reason=waiting) if waiting else None,
        terminated=(client.V1ContainerStateTerminated(reason=terminated, exit_code=exit_code)
                    if terminated else None))
    return client.V1ContainerStatus(name=name, image="img", image_id="", ready=ready,
                                    restart_count=restarts, state=state)


def pod(name: str = "p", *, phase: str | None = "Pending", node: str | None = None,
        conditions: list[tuple] = (), statuses=(), init_statuses=(), deleting: bool = False,
        reason: str | None = None, message: str | None = None, resource_version: str = "1"):
    return client.V1Pod(
        metadata=client.V1ObjectMeta(
            name=name, resource_version=resource_version,
            deletion_timestamp=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) if deleting else None),
        spec=client.V1PodSpec(node_name=node, containers=[client.V1Container(name="app", image="img")]),
        status=client.V1PodStatus(
            phase=phase, reason=reason, message=message,
            conditions=[client.V1PodCondition(type=c[0], status=c[1], reason=c[2] if len(c) > 2 else None)
                        for c in conditions] or None,
            container_statuses=list(statuses) or None,
            init_container_statuses=list(init_statuses) or None))


def endpoint_slice(name: str, endpoints: list[tuple[str, bool | None]], ports=(80,)):
    """endpoints: (address, ready) with ready None for an endpoint without conditions."""
    return client.V1EndpointSlice(
        address_type="IPv4", metadata=client.V1ObjectMeta(name=name),
        endpoints=[client.V1Endpoint(addresses=[addr],
                                     conditions=None if ready is None else client.V1EndpointConditions(ready=ready))
                   for addr, ready in endpoints],
        ports=[client.DiscoveryV1EndpointPort(port=p) for p in ports])


def node(name: str, *, labels: dict | None = None, annotations: dict | None = None, taints=(),
         ready: str | None = "True", ready_reason: str | None = None, ready_message: str | None = None,
         unschedulable: bool | None = None, resource_version: str = "1"):
    return client.V1Node(
        metadata=client.V1ObjectMeta(name=name, labels=dict(labels or {}), annotations=dict(annotations or {}),
                                     resource_version=resource_version),
        spec=client.V1NodeSpec(taints=[client.V1Taint(key=k, value=v, effect=e) for k, v, e in taints] or None,
                               unschedulable=unschedulable),
        status=client.V1NodeStatus(
            conditions=[client.V1NodeCondition(type="Ready", status=ready, reason=ready_reason,
                                               message=ready_message)] if ready else None))
