#!/usr/bin/env bash
# Builds the offline kind node image and loads it into the Docker engine; prints its tag.
#
# What kind's own base image and `kind build node-image` put in a node, made from Debian
# packages and this project's builds instead of downloads:
#   - Debian bookworm with systemd 252 (cgroup v1 still works; upstream's trixie base has 257),
#     containerd 1.7 from trixie, runc and the CNI plugins from bookworm;
#   - kind's entrypoint, systemd units and containerd config, copied at build time from the
#     sigs.k8s.io/kind module ($KIND_VERSION, from the Go module proxy), with two changes:
#     restrict_oom_score_adj = true (this host's capability bounding set lacks CAP_SYS_RESOURCE)
#     and registry mirror configuration: every registry (docker.io, registry.k8s.io, any other)
#     is pulled from the local registry at $KIND_REGISTRY, and from nowhere else;
#   - kubelet, kubectl (localcluster's kube binary) and kubeadm (kind/image/bins.sh);
#   - the images kubeadm runs (kind/image/components.sh) and pause (localcluster's), preloaded
#     into containerd as kind does (unpacked on first use, pinned);
#   - /kind/manifests/default-cni.yaml: podnet (files/podnet.yaml), in place of kindnetd.
# The root filesystem is kept as $KIND_CACHE/node-VERSION-KEY.tar.gz (KEY hashes everything it
# is made from), so a new engine loads it without building; a second run is a no-op.
set -euo pipefail
umask 022
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
[ "$(id -u)" = 0 ] || kind_die "node.sh must run as root (mmdebstrap needs it)"
docker info >/dev/null 2>&1 || kind_die "no Docker engine answers: run kind/engine.sh up"

version=$LC_KUBE_VERSION
kube_dir=$(lc_bin_dir "$version")
kubeadm=$("$here/bins.sh" --print kubeadm)
components=$KIND_CACHE/images/index.tsv
lc_index=$LC_CACHE/images/index.tsv
for f in "$kube_dir/kube" "$kubeadm" "$components" "$lc_index"; do
  [ -e "$f" ] || kind_die "$f is missing: run localcluster/build.sh, localcluster/images/build.sh, kind/image/bins.sh and kind/image/components.sh"
done
pause_ref=registry.k8s.io/pause:3.10
pause_archive=$(awk -F'\t' -v r="$pause_ref" '$1 == r { print $2 }' "$lc_index")
[ -f "$pause_archive" ] || kind_die "no image for $pause_ref in $lc_index: run localcluster/images/build.sh"
kind_src=$(cd / && go mod download -json "sigs.k8s.io/kind@$KIND_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$kind_src/images/base/files" ] || kind_die "go mod download sigs.k8s.io/kind@$KIND_VERSION gave no images/base/files"

key=$({ cat "$here/node.sh"; (cd "$here/files" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        echo "$KIND_VERSION $KIND_REGISTRY $kube_dir $kubeadm $pause_archive"; cat "$components"; } | sha256sum | cut -c1-12)
tag=pod-conformance/kind-node:$version-$key
archive=$KIND_CACHE/node-$version-$key.tar.gz

if docker image inspect "$tag" >/dev/null 2>&1; then
  kind_log "node image $tag: in the engine"; echo "$tag"; exit 0
fi

work='' ctrd_pid=''
cleanup() {
  if [ -n "$ctrd_pid" ] && [ "$(readlink "/proc/$ctrd_pid/exe" 2>/dev/null)" = /usr/bin/containerd ]; then
    kill "$ctrd_pid"; wait "$ctrd_pid" 2>/dev/null || true
  fi
  if [ -n "$work" ] && [ -d "$work" ]; then
    findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r umount -l || true
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

packages=(systemd systemd-sysv conntrack iptables nftables iproute2 ethtool util-linux mount kmod
  libseccomp2 pigz e2fsprogs bash ca-certificates curl jq procps
  containerd/trixie runc containernetworking-plugins)

build_rootfs() {
  local root=$1 files=$kind_src/images/base/files
  kind_log "node image: Debian bookworm root filesystem (${#packages[@]} packages)"
  mmdebstrap --quiet --mode=root --format=directory --variant=minbase \
    --include="$(IFS=,; echo "${packages[*]}")" --aptopt='APT::Default-Release "bookworm"' \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$root" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" \
    "deb http://deb.debian.org/debian trixie main" </dev/null >"$work/mmdebstrap.log" 2>&1 \
    || { cat "$work/mmdebstrap.log" >&2; kind_die "mmdebstrap failed"; }
  find "$root/dev" -mindepth 1 -delete
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root/etc/machine-id"
  # Only bookworm stays in the node's sources: trixie was for containerd.
  grep -v trixie "$root/etc/apt/sources.list" > "$work/sources" && cat "$work/sources" > "$root/etc/apt/sources.list"

  kind_log "node image: kind $KIND_VERSION base files, systemd units, containerd config"
  install -m 0755 "$files"/usr/local/bin/* "$root/usr/local/bin/"
  mkdir -p "$root/kind/bin" "$root/kind/manifests" "$root/etc/containerd" "$root/etc/kubernetes/manifests"
  install -m 0644 "$files/kind/README.txt" "$root/kind/"
  install -m 0755 "$files"/kind/bin/* "$root/kind/bin/"
  install -m 0644 "$files/etc/crictl.yaml" "$root/etc/"
  install -m 0644 "$files/etc/containerd/config.toml" "$root/etc/containerd/"
  install -m 0644 "$files"/etc/default/* "$root/etc/default/"
  install -m 0644 "$files"/etc/sysctl.d/* "$root/etc/sysctl.d/"
  install -m 0644 "$files"/etc/systemd/system/*.service "$files"/etc/systemd/system/*.slice "$root/etc/systemd/system/"
  mkdir -p "$root/etc/systemd/system/kubelet.service.d"
  install -m 0644 "$files"/etc/systemd/system/kubelet.service.d/* "$root/etc/systemd/system/kubelet.service.d/"

  # kind's units and scripts expect its own build's paths.
  local b
  for b in containerd ctr containerd-shim-runc-v2; do ln -sf "/usr/bin/$b" "$root/usr/local/bin/$b"; done
  mkdir -p "$root/opt/cni"; ln -s /usr/lib/cni "$root/opt/cni/bin"
  sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$root/etc/containerd/config.toml"
  grep -q 'restrict_oom_score_adj = true' "$root/etc/containerd/config.toml" \
    || kind_die "kind's containerd config has no restrict_oom_score_adj setting to change"
  cat >>"$root/etc/containerd/config.toml" <<'TOML'

# pod-conformance: every registry is pulled from the local registry (certs.d/*/hosts.toml)
[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
TOML
  local reg
  for reg in docker.io registry.k8s.io _default; do
    mkdir -p "$root/etc/containerd/certs.d/$reg"
    printf 'server = "http://%s"\n\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' \
      "$KIND_REGISTRY" "$KIND_REGISTRY" > "$root/etc/containerd/certs.d/$reg/hosts.toml"
  done
  chroot "$root" ctr oci spec \
    | jq '.hooks.createContainer[.hooks.createContainer| length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
    | jq 'del(.process.rlimits)' > "$root/etc/containerd/cri-base.json"

  # systemd as kind's Dockerfile leaves it: no units of the packages' own, kmsg not read.
  find "$root/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
  rm -f "$root"/lib/systemd/system/multi-user.target.wants/* "$root"/etc/systemd/system/*.wants/* \
    "$root"/lib/systemd/system/local-fs.target.wants/* "$root"/lib/systemd/system/sockets.target.wants/*udev* \
    "$root"/lib/systemd/system/sockets.target.wants/*initctl* "$root"/lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >> "$root/etc/systemd/journald.conf"
  systemctl --root="$root" enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
  systemctl --root="$root" mask systemd-binfmt.service >/dev/null 2>&1

  kind_log "node image: Kubernetes $version binaries"
  install -m 0755 "$kube_dir/kube" "$root/usr/bin/kube"
  ln -s kube "$root/usr/bin/kubelet"; ln -s kube "$root/usr/bin/kubectl"
  install -m 0755 "$kubeadm" "$root/usr/bin/kubeadm"
  printf '%s' "$version" > "$root/kind/version"
  sed "s|@KUBE_PROXY_IMAGE@|registry.k8s.io/kube-proxy:$version|" "$here/files/podnet.yaml" \
    > "$root/kind/manifests/default-cni.yaml"
}

# Preloads the images into the node's containerd store, as kind's node build does: a containerd
# of the same version with its root in the image, content imported but not unpacked, pinned.
preload_images() {
  local root=$1 sock=$work/containerd.sock
  kind_log "node image: preloading images into containerd"
  cat >"$work/containerd.toml" <<TOML
version = 2
root = "$root/var/lib/containerd"
state = "$work/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt"]
[grpc]
  address = "$sock"
TOML
  containerd --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
  ctrd_pid=$!
  local i
  for i in $(seq 30); do [ -S "$sock" ] && ctr -a "$sock" version >/dev/null 2>&1 && break; sleep 0.5; done
  ctr -a "$sock" version >/dev/null 2>&1 || { cat "$work/containerd.log" >&2; kind_die "containerd for the preload did not start"; }
  local ref arc first
  declare -A imported=()
  while IFS=$'\t' read -r ref arc; do
    if [ -z "${imported[$arc]:-}" ]; then
      ctr -a "$sock" -n k8s.io images import --no-unpack "$arc" >/dev/null \
        || kind_die "could not import $arc into the node image"
      first=$(ctr -a "$sock" -n k8s.io images ls -q | grep -Fx -f <(tar -xOf "$arc" index.json | jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]') | sed -n 1p)
      [ -n "$first" ] || kind_die "importing $arc named no image"
      imported[$arc]=$first
    fi
    [ "${imported[$arc]}" = "$ref" ] || ctr -a "$sock" -n k8s.io images tag --force "${imported[$arc]}" "$ref" >/dev/null
    ctr -a "$sock" -n k8s.io images label "$ref" io.cri-containerd.pinned=pinned >/dev/null
  done < <(cat "$components"; for ref in "$pause_ref" registry.k8s.io/pause:3.10.2; do printf '%s\t%s\n' "$ref" "$pause_archive"; done)
  ctr -a "$sock" -n k8s.io images ls -q | sed 's/^/[kind]   /' >&2
  kill "$ctrd_pid"; wait "$ctrd_pid" 2>/dev/null || true; ctrd_pid=''
}

if [ ! -f "$archive" ]; then
  start=$SECONDS
  mkdir -p "$KIND_CACHE"
  work=$(mktemp -d "$KIND_CACHE/.build-node.XXXXXX")
  build_rootfs "$work/rootfs"
  preload_images "$work/rootfs"
  kind_log "node image: packing the root filesystem"
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$work/rootfs" -cf - . | gzip -1 > "$work/node.tar.gz"
  mv "$work/node.tar.gz" "$archive"
  find "$KIND_CACHE" -maxdepth 1 -name "node-*.tar.gz" ! -path "$archive" -delete
  kind_log "node image built in $((SECONDS - start)) s -> $archive ($(du -h "$archive" | cut -f1))"
fi
kind_log "node image: loading $tag into the engine"
docker import \
  --change 'ENV container=docker' \
  --change 'STOPSIGNAL SIGRTMIN+3' \
  --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
  "$archive" "$tag" >/dev/null
echo "$tag"
