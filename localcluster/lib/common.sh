# Shared settings and helpers for localcluster scripts. Source, do not run.
# Everything the cluster builds or runs lives outside the clone:
#   $LC_CACHE  build outputs, keyed by version (kept between runs)
#   $LC_STATE  one running cluster: certs, configs, data, logs (removed by cluster-down)

LC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LC_CACHE=${LOCALCLUSTER_CACHE:-/var/cache/localcluster}
LC_STATE=${LOCALCLUSTER_STATE:-/var/lib/localcluster}
LC_KUBE_VERSION=${KUBE_VERSION:-$(cat "$LC_ROOT/KUBE_VERSION")}
# CoreDNS: the version its main module (localcluster/coredns) pins.
LC_COREDNS_VERSION=$(sed -n 's|^require github.com/coredns/coredns ||p' "$LC_ROOT/coredns/go.mod")

lc_log() { printf '[localcluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
lc_die() { printf '[localcluster] ERROR: %s\n' "$*" >&2; exit 1; }
# lc_timed WHAT KEY USUAL_S COMMAND...: runs COMMAND; every 30 s says how long WHAT has taken and
# how long it usually takes here (its last duration on this machine, else USUAL_S), and keeps
# this one's duration for next time.
lc_timed() {
  local what=$1 key=$2 usual=$3 start=$SECONDS pid rc=0 said=0 file="$LC_CACHE/durations/$2"
  shift 3
  [ -s "$file" ] && usual=$(cat "$file")
  "$@" & pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ $((SECONDS - start - said)) -ge 30 ]; then
      said=$((SECONDS - start))
      lc_log "$what: $(lc_mmss "$said") of about $(lc_mmss "$usual")"
    fi
  done
  wait "$pid" || rc=$?
  if [ "$rc" = 0 ]; then mkdir -p "${file%/*}"; echo $((SECONDS - start)) > "$file"; fi
  return "$rc"
}
lc_mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

# lc_bin_dir VERSION: where the kube binary of that version is cached.
lc_bin_dir() { echo "$LC_CACHE/bin/kube-$1-$(lc_source_key "$1")"; }

# A short hash of what the kube binary is built from, so an edited main.go or
# go.mod builds anew instead of reusing a stale binary of the same version.
lc_source_key() {
  local modfile
  modfile=$(lc_modfile "$1")
  cat "$LC_ROOT/kube/main.go" "$modfile" "${modfile%.mod}.sum" | sha256sum | cut -c1-12
}

# lc_modfile VERSION: the go.mod that pins that release (go.mod itself for the default).
lc_modfile() {
  if [ -f "$LC_ROOT/kube/$1.mod" ]; then echo "$LC_ROOT/kube/$1.mod"; else echo "$LC_ROOT/kube/go.mod"; fi
}

# lc_coredns_dir: where build.sh puts CoreDNS, keyed by its version and its main module's files.
lc_coredns_dir() {
  echo "$LC_CACHE/bin/coredns-$LC_COREDNS_VERSION-$(cat "$LC_ROOT"/coredns/{main.go,go.mod,go.sum} | sha256sum | cut -c1-8)"
}

# The flags of every build that shares kube's packages (kube, CoreDNS, kind's kubeadm, the lab's
# planted builds), so that those come from the build cache. The binaries are stripped (-s -w), so
# the compiler need not write the debug information the linker drops (docs/figures.md).
LC_GO_FLAGS=(-trimpath -tags selinux,notest,grpcnotrace -gcflags=all=-dwarf=false)

# lc_go_build_kube VERSION MODFILE OUT: the kube binary of VERSION built from MODFILE into OUT.
lc_go_build_kube() {
  (cd "$LC_ROOT/kube" && CGO_ENABLED=0 go build -modfile="$2" "${LC_GO_FLAGS[@]}" \
    -ldflags "$(lc_version_ldflags "$1")" -o "$3" .)
}

# Topology: the guide's four nodes, each in its own network namespace on one bridge.
LC_NODES=(k8s-master k8s-node1 k8s-node2 k8s-node3)
LC_CONTROL_PLANE_NODE=k8s-master
LC_BRIDGE=lcbr0
LC_HOST_IP=10.201.0.1          # host side of the bridge: apiserver, registry, CoreDNS
LC_NODE_NET=10.201.0.0/24
LC_CLUSTER_CIDR=10.244.0.0/16
LC_SERVICE_CIDR=10.96.0.0/16
LC_APISERVER_SERVICE_IP=10.96.0.1
LC_DNS_SERVICE_IP=10.96.0.10
LC_REGISTRY=$LC_HOST_IP:5000
LC_APISERVER_URL=https://$LC_HOST_IP:6443
LC_RUN=/run/localcluster       # sockets and runtime state (tmpfs)

lc_node_index() { local i; for i in "${!LC_NODES[@]}"; do [ "${LC_NODES[$i]}" = "$1" ] && { echo "$i"; return; }; done; return 1; }
lc_node_ip() { echo "10.201.0.$((10 + $(lc_node_index "$1")))"; }
lc_node_pod_cidr() { echo "10.244.$(lc_node_index "$1").0/24"; }
lc_netns() { echo "lc-$1"; }
lc_node_dir() { echo "$LC_STATE/nodes/$1"; }
lc_kubeconfig() { echo "$LC_STATE/kubeconfig/${1:-admin}.kubeconfig"; }
lc_kubectl() { "$(lc_bin_dir "$LC_KUBE_VERSION")/kubectl" --kubeconfig "$(lc_kubeconfig admin)" "$@"; }

# lc_write FILE: FILE gets what stdin holds, but is left untouched when that is what it holds
# already: daemons watch their files (kube-proxy exits when its configuration file is written),
# and cluster-up on a running cluster must not disturb it.
lc_write() {
  local tmp; tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else chmod 644 "$tmp"; mv -f "$tmp" "$1"; fi
}

# lc_serialize NAME: the rest of the calling script runs alone among scripts that name the same
# lock (two make test started together: one installs, builds and starts, the other then finds
# all done).
lc_serialize() {
  local held="LC_HOLDS_LOCK_$1"
  [ -n "${!held:-}" ] && return 0        # a script that holds it called this one
  export "$held=1"
  mkdir -p /run/lock
  exec 8>"/run/lock/localcluster-$1.lock"
  if ! flock -n 8; then
    lc_log "another $1 of the local cluster is under way: waiting for it"
    flock 8
  fi
}

# lc_version_ldflags VERSION: the -ldflags that make a binary built from the k8s.io modules
# report VERSION (as upstream's hack/lib/version.sh sets them); fails for a VERSION that is not
# a release like v1.36.3.
lc_version_ldflags() {
  [[ $1 =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || return 1
  local ld="-s -w" key
  for key in "gitVersion=$1" gitMajor=1 "gitMinor=${BASH_REMATCH[1]}" gitTreeState=clean "buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; do
    ld+=" -X k8s.io/component-base/version.$key -X k8s.io/client-go/pkg/version.$key"
  done
  echo "$ld"
}
