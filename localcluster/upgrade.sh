#!/usr/bin/env bash
# Upgrades the running local cluster in place to VERSION, as a cluster is upgraded: etcd and its
# data stay; the control plane goes first (apiserver, controller-manager, scheduler), then each
# node in turn (kubelet and kube-proxy; containerd and the containers stay up).
# Usage: upgrade.sh VERSION
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
for lib in proc network certs controlplane node gate; do source "$LC_ROOT/lib/$lib.sh"; done
target=${1:?usage: upgrade.sh VERSION}
[ "$(id -u)" = 0 ] || lc_die "upgrade needs root"
lc_serialize up
lc_running kube-apiserver || lc_die "no local cluster runs: start one with make cluster-up"
current=$(cat "$LC_STATE/version")
[ "$current" != "$target" ] || { lc_log "the cluster already runs $target"; exit 0; }
"$LC_ROOT/build.sh" "$target"

start=$SECONDS
LC_KUBE_VERSION=$target
lc_log "upgrading the control plane from $current to $target"
for c in kube-scheduler kube-controller-manager kube-apiserver; do lc_stop "$c"; done
lc_controlplane_up
echo "$target" > "$LC_STATE/version"
for node in "${LC_NODES[@]}"; do
  lc_log "upgrading node $node"
  lc_stop "kube-proxy-$node"; lc_stop "kubelet-$node"
  lc_node_up "$node"
  lc_gate_check "kubelet-$node" "node $node runs kubelet $target and is Ready" 180 lc_node_at_version "$node" "$target"
done
lc_log "cluster upgraded to $target in $((SECONDS - start)) s"
