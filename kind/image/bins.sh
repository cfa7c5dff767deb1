#!/usr/bin/env bash
# Builds the binaries the node image needs besides localcluster's kube binary and CoreDNS:
#   kubeadm   k8s.io/kubernetes/cmd/kubeadm at the release localcluster/kube/go.mod pins (same
#             modules, same version ldflags, so most packages come from the Go build cache)
#   etcd      go.etcd.io/etcd/server/v3 at the release kind/etcd/go.mod pins (kubeadm v1.36 runs
#             etcd with 3.6 flags; Debian has 3.5)
# into $KIND_CACHE/bin/NAME-VERSION-KEY/, KEY hashing what each is built from. A second run is a
# no-op. Prints nothing on stdout; `bins.sh --print NAME` prints the binary's path.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
version=$LC_KUBE_VERSION

kubeadm_dir() {
  local modfile; modfile=$(lc_modfile "$version")
  echo "$KIND_BIN/kubeadm-$version-$(cat "$modfile" "${modfile%.mod}.sum" | sha256sum | cut -c1-12)"
}
etcd_dir() {
  local v; v=$(grep -o 'go.etcd.io/etcd/server/v3 v[0-9.]*' "$KIND_ROOT/etcd/go.mod" | sed -n 1p | cut -d' ' -f2)
  echo "$KIND_BIN/etcd-$v-$(cat "$KIND_ROOT"/etcd/{go.mod,go.sum,main.go} | sha256sum | cut -c1-12)"
}

build_kubeadm() {
  local out; out=$(kubeadm_dir)
  if [ -x "$out/kubeadm" ]; then kind_log "kubeadm $version: cached in $out"; return; fi
  local ld modfile; modfile=$(lc_modfile "$version")
  ld=$(lc_version_ldflags "$version") || kind_die "'$version' is not a release like v1.36.3"
  kind_log "building kubeadm $version (most packages come from the Go build cache of localcluster/build.sh)"
  local start=$SECONDS tmp="$out.tmp.$$"
  mkdir -p "$tmp"
  # A copy of the pinned go.mod, so that sums kubeadm alone needs never touch localcluster/kube.
  cp "$modfile" "$tmp/go.mod"; cp "${modfile%.mod}.sum" "$tmp/go.sum"
  (cd "$LC_ROOT/kube" && CGO_ENABLED=0 go build -modfile="$tmp/go.mod" -mod=mod \
      "${LC_GO_FLAGS[@]}" -ldflags "$ld" -o "$tmp/kubeadm" k8s.io/kubernetes/cmd/kubeadm) \
    || { rm -rf "$tmp"; kind_die "go build of kubeadm $version failed (output above)"; }
  rm -f "$tmp/go.mod" "$tmp/go.sum"
  rm -rf "$out"; mv "$tmp" "$out"
  kind_log "kubeadm built in $((SECONDS - start)) s -> $out"
}

build_etcd() {
  local out; out=$(etcd_dir)
  if [ -x "$out/etcd" ]; then kind_log "etcd: cached in $out"; return; fi
  kind_log "building etcd ($(basename "$out"))"
  local start=$SECONDS tmp="$out.tmp.$$"
  mkdir -p "$tmp"
  (cd "$KIND_ROOT/etcd" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" .) \
    || { rm -rf "$tmp"; kind_die "go build of etcd failed (output above)"; }
  rm -rf "$out"; mv "$tmp" "$out"
  kind_log "etcd built in $((SECONDS - start)) s -> $out"
}

case ${1:-} in
  --print)
    case ${2:-} in
      kubeadm) echo "$(kubeadm_dir)/kubeadm" ;;
      etcd) echo "$(etcd_dir)/etcd" ;;
      *) kind_die "bins.sh --print kubeadm|etcd" ;;
    esac ;;
  "") command -v go >/dev/null || kind_die "go is not installed; run localcluster/install-deps.sh"
      build_kubeadm; build_etcd ;;
  *) kind_die "usage: bins.sh [--print kubeadm|etcd]" ;;
esac
