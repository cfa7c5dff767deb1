#!/usr/bin/env bash
# Installs what the offline cluster needs, from Debian's packages only:
# etcd and containerd from trixie (low pin, so nothing else moves), runc, CNI
# plugins, the image tools and the local registry from bookworm.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" = 0 ] || lc_die "install-deps.sh must run as root (apt-get)"

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
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then lc_log "Debian packages: all installed"; exit 0; fi
lc_log "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${bookworm_pkgs[@]}" >/dev/null
apt-get install -y -qq --no-install-recommends -t trixie "${trixie_pkgs[@]}" >/dev/null
# The packages ship services; this cluster runs its own instances, never the system ones.
for svc in containerd etcd docker-registry; do
  [ -x "/etc/init.d/$svc" ] && "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
done
pkill -x etcd 2>/dev/null || true
pkill -f '^/usr/bin/docker-registry' 2>/dev/null || true
containerd --version; etcd --version | head -1; runc --version | head -1
