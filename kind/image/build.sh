#!/usr/bin/env bash
# `make kind-image`: everything the offline node image is made of, then the image itself, each
# step cached outside the clone ($LOCALCLUSTER_CACHE, default /var/cache/localcluster):
#   localcluster/build.sh          kube binary (kubelet, kubectl, control plane) and CoreDNS
#   localcluster/images/build.sh   pause and the manifests' images (the registry serves those)
#   kind/image/bins.sh             kubeadm, etcd
#   kind/image/components.sh       control-plane, kube-proxy, etcd and CoreDNS images
#   kind/image/node.sh             the node image, loaded into the Docker engine
# Prints the node image's tag. Needs root and a running engine (kind/engine.sh up).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
start=$SECONDS
"$LC_ROOT/build.sh" >&2
"$LC_ROOT/images/build.sh" >&2
"$here/bins.sh" >&2
"$here/components.sh" >&2
tag=$("$here/node.sh")
kind_log "node image $tag ready ($((SECONDS - start)) s)"
echo "$tag"
