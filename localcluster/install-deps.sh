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
# The packages ship services (etcd, containerd, docker-registry); this cluster runs its own
# instances, never the system ones. A policy-rc.d that says "no" (101) keeps the packages from
# starting them at all, so nothing needs stopping afterwards; a policy-rc.d of the machine's own
# is put back as it was.
policy=/usr/sbin/policy-rc.d saved_policy=""
if [ -e "$policy" ]; then saved_policy=$(mktemp); cp -p "$policy" "$saved_policy"; fi
restore_policy() { if [ -n "$saved_policy" ]; then mv -f "$saved_policy" "$policy"; else rm -f "$policy"; fi; }
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${bookworm_pkgs[@]}" >/dev/null
apt-get install -y -qq --no-install-recommends -t trixie "${trixie_pkgs[@]}" >/dev/null
# Versions are read whole before printing: `etcd --version | head -1` under pipefail fails
# when etcd is killed by SIGPIPE after head has closed the pipe.
for tool in containerd etcd runc; do
  version=$("$tool" --version 2>&1) || lc_die "$tool was installed but '$tool --version' fails: $version"
  lc_log "${version%%$'\n'*}"
done
