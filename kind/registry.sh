#!/usr/bin/env bash
# The local registry the nodes pull every image from (their containerd has no other source).
#   registry.sh up     starts Debian's docker-registry on $KIND_REGISTRY (the gateway of the
#                      nodes' network), its storage in $KIND_CACHE/registry, its pid in
#                      $KIND_RUN/registry.pid; then pushes every image of localcluster's image
#                      index (the manifests' images, images.tsv) that it does not hold yet
#   registry.sh down   stops that registry (pid checked against /proc/PID/exe)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$KIND_ROOT/../localcluster/lib/registry.sh"
pidfile=$KIND_RUN/registry.pid
log=$KIND_STATE/registry.log
store=$KIND_CACHE/registry
registry_bin=/usr/bin/docker-registry

up() {
  if kind_pid_alive "$pidfile" "$registry_bin"; then
    kind_log "registry: $(cat "$pidfile") serves on $KIND_REGISTRY"
  else
    ip -4 addr show dev "$KIND_NET_BRIDGE" 2>/dev/null | grep "inet $KIND_NET_GATEWAY/" >/dev/null \
      || kind_die "no $KIND_NET_GATEWAY on $KIND_NET_BRIDGE: run kind/network.sh up"
    mkdir -p "$store" "$KIND_RUN" "$KIND_STATE"
    cat >"$KIND_STATE/registry.yml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $store}
  delete: {enabled: true}
http: {addr: "$KIND_REGISTRY"}
YAML
    setsid "$registry_bin" serve "$KIND_STATE/registry.yml" </dev/null >>"$log" 2>&1 &
    echo $! >"$pidfile"
    kind_record_start "$pidfile" $!
    local i
    for i in $(seq 30); do curl -sf "http://$KIND_REGISTRY/v2/" >/dev/null && break; sleep 0.5; done
    curl -sf "http://$KIND_REGISTRY/v2/" >/dev/null || { tail -n 20 "$log" >&2; kind_die "registry does not answer on $KIND_REGISTRY (log $log)"; }
    kind_log "registry: $(cat "$pidfile") serves on $KIND_REGISTRY"
  fi
  lc_registry_push "$KIND_REGISTRY" "$store/.pushed" "$log"
}


down() {
  if kind_pid_alive "$pidfile" "$registry_bin"; then
    local pid; pid=$(cat "$pidfile")
    kind_log "registry: stopping $pid"
    kill -TERM "$pid"
    local i; for i in $(seq 20); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
  fi
  rm -f "$pidfile" "$pidfile.start"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  *) echo "usage: kind/registry.sh up|down" >&2; exit 2 ;;
esac
