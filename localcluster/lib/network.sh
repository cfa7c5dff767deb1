# The node network: one bridge on the host, one network namespace per node joined to it by a
# veth pair, static routes between the nodes' pod CIDRs. No default route anywhere inside:
# nothing in the cluster can send a packet beyond the networks made here. Source, do not run.

LC_IPT_CHAIN=LOCALCLUSTER

lc_network_up() {
  if ! ip link show "$LC_BRIDGE" >/dev/null 2>&1; then
    ip link add "$LC_BRIDGE" type bridge
    ip addr add "$LC_HOST_IP/24" dev "$LC_BRIDGE"
  fi
  ip link set "$LC_BRIDGE" up
  lc_host_firewall_up
  local node
  for node in "${LC_NODES[@]}"; do lc_node_network_up "$node"; done
  for node in "${LC_NODES[@]}"; do
    # The host reaches pods (CoreDNS answers them) through the node that holds them.
    ip route replace "$(lc_node_pod_cidr "$node")" via "$(lc_node_ip "$node")" dev "$LC_BRIDGE"
  done
}

lc_node_network_up() {
  local node=$1 ns; ns=$(lc_netns "$1")
  local veth="lc-${node#k8s-}" ip; ip=$(lc_node_ip "$node")
  [ -e "/run/netns/$ns" ] || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$LC_BRIDGE" up
  fi
  local nsx=(ip netns exec "$ns")
  "${nsx[@]}" ip link set lo up
  "${nsx[@]}" ip addr replace "$ip/24" dev eth0
  "${nsx[@]}" ip link set eth0 up
  "${nsx[@]}" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    net.ipv4.conf.all.route_localnet=1
  local other
  for other in "${LC_NODES[@]}"; do
    [ "$other" = "$node" ] && continue
    "${nsx[@]}" ip route replace "$(lc_node_pod_cidr "$other")" via "$(lc_node_ip "$other")" dev eth0
  done
  # Locally sent packets to a ClusterIP need a route before kube-proxy's DNAT rewrites them.
  "${nsx[@]}" ip route replace "$LC_SERVICE_CIDR" via "$LC_HOST_IP" dev eth0
}

# The host's bridge traffic crosses its iptables FORWARD chain (bridge-nf-call-iptables):
# accept what stays on the node network, and refuse anything leaving it for another interface.
lc_host_firewall_up() {
  iptables -w -N "$LC_IPT_CHAIN" 2>/dev/null || true
  iptables -w -F "$LC_IPT_CHAIN"
  iptables -w -A "$LC_IPT_CHAIN" -i "$LC_BRIDGE" -o "$LC_BRIDGE" -j ACCEPT
  iptables -w -A "$LC_IPT_CHAIN" -i "$LC_BRIDGE" -j DROP
  iptables -w -A "$LC_IPT_CHAIN" -o "$LC_BRIDGE" -j DROP
  iptables -w -C FORWARD -j "$LC_IPT_CHAIN" 2>/dev/null || iptables -w -I FORWARD 1 -j "$LC_IPT_CHAIN"
}

lc_network_down() {
  local node ns
  for node in "${LC_NODES[@]}"; do
    ns=$(lc_netns "$node")
    ip link del "lc-${node#k8s-}" 2>/dev/null || true
    [ -e "/run/netns/$ns" ] && ip netns delete "$ns" 2>/dev/null || true
    ip route del "$(lc_node_pod_cidr "$node")" 2>/dev/null || true
  done
  ip link del "$LC_BRIDGE" 2>/dev/null || true
  while iptables -w -D FORWARD -j "$LC_IPT_CHAIN" 2>/dev/null; do :; done
  iptables -w -F "$LC_IPT_CHAIN" 2>/dev/null || true
  iptables -w -X "$LC_IPT_CHAIN" 2>/dev/null || true
}
