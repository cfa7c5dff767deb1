#!/usr/bin/env bash
# Installs what the offline cluster needs, from Debian's packages only:
# etcd and containerd from trixie (low pin, so nothing else moves), runc, CNI
# plugins, the image tools and the local registry from bookworm.
# Usage: install-deps.sh [--check]   (--check: also when nothing is missing, show that every
#                                     tool answers)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" = 0 ] || lc_die "install-deps.sh must run as root (apt-get)"
lc_serialize install

trixie_list=/etc/apt/sources.list.d/localcluster-trixie.sources
trixie_pin=/etc/apt/preferences.d/localcluster-trixie
if [ ! -f "$trixie_list" ]; then
  cat > "$trixie_list" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > "$trixie_pin"
fi

bookworm_pkgs=(runc containernetworking-plugins iptables conntrack iproute2 openssl
  mmdebstrap buildah skopeo docker-registry util-linux procps psmisc curl ca-certificates
  uidmap fuse-overlayfs jq socat gcc libc6-dev python3)
trixie_pkgs=(containerd etcd-server etcd-client)

# Go: the machine's own when it is there; otherwise trixie's, which fetches the Go release
# that go.mod asks for from the Go module proxy (GOTOOLCHAIN=auto).
command -v go >/dev/null || trixie_pkgs+=(golang-go)

missing=()
for p in "${bookworm_pkgs[@]}" "${trixie_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
done
# Every tool this script promises, with the command that shows it works.
check_tools() {
  local failed=0 line tool out
  while IFS='|' read -r tool line; do
    if out=$(bash -c "$line" 2>&1 </dev/null); then
      lc_log "ok: $tool: ${out%%$'\n'*}"
    else
      lc_log "MISSING: $tool: '$line' failed: ${out%%$'\n'*}"; failed=1
    fi
  done <<'TOOLS'
containerd|containerd --version
etcd|etcd --version
etcdctl|etcdctl version
runc|runc --version
CNI plugins|CNI_COMMAND=VERSION /usr/lib/cni/bridge
iptables|iptables --version
conntrack|conntrack --version
ip|ip -V
nsenter|nsenter --version
openssl|openssl version
mmdebstrap|mmdebstrap --version
buildah|buildah --version
skopeo|skopeo --version
docker-registry|docker-registry --version
curl|curl --version
jq|jq --version
socat|socat -V | grep 'socat version'
gcc|gcc --version
python3|python3 --version
TOOLS
  # go.mod names the Go release the build needs; an older go fetches it (GOTOOLCHAIN=auto).
  if out=$(cd "$LC_ROOT/kube" && go version 2>&1); then lc_log "ok: go: ${out##*$'\n'}"; else lc_log "MISSING: go: $out"; failed=1; fi
  [ "$failed" = 0 ] || lc_die "some tools do not work after the install (above)"
}

if [ ${#missing[@]} -eq 0 ]; then
  lc_log "Debian packages: all installed"
  [ "${1:-}" = --check ] && check_tools
  exit 0
fi
lc_log "installing Debian packages: ${missing[*]}"
source "$LC_ROOT/lib/apt.sh"
apt-get update -qq
lc_apt_install "${bookworm_pkgs[@]}"
lc_apt_install -t trixie "${trixie_pkgs[@]}"
# Outputs are read whole before the first line is shown: `etcd --version | head -1` under
# pipefail fails when etcd is killed by SIGPIPE after head has closed the pipe.
check_tools
