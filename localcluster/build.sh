#!/usr/bin/env bash
# Builds the Kubernetes components (one binary, symlinked under each name) and
# CoreDNS from source, into $LC_CACHE keyed by version. A second run is a no-op.
# Usage: build.sh [--kube-only] [KUBE_VERSION]     (default: the release in localcluster/KUBE_VERSION)
# --kube-only: no CoreDNS (CI's early build of the release the upgrade flow starts from, whose
# CoreDNS is the one the first run builds).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
kube_only=false
if [ "${1:-}" = --kube-only ]; then kube_only=true; shift; fi
version=${1:-$LC_KUBE_VERSION}
command -v go >/dev/null || lc_die "go is not installed; run localcluster/install-deps.sh"

build_kube() {
  local out; out=$(lc_bin_dir "$version")
  if [ -x "$out/kube" ]; then lc_log "kube $version: cached in $out"; return; fi
  local modfile; modfile=$(lc_modfile "$version")
  lc_version_ldflags "$version" >/dev/null || lc_die "'$version' is not a release like v1.36.3"
  grep -q "k8s.io/kubernetes $version\$" "$modfile" \
    || lc_die "no go.mod pins k8s.io/kubernetes $version: run 'kube/modfile.sh $version > kube/$version.mod' and 'go mod tidy -modfile=$version.mod' in localcluster/kube"
  lc_log "building kube $version (apiserver, controller-manager, scheduler, kubelet, kube-proxy, kubectl); cold, about 4-7 minutes on 2 cores"
  local start=$SECONDS tmp="$out.tmp.$$"
  mkdir -p "$tmp"
  lc_timed "building kube $version" kube-build 300 lc_go_build_kube "$version" "$modfile" "$tmp/kube" \
    || { rm -rf "$tmp"; lc_die "go build of kube $version failed (output above)"; }
  for name in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    ln -sf kube "$tmp/$name"
  done
  rm -rf "$out"; mv "$tmp" "$out"
  lc_log "kube $version built in $((SECONDS - start)) s -> $out"
}

build_coredns() {
  local out; out=$(lc_coredns_dir)
  if [ -x "$out/coredns" ]; then lc_log "coredns $LC_COREDNS_VERSION: cached in $out"; return; fi
  lc_log "building coredns $LC_COREDNS_VERSION with the plugins the cluster's Corefiles use (localcluster/coredns)"
  local start=$SECONDS
  mkdir -p "$out.tmp"
  go_build_coredns() {
    cd "$LC_ROOT/coredns" && CGO_ENABLED=0 go build "${LC_GO_FLAGS[@]}" -ldflags "-s -w" -o "$out.tmp/coredns" .
  }
  lc_timed "building coredns $LC_COREDNS_VERSION" coredns-build 60 go_build_coredns \
    || { rm -rf "$out.tmp"; lc_die "go build of coredns $LC_COREDNS_VERSION failed (output above)"; }
  rm -rf "$out"; mv "$out.tmp" "$out"
  lc_log "coredns built in $((SECONDS - start)) s -> $out"
}

build_kube
$kube_only || build_coredns
