#!/usr/bin/env bash
# Installs what the offline kind cluster needs: the Docker engine from Debian trixie (bookworm's
# docker.io 20.10 cannot run privileged containers on hosts whose capability bounding set lacks
# CAP_SYS_RESOURCE), and kind itself from the Go module proxy. The node image's tools
# (mmdebstrap, buildah, skopeo, docker-registry, containerd) come from localcluster/install-deps.sh.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" = 0 ] || kind_die "install-deps.sh must run as root (apt-get)"

"$KIND_ROOT/../localcluster/install-deps.sh"

if ! dpkg --compare-versions "$(dpkg-query -W -f='${Version}' docker.io 2>/dev/null || echo 0)" ge 26; then
  kind_log "installing docker.io from trixie (Docker engine 26)"
  # The package's docker service is never started: kind/engine.sh starts a dockerd of ours.
  source "$KIND_ROOT/../localcluster/lib/apt.sh"
  apt-get update -qq
  lc_apt_install -t trixie docker.io
fi
kind_log "$(dockerd --version)"

if [ ! -x "$KIND_BIN/kind" ] || ! "$KIND_BIN/kind" version 2>/dev/null | grep "^kind $KIND_VERSION " >/dev/null; then
  command -v go >/dev/null || kind_die "go is not installed; run localcluster/install-deps.sh"
  kind_log "installing kind $KIND_VERSION from the Go module proxy into $KIND_BIN"
  mkdir -p "$KIND_BIN"
  (cd / && CGO_ENABLED=0 GOBIN="$KIND_BIN" go install "sigs.k8s.io/kind@$KIND_VERSION") \
    || kind_die "go install sigs.k8s.io/kind@$KIND_VERSION failed (output above)"
fi
kind_log "$("$KIND_BIN/kind" version)"
