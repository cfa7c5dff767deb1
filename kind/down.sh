#!/usr/bin/env bash
# `make cluster-down CLUSTER=kind`: removes what kind/up.sh made, and only that: the kind cluster
# named $KIND_CLUSTER (other kind clusters stay), the registry, the nodes' network and its fence,
# and the Docker engine if kind/engine.sh started it (an engine that was running already stays).
# The node image and the caches stay. A second run is harmless.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
kind=$KIND_BIN/kind
[ -x "$kind" ] || kind=$(command -v kind) || kind=''
if [ -n "$kind" ] && docker info >/dev/null 2>&1; then
  if "$kind" get clusters 2>/dev/null | grep -x "$KIND_CLUSTER" >/dev/null; then
    kind_log "deleting kind cluster $KIND_CLUSTER"
    "$kind" delete cluster --name "$KIND_CLUSTER" --kubeconfig "${KIND_KUBECONFIG:-$HOME/.kube/kind-$KIND_CLUSTER.kubeconfig}" >&2
  fi
  "$here/network.sh" down
fi
"$here/registry.sh" down
if [ -f "$KIND_STATE/created-lib-modules" ] && ! "${kind:-false}" get clusters 2>/dev/null | grep . >/dev/null; then
  rmdir /lib/modules 2>/dev/null || true     # only when still empty
  rm -f "$KIND_STATE/created-lib-modules"
fi
"$here/engine.sh" down
