#!/usr/bin/env bash
# The Docker engine kind runs on.
#   engine.sh up     uses a running engine if `docker info` answers; otherwise starts dockerd
#                    (Debian's docker.io >= 26) on the default socket, its pid in
#                    $KIND_RUN/dockerd.pid, its log in $KIND_STATE/dockerd.log
#   engine.sh down   stops the dockerd that `up` started (pid file checked against
#                    /proc/PID/exe first) and removes the iptables chains it left; an engine it
#                    did not start is left alone
#
# The engine started here sends nothing beyond this machine: no default bridge (--bridge=none),
# no masquerading (--ip-masq=false), the host's ip_forward and FORWARD policy left as they are
# (--ip-forward=false), and its embedded DNS server, which answers container names, forwards
# every other name to $KIND_NET_DNS, a host address on the nodes' network where nothing serves
# DNS, instead of to the host's resolvers (--dns). kind/network.sh adds the firewall rules.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
pidfile=$KIND_RUN/dockerd.pid
log=$KIND_STATE/dockerd.log
dockerd_bin=/usr/sbin/dockerd

up() {
  if kind_pid_alive "$pidfile" "$dockerd_bin"; then
    if tr '\0' ' ' <"/proc/$(cat "$pidfile")/cmdline" | grep -- "--dns $KIND_NET_DNS " >/dev/null; then
      kind_log "engine: dockerd $(cat "$pidfile") runs (started by kind/engine.sh)"; return
    fi
    kind_log "engine: dockerd $(cat "$pidfile") runs with other settings than these: restarting it"
    down
  fi
  if docker info >/dev/null 2>&1; then
    kind_log "engine: using the running Docker engine $(docker version -f '{{.Server.Version}}'), not started here"; return
  fi
  [ -x "$dockerd_bin" ] || kind_die "no $dockerd_bin: run kind/install-deps.sh"
  local version; version=$("$dockerd_bin" --version | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
  [ "${version:-0}" -ge 26 ] || kind_die "dockerd $("$dockerd_bin" --version) is too old: kind's privileged nodes need Docker 26 here (run kind/install-deps.sh)"
  if [ -S /var/run/docker.sock ]; then
    # Left by a dockerd that was killed: nothing listens on it any more.
    ss -xlH 2>/dev/null | grep ' /var/run/docker.sock ' >/dev/null \
      && kind_die "/var/run/docker.sock is open but no engine answers on it; another dockerd may be starting (see its log)"
    kind_log "engine: removing the stale /var/run/docker.sock of a dockerd that is gone"
    rm -f /var/run/docker.sock
  fi
  rm -f "$pidfile" "$pidfile.start"   # a stale one (its dockerd is gone, checked above) would stop dockerd from starting
  # Four kubelets, containerds and systemds share the host's inotify limits (kind's known issue).
  [ "$(sysctl -n fs.inotify.max_user_instances)" -ge 512 ] || sysctl -qw fs.inotify.max_user_instances=512
  [ "$(sysctl -n fs.inotify.max_user_watches)" -ge 524288 ] || sysctl -qw fs.inotify.max_user_watches=524288
  mkdir -p "$KIND_RUN" "$KIND_STATE/docker"
  if [ "$(stat -c %s "$log" 2>/dev/null || echo 0)" -gt $((64 << 20)) ]; then mv -f "$log" "$log.1"; fi
  kind_log "engine: starting dockerd (data in $KIND_STATE/docker, log $log)"
  setsid "$dockerd_bin" --data-root "$KIND_STATE/docker" --exec-root "$KIND_RUN/docker" \
    --pidfile "$pidfile" -H unix:///var/run/docker.sock \
    --bridge=none --ip-masq=false --ip-forward=false --dns "$KIND_NET_DNS" \
    </dev/null >>"$log" 2>&1 &
  local pid=$! i
  kind_record_start "$pidfile" "$pid"
  for i in $(seq 60); do
    if docker info >/dev/null 2>&1; then
      kind_log "engine: dockerd $pid answers ($(docker version -f '{{.Server.Version}}'), cgroup v$(docker info -f '{{.CgroupVersion}}'), driver $(docker info -f '{{.CgroupDriver}}'))"
      return
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; kind_die "dockerd exited at start (log $log, last lines above)"; }
    sleep 1
  done
  tail -n 20 "$log" >&2
  kind_die "dockerd $pid does not answer after 60 s (log $log, last lines above)"
}

down() {
  if ! kind_pid_alive "$pidfile" "$dockerd_bin"; then
    kind_log "engine: no dockerd started by kind/engine.sh runs; nothing to stop"; rm -f "$pidfile" "$pidfile.start"; return
  fi
  local pid i; pid=$(cat "$pidfile")
  kind_log "engine: stopping dockerd $pid"
  kill -TERM "$pid"
  for i in $(seq 60); do
    if [ ! -d "/proc/$pid" ]; then
      kind_log "engine: dockerd $pid stopped"
      remove_docker_chains
      return
    fi
    sleep 1
  done
  kind_die "dockerd $pid still runs 60 s after SIGTERM (log $log)"
}

# dockerd leaves its (by then empty) iptables chains behind; the host had none before ours.
remove_docker_chains() {
  local c
  iptables -w -D FORWARD -j DOCKER-USER 2>/dev/null || true
  iptables -w -D FORWARD -j DOCKER-ISOLATION-STAGE-1 2>/dev/null || true
  iptables -w -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j DOCKER 2>/dev/null || true
  iptables -w -t nat -D OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER 2>/dev/null || true
  for c in DOCKER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER-USER; do
    iptables -w -F "$c" 2>/dev/null && iptables -w -X "$c" 2>/dev/null || true
  done
  iptables -w -t nat -F DOCKER 2>/dev/null && iptables -w -t nat -X DOCKER 2>/dev/null || true
}

case ${1:-} in
  up) up ;;
  down) down ;;
  *) echo "usage: kind/engine.sh up|down" >&2; exit 2 ;;
esac
