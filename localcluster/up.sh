#!/usr/bin/env bash
# Starts the offline cluster: etcd, the control plane and four nodes (k8s-master, tainted
# control-plane, and k8s-node1..3), each node in its own network namespace. Idempotent: what
# runs already is kept. Returns once the ready gate passes; prints the admin kubeconfig's path.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
for lib in proc network certs controlplane registry dns node gate turn; do source "$LC_ROOT/lib/$lib.sh"; done

[ "$(id -u)" = 0 ] || lc_die "cluster-up needs root (network namespaces, cgroups, mounts)"
lc_serialize up
for cmd in etcd containerd runc docker-registry skopeo openssl iptables nsenter curl; do
  command -v "$cmd" >/dev/null || lc_die "'$cmd' is missing: run localcluster/install-deps.sh"
done
[ -x /usr/lib/cni/bridge ] || lc_die "CNI plugins are missing (/usr/lib/cni/bridge): run localcluster/install-deps.sh"

start=$SECONDS
if [ -d "$LC_STATE" ] && ! lc_running kube-apiserver; then
  lc_log "state of a cluster that no longer runs is in $LC_STATE: removing it first"
  "$LC_ROOT/down.sh"
fi
if [ -f "$LC_STATE/version" ] && [ "$(cat "$LC_STATE/version")" != "$LC_KUBE_VERSION" ]; then
  lc_die "the running cluster is $(cat "$LC_STATE/version"), not $LC_KUBE_VERSION: 'localcluster/upgrade.sh $LC_KUBE_VERSION' upgrades it, 'make cluster-down' removes it"
fi
# The images build beside the kube binary: they wait mostly on downloads and the disk, it on the
# CPU. Each says its own progress; a failure of either stops the start once both have ended.
"$LC_ROOT/images/build.sh" & images=$!
built=0; "$LC_ROOT/build.sh" "$LC_KUBE_VERSION" || built=$?
imaged=0; wait "$images" || imaged=$?
[ "$built" = 0 ] || lc_die "building kube $LC_KUBE_VERSION or CoreDNS failed (output above)"
[ "$imaged" = 0 ] || lc_die "building the images failed (output above)"

mkdir -p "$LC_STATE" "$LC_RUN"
echo "$LC_KUBE_VERSION" > "$LC_STATE/version"
# Pods with dnsPolicy Default get this: cluster DNS only, never the host's resolvers.
echo "nameserver $LC_HOST_IP" > "$LC_STATE/resolv.conf"
lc_log "network: bridge $LC_BRIDGE ($LC_HOST_IP), node namespaces for ${LC_NODES[*]}"
lc_network_up
lc_pki_up
lc_registry_hosts_up
lc_log "registry on $LC_REGISTRY"
lc_registry_up
lc_log "etcd and control plane"
lc_etcd_up
lc_controlplane_up
# From here on the script needs the nodes as they are: a run of the suite may be pausing a kubelet
# or tainting a node right now, and neither its paused kubelet nor the gate's pods may be touched.
lc_turn_take cluster-up alone
lc_resume_paused $(cd "$LC_STATE/pids" && for f in *.pid; do [ -e "$f" ] && echo "${f%.pid}"; done)
lc_dns_up
for node in "${LC_NODES[@]}"; do
  lc_log "node $node ($(lc_node_ip "$node"), pods $(lc_node_pod_cidr "$node"))"
  lc_node_up "$node"
done
lc_gate_check "kubelet-$LC_CONTROL_PLANE_NODE" "node $LC_CONTROL_PLANE_NODE registered" 120 \
  lc_kubectl get node "$LC_CONTROL_PLANE_NODE"
lc_kubectl label node "$LC_CONTROL_PLANE_NODE" node-role.kubernetes.io/control-plane= --overwrite >/dev/null
# Marks the cluster as the suite's own: node-mutating tests run on it without asking.
lc_kubectl -n kube-public create configmap pod-conformance-cluster --from-literal=created-by=localcluster \
  --dry-run=client -o yaml | lc_kubectl apply -f - >/dev/null
lc_gate
lc_log "cluster up in $((SECONDS - start)) s; kubeconfig: $(lc_kubeconfig admin)"
