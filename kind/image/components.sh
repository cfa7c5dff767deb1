#!/usr/bin/env bash
# Builds the images kubeadm runs the control plane and kube-proxy from, as OCI archives in
# $KIND_CACHE/images/NAME-KEY.oci.tar (KEY hashes this script, its files and the binaries), and
# writes $KIND_CACHE/images/index.tsv: REFERENCE<TAB>ARCHIVE. A second run is a no-op.
#   kube      Debian bookworm (iptables, conntrack, iproute2, bash) and the kube binary of
#             localcluster/build.sh under each component's name, tagged as kube-apiserver,
#             kube-controller-manager, kube-scheduler and kube-proxy; iptables-wrapper picks
#             the node's iptables backend
#   etcd      our etcd 3.6.8 alone (kind/image/bins.sh), tagged as kubeadm's etcd:3.6.8-0
#   coredns   our CoreDNS (localcluster/build.sh) alone, under its own version; kind/up.sh tells
#             kubeadm that tag (ClusterConfiguration dns.imageTag)
set -euo pipefail
umask 022
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
[ "$(id -u)" = 0 ] || kind_die "components.sh must run as root (mmdebstrap and buildah need it)"
out_dir=$KIND_CACHE/images
version=$LC_KUBE_VERSION
kube_dir=$(lc_bin_dir "$version")
coredns=$(lc_coredns_dir)/coredns
etcd=$("$here/bins.sh" --print etcd)
etcd_tag=$("$etcd" --version | sed -n "s/^etcd Version: //p")-0
for f in "$kube_dir/kube" "$coredns" "$etcd"; do
  [ -x "$f" ] || kind_die "$f is missing: run localcluster/build.sh and kind/image/bins.sh"
done

refs() {
  case $1 in
    kube) for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do echo "registry.k8s.io/$c:$version"; done ;;
    etcd) echo "registry.k8s.io/etcd:$etcd_tag" ;;
    coredns) echo "registry.k8s.io/coredns/coredns:$LC_COREDNS_VERSION" ;;
  esac
}
inputs() {
  case $1 in
    kube) echo "$kube_dir" ;;
    etcd) echo "$etcd" ;;
    coredns) echo "$coredns" ;;
  esac
}
archive_of() {
  echo "$out_dir/$1-$({ cat "$here/components.sh" "$here/files/iptables-wrapper"; inputs "$1"; refs "$1"; } | sha256sum | cut -c1-12).oci.tar"
}

work='' ctr=''
bah() { buildah --storage-driver vfs --root "$work/storage" --runroot "$work/run" "$@"; }
cleanup() {
  if [ -n "$ctr" ]; then bah rm "$ctr" >/dev/null 2>&1 || true; fi
  if [ -n "$work" ] && [ -d "$work" ]; then
    findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r umount -l || true
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

recipe_kube() {
  mmdebstrap --quiet --mode=root --format=directory --variant=essential \
    --include=iptables,conntrack,iproute2,kmod,ca-certificates \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$root" "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" </dev/null >"$work/mmdebstrap.log" 2>&1 \
    || { cat "$work/mmdebstrap.log" >&2; kind_die "mmdebstrap failed"; }
  find "$root/dev" -mindepth 1 -delete
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  install -m 0755 "$kube_dir/kube" "$root/usr/local/bin/kube"
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl; do
    ln -s kube "$root/usr/local/bin/$c"
  done
  install -m 0755 "$here/files/iptables-wrapper" "$root/usr/sbin/iptables-wrapper"
  for c in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf iptables-wrapper "$root/usr/sbin/$c"
  done
}
recipe_etcd() {
  mkdir -p "$root/usr/local/bin" "$root/var/lib/etcd" "$root/tmp"
  install -m 0755 "$etcd" "$root/usr/local/bin/etcd"
  bah config --env PATH=/usr/local/bin:/usr/bin:/bin "$ctr"
}
recipe_coredns() {
  install -m 0755 "$coredns" "$root/coredns"
  bah config --entrypoint '["/coredns"]' "$ctr"
}

build() {
  local name=$1 out; out=$(archive_of "$1")
  if [ -f "$out" ]; then kind_log "image $name: cached ($(basename "$out"))"; return; fi
  kind_log "building image $name"
  local start=$SECONDS primary; primary=$(refs "$name" | sed -n 1p)
  work=$(mktemp -d "$out_dir/.build-$name.XXXXXX")
  ctr=$(bah from --name "kind-$name" scratch)
  root=$(bah mount "$ctr")
  "recipe_$name"
  bah config --created-by "kind/image/components.sh $name" "$ctr"
  bah commit --quiet --format oci --disable-compression=false --rm "$ctr" "oci-archive:$work/image.oci.tar:$primary" >/dev/null
  ctr=''
  mv "$work/image.oci.tar" "$out"
  rm -rf --one-file-system "$work"; work=''
  find "$out_dir" -maxdepth 1 -name "$name-????????????.oci.tar" ! -path "$out" -delete
  kind_log "image $name built in $((SECONDS - start)) s -> $out ($(du -h "$out" | cut -f1))"
}

mkdir -p "$out_dir"
for name in kube etcd coredns; do build "$name"; done
for name in kube etcd coredns; do
  out=$(archive_of "$name")
  refs "$name" | while read -r ref; do printf '%s\t%s\n' "$ref" "$out"; done
done > "$out_dir/index.tsv.tmp"
mv "$out_dir/index.tsv.tmp" "$out_dir/index.tsv"
