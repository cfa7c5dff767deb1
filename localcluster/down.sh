#!/usr/bin/env bash
# Removes everything cluster-up made: processes, pods, mounts, network namespaces, interfaces,
# iptables rules, cgroups and state files. Build outputs and images in the cache stay.
# Harmless when nothing runs.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
for lib in proc network node; do source "$LC_ROOT/lib/$lib.sh"; done
[ "$(id -u)" = 0 ] || lc_die "cluster-down needs root"
lc_serialize up

# Processes in the cluster's cgroups: every container of every pod.
lc_cgroup_pids() {
  local h base; base=$(lc_cgroup_base)
  for h in "${LC_CGROUP_HIERARCHIES[@]}"; do
    [ -d "/sys/fs/cgroup/$h$base" ] && find "/sys/fs/cgroup/$h$base" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}

# Network namespaces of pods, found through their processes before those go.
pod_netns_inodes=$(for pid in $(lc_cgroup_pids); do stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null; done | sort -u)

for node in "${LC_NODES[@]}"; do lc_stop "kubelet-$node"; lc_stop "kube-proxy-$node"; done
for pid in $(lc_cgroup_pids); do kill -KILL "$pid" 2>/dev/null; done
for node in "${LC_NODES[@]}"; do
  lc_stop "containerd-$node"
  lc_stop_shims "$LC_RUN/$node/containerd" "$LC_RUN/$node/containerd.sock"
done
for name in coredns kube-scheduler kube-controller-manager kube-apiserver etcd registry; do lc_stop "$name"; done

for f in /run/netns/cni-*; do
  [ -e "$f" ] || continue
  if grep -qx "$(stat -L -c %i "$f" 2>/dev/null)" <<<"$pod_netns_inodes"; then
    umount "$f" 2>/dev/null; rm -f "$f"
  fi
done
# Mounts the kubelets and containerds made (volumes, rootfs, shm), deepest first.
for dir in "$LC_RUN" "$LC_STATE"; do
  awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
  done
done
lc_network_down
if [ -f "$LC_STATE/cgroups.created" ]; then
  sort -r "$LC_STATE/cgroups.created" | while read -r cg; do
    [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
  done
fi
# The kubelet and runc also make the cgroup base in hierarchies not listed (the unified one).
for cg in /sys/fs/cgroup/*"$(lc_cgroup_base)"; do
  [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
done
rm -rf "$LC_RUN" "$LC_STATE"
[ -e "$LC_STATE" ] && lc_die "could not remove $LC_STATE (a mount still busy?): $(grep " $LC_STATE" /proc/self/mounts | sed -n 1,3p)"
lc_log "cluster down"
