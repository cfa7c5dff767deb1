# Shared settings and helpers for the kind scripts. Source, do not run.
#   $KIND_CACHE  build outputs (the node image archive, kind itself), kept between runs
#   $KIND_STATE  the Docker engine's data and the registry's config and logs
#   $KIND_RUN    pid files (tmpfs)

KIND_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$KIND_ROOT/../localcluster/lib/common.sh"
source "$KIND_ROOT/../localcluster/lib/proc.sh"
KIND_VERSION=v0.33.0                       # sigs.k8s.io/kind, from the Go module proxy
KIND_CACHE=$LC_CACHE/kind
KIND_BIN=$KIND_CACHE/bin
KIND_STATE=${KIND_STATE:-/var/lib/pod-conformance-kind}
KIND_RUN=/run/pod-conformance-kind
KIND_CLUSTER=pod-conformance               # the name in kind/cluster.yaml

# The Docker network the nodes live on (kind uses it instead of its own "kind" network), made
# by kind/network.sh with a fixed subnet so that its gateway, where the registry listens, is known
# before the cluster exists. Nothing on it reaches beyond it (kind/network.sh).
KIND_NET=pod-conformance-kind
KIND_NET_BRIDGE=pckind0
KIND_NET_SUBNET=10.202.0.0/24
KIND_NET_GATEWAY=10.202.0.1
KIND_NET_IP_RANGE=10.202.0.0/25           # the nodes' addresses; .128-.254 are never given out
# Where Docker's embedded DNS server sends the names it does not know (engine.sh --dns): an
# address of the host on the bridge where nothing serves DNS, so such a query fails at once and
# goes nowhere else. Not the gateway: inside a node, kind's entrypoint redirects the gateway's
# port 53 to the embedded server itself, which would make every unknown name loop.
KIND_NET_DNS=10.202.0.254
KIND_REGISTRY=$KIND_NET_GATEWAY:5000

kind_log() { printf '[kind %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
kind_die() { printf '[kind] ERROR: %s\n' "$*" >&2; exit 1; }

# kind_pid_alive PIDFILE EXE: the pid in PIDFILE runs EXE (by /proc/PID/exe) and, where its start
# time was recorded beside it (PIDFILE.start), started then: a pid reused by another program, or
# by another instance of the same one, is never signalled.
kind_pid_alive() {
  local pid; pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$2")" ] || return 1
  [ ! -f "$1.start" ] || [ "$(cat "$1.start")" = "$(lc_proc_start_time "$pid")" ]
}

# kind_record_start PIDFILE PID: records the start time of a process we started.
kind_record_start() { lc_proc_start_time "$2" > "$1.start"; }

# kind_ready_nodes: how many nodes of `kubectl get nodes --no-headers` (stdin) are Ready; a cordoned
# one (Ready,SchedulingDisabled) is its owner's choice, Ready all the same.
kind_ready_nodes() { awk '{ split($2, s, ","); if (s[1] == "Ready") n++ } END { print n + 0 }'; }
