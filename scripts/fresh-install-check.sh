#!/usr/bin/env bash
# Proves the install steps on a machine that has none of what they install: a new Debian
# bookworm root (mmdebstrap minbase, plus make, the one tool the README's commands assume), the
# project copied in, then inside it `localcluster/install-deps.sh` (every tool it promises must
# then answer) and `make check` (which makes the Python venv, python3-venv included). The root is
# removed afterwards, pass or fail. Needs root and mmdebstrap (install-deps.sh installs it here).
# Usage: scripts/fresh-install-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[fresh-install %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[ "$(id -u)" = 0 ] || { say "ERROR: needs root (mmdebstrap, chroot)"; exit 2; }
command -v mmdebstrap >/dev/null || { say "ERROR: mmdebstrap is missing: run localcluster/install-deps.sh"; exit 2; }

root=$(mktemp -d /var/tmp/fresh-root.XXXXXX)
cleanup() {
  local m
  awk -v d="$root/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

started=$SECONDS
say "a new Debian bookworm root in $root (minbase + make)"
mmdebstrap --quiet --variant=minbase --include=make,ca-certificates bookworm "$root" \
  "deb http://deb.debian.org/debian bookworm main" "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"
say "root made in $((SECONDS - started)) s; none of the project's packages are in it:"
for tool in containerd etcd runc go python3 mmdebstrap buildah; do
  chroot "$root" sh -c "command -v $tool" >/dev/null && { say "ERROR: $tool is already in the new root"; exit 1; }
done
say "  (containerd, etcd, runc, go, python3, mmdebstrap, buildah: absent)"

# The machine's own trust settings (local CA certificates, pip's configuration) are part of any
# machine here, fresh or not, and nothing the project installs: the new root gets them.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"

mkdir -p "$root/src"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$root/src"
for fs in proc sys dev; do mount --rbind "/$fs" "$root/$fs"; done
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The caller's environment goes in (proxy and certificate settings), with the new root's PATH.
in_root() { chroot "$root" /usr/bin/env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c "cd /src && $*"; }
t=$SECONDS
say "localcluster/install-deps.sh in the new root"
in_root localcluster/install-deps.sh
install_s=$((SECONDS - t))
t=$SECONDS
say "make check in the new root"
in_root make check
check_s=$((SECONDS - t))
say "fresh install proven: install-deps.sh ${install_s} s, make check ${check_s} s (with its venv), $((SECONDS - started)) s in all"
