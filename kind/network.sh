#!/usr/bin/env bash
# The nodes' Docker network and its fence.
#   network.sh up     creates the bridge network $KIND_NET ($KIND_NET_SUBNET on $KIND_NET_BRIDGE,
#                     no masquerading) unless it exists, gives the host $KIND_NET_DNS on it (see
#                     lib/common.sh), and the iptables chain POD-CONFORMANCE-KIND
#                     in FORWARD: traffic between the nodes passes, anything else that would leave
#                     the network or enter it is dropped. The nodes reach the host (the registry
#                     on the gateway) without crossing FORWARD.
#   network.sh down   removes both (the network only when no container is attached to it)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
chain=POD-CONFORMANCE-KIND

fence_up() {
  iptables -w -N "$chain" 2>/dev/null || true
  iptables -w -F "$chain"
  iptables -w -A "$chain" -i "$KIND_NET_BRIDGE" -o "$KIND_NET_BRIDGE" -j ACCEPT
  iptables -w -A "$chain" -i "$KIND_NET_BRIDGE" -j DROP
  iptables -w -A "$chain" -o "$KIND_NET_BRIDGE" -j DROP
  # First in FORWARD, ahead of the ACCEPT rules Docker inserts for its networks, and first in
  # DOCKER-USER too, which Docker puts back at the top of FORWARD whenever dockerd starts.
  local parent
  for parent in FORWARD DOCKER-USER; do
    iptables -w -n -L "$parent" >/dev/null 2>&1 || continue
    while iptables -w -D "$parent" -j "$chain" 2>/dev/null; do :; done
    iptables -w -I "$parent" 1 -j "$chain"
  done
}

up() {
  fence_up   # before the network exists: nothing attached to it goes anywhere, ever
  if docker network inspect "$KIND_NET" >/dev/null 2>&1; then
    local ipam; ipam=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.IPRange}}{{end}}' "$KIND_NET")
    [ "$ipam" = "$KIND_NET_SUBNET $KIND_NET_IP_RANGE" ] \
      || kind_die "docker network $KIND_NET exists with subnet and range '$ipam', not '$KIND_NET_SUBNET $KIND_NET_IP_RANGE'; remove it with 'make cluster-down CLUSTER=kind'"
  else
    kind_log "network: creating docker network $KIND_NET ($KIND_NET_SUBNET, bridge $KIND_NET_BRIDGE, gateway $KIND_NET_GATEWAY)"
    docker network create -d bridge --subnet "$KIND_NET_SUBNET" --ip-range "$KIND_NET_IP_RANGE" --gateway "$KIND_NET_GATEWAY" \
      -o com.docker.network.bridge.name="$KIND_NET_BRIDGE" \
      -o com.docker.network.bridge.enable_ip_masquerade=false \
      --label pod-conformance=kind "$KIND_NET" >/dev/null
  fi
  fence_up   # again: creating the network put Docker's ACCEPT rules above it
  ip addr replace "$KIND_NET_DNS/32" dev "$KIND_NET_BRIDGE"   # engine.sh's --dns: refuses at once
}

down() {
  if docker network inspect "$KIND_NET" >/dev/null 2>&1; then
    local attached; attached=$(docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$KIND_NET")
    if [ -n "$attached" ]; then
      kind_log "network: $KIND_NET still has containers ($attached); left in place with its fence"; return
    fi
    kind_log "network: removing docker network $KIND_NET"
    docker network rm "$KIND_NET" >/dev/null
  fi
  while iptables -w -D FORWARD -j "$chain" 2>/dev/null; do :; done
  while iptables -w -D DOCKER-USER -j "$chain" 2>/dev/null; do :; done
  iptables -w -F "$chain" 2>/dev/null || true
  iptables -w -X "$chain" 2>/dev/null || true
}

case ${1:-} in
  up) up ;;
  down) down ;;
  *) echo "usage: kind/network.sh up|down" >&2; exit 2 ;;
esac
