# A node: its own containerd, kubelet and kube-proxy, all in the node's network namespace,
# with their own directories and cgroup root. Source, do not run.

LC_CGROUP_HIERARCHIES=(cpu cpuacct cpuset memory devices freezer blkio pids systemd)

# Pods' cgroups nest below the caller's own memory cgroup, in every hierarchy, so that what the
# cluster runs is accounted (and ended) with whoever started it.
lc_cgroup_base() {
  local parent; parent=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
  [ "$parent" = / ] && parent=""
  echo "$parent/localcluster"
}

lc_cgroup_mkdir() {
  local path=$1 h dir part acc
  for h in "${LC_CGROUP_HIERARCHIES[@]}"; do
    [ -d "/sys/fs/cgroup/$h" ] || continue
    acc="/sys/fs/cgroup/$h"
    for part in ${path//\// }; do
      acc="$acc/$part"
      if [ ! -d "$acc" ]; then
        mkdir "$acc"
        echo "$acc" >> "$LC_STATE/cgroups.created"
        # A v1 cpuset cgroup starts empty and takes no task until given cpus and mems.
        if [ "$h" = cpuset ]; then
          cat "$(dirname "$acc")/cpuset.cpus" > "$acc/cpuset.cpus"
          cat "$(dirname "$acc")/cpuset.mems" > "$acc/cpuset.mems"
        fi
      fi
    done
  done
}

lc_registry_hosts_up() {
  local certs="$LC_STATE/certs.d" reg
  for reg in docker.io registry.k8s.io _default; do
    mkdir -p "$certs/$reg"
    # server is the local registry too: a missing image fails here, never reaching out.
    lc_write "$certs/$reg/hosts.toml" <<TOML
server = "http://$LC_REGISTRY"

[host."http://$LC_REGISTRY"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
TOML
  done
}

lc_node_up() {
  local node=$1 dir ns ip bin cg
  dir=$(lc_node_dir "$node"); ns=$(lc_netns "$node"); ip=$(lc_node_ip "$node")
  bin=${LC_KUBE_BIN:-$(lc_bin_dir "$LC_KUBE_VERSION")}; cg="$(lc_cgroup_base)/$node"
  local run="$LC_RUN/$node"
  mkdir -p "$dir/containerd" "$dir/kubelet" "$dir/cni" "$dir/cni-ipam" "$dir/pod-logs" "$run"
  lc_cgroup_mkdir "$cg"

  lc_write "$dir/containerd.toml" <<TOML
version = 2
root = "$dir/containerd"
state = "$run/containerd"
[grpc]
  address = "$run/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # This host may not let a process lower its OOM score (the kubelet asks -998 for sandboxes).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$LC_STATE/certs.d"
TOML
  lc_write "$dir/cni/10-localcluster.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "localcluster",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$dir/cni-ipam",
              "ranges": [[{"subnet": "$(lc_node_pod_cidr "$node")"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
  local taints=""
  [ "$node" = "$LC_CONTROL_PLANE_NODE" ] && taints='registerWithTaints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]'
  lc_write "$dir/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $(lc_pki_dir)/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
cgroupRoot: $cg
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$run/containerd.sock
clusterDNS: [$LC_DNS_SERVICE_IP]
clusterDomain: cluster.local
resolvConf: $LC_STATE/resolv.conf
podLogsDir: $dir/pod-logs
# All nodes share one disk: eviction and image GC by disk use would act on all at once.
evictionHard: {memory.available: "0%", nodefs.available: "0%", nodefs.inodesFree: "0%", imagefs.available: "0%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
nodeLeaseDurationSeconds: 10
rotateCertificates: false
serverTLSBootstrap: false
$taints
YAML
  lc_write "$dir/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $(lc_kubeconfig kube-proxy)}
hostnameOverride: $node
mode: iptables
clusterCIDR: $LC_CLUSTER_CIDR
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# 0 leaves these sysctls alone: several are shared with the host.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML

  lc_start "containerd-$node" --netns "$ns" -- containerd --config "$dir/containerd.toml"
  lc_wait "containerd-$node" "serving on $run/containerd.sock" 60 \
    ctr -a "$run/containerd.sock" version
  lc_start "kubelet-$node" --netns "$ns" -- "$bin/kubelet" --config "$dir/kubelet.yaml" \
    --kubeconfig "$(lc_kubeconfig "kubelet-$node")" --root-dir "$dir/kubelet" \
    --hostname-override "$node" --node-ip "$ip"
  lc_start "kube-proxy-$node" --netns "$ns" -- "$bin/kube-proxy" --config "$dir/kube-proxy.yaml"
}
