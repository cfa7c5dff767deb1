#!/usr/bin/env bash
# Creates the kind cluster of kind/cluster.yaml unless it runs already, marks it as the suite's
# own, and prints the path of a kubeconfig for it.
#
# KIND_NODE_IMAGE chooses the nodes:
#   offline (default)  the node image built here (kind/image/build.sh, from Debian packages and
#                      our own builds); the nodes live on their own fenced network
#                      (kind/network.sh) and pull every image from the local registry
#                      (kind/registry.sh), which serves the manifests' images; CoreDNS forwards
#                      nothing upstream. Works with no internet at all.
#   IMAGE              any node image, such as kind's published kindest/node:v1.36.x: kind as it
#                      comes, on its own "kind" network, pulling from the real registries
#                      (needs internet).
# A cluster left by an earlier run is reused when all its nodes are Ready and it runs the chosen
# image; otherwise it is deleted and created anew.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/../localcluster/lib/turn.sh"
image=${KIND_NODE_IMAGE:-offline}
kind=$KIND_BIN/kind
[ -x "$kind" ] || kind=$(command -v kind) || kind_die "kind is not installed: run kind/install-deps.sh"
kubectl=$(lc_bin_dir "$LC_KUBE_VERSION")/kubectl
[ -x "$kubectl" ] || kubectl=$(command -v kubectl) || kind_die "no kubectl: run localcluster/build.sh"
kubeconfig=${KIND_KUBECONFIG:-$HOME/.kube/kind-$KIND_CLUSTER.kubeconfig}
start=$SECONDS

"$here/engine.sh" up
if [ "$image" = offline ]; then
  "$here/network.sh" up
  image=$("$here/image/build.sh")
  "$here/registry.sh" up
  export KIND_EXPERIMENTAL_DOCKER_NETWORK=$KIND_NET
fi

# ready: the cluster answers, runs $image, and all four nodes are Ready (a cordoned node,
# Ready,SchedulingDisabled, is its owner's choice: Ready all the same).
runs_image() { [ "$(docker inspect -f '{{.Config.Image}}' "$KIND_CLUSTER-control-plane" 2>/dev/null)" = "$image" ]; }
ready() {
  runs_image || return 1
  "$kind" get kubeconfig --name "$KIND_CLUSTER" > "$kubeconfig.tmp" 2>/dev/null || return 1
  mv "$kubeconfig.tmp" "$kubeconfig"
  local nodes; nodes=$("$kubectl" --kubeconfig "$kubeconfig" --request-timeout 5s get nodes --no-headers 2>/dev/null) || return 1
  [ "$(kind_ready_nodes <<<"$nodes")" = 4 ]
}

# ready_soon: ready now, or within a minute (a node may be NotReady for a moment).
ready_soon() {
  local until=$((SECONDS + 60))
  runs_image || return 1
  until ready; do
    [ "$SECONDS" -lt "$until" ] || return 1
    sleep 3
  done
}

mkdir -p "$(dirname "$kubeconfig")"
# A run of the suite may be in a test that pauses or taints a node of this cluster right now: the
# rest waits for a turn beside the runs (localcluster/lib/turn.sh), so that such a node is
# neither unpaused nor taken for a broken cluster; deleting the cluster takes it alone.
answers=0
if "$kind" get kubeconfig --name "$KIND_CLUSTER" > "$kubeconfig.tmp" 2>/dev/null \
    && "$kubectl" --kubeconfig "$kubeconfig.tmp" --request-timeout 5s get --raw /readyz >/dev/null 2>&1; then
  mv "$kubeconfig.tmp" "$kubeconfig"
  export LC_TURN_KUBECONFIG=$kubeconfig
  lc_turn_take kind-up
  answers=1
fi
rm -f "$kubeconfig.tmp"

# A node left paused by a disruptive test whose run is gone goes on, and the cluster gets the
# time to see it Ready again before it is judged.
unpaused=0
for node in $("$kind" get nodes --name "$KIND_CLUSTER" 2>/dev/null); do
  if [ "$(docker inspect -f '{{.State.Paused}}' "$node" 2>/dev/null)" = true ]; then
    docker unpause "$node" >/dev/null
    kind_log "node $node was left paused, likely by a killed disruptive test: unpaused"
    unpaused=1
  fi
done
if [ "$unpaused" = 1 ] && "$kind" get kubeconfig --name "$KIND_CLUSTER" > "$kubeconfig.tmp" 2>/dev/null; then
  "$kubectl" --kubeconfig "$kubeconfig.tmp" wait --for=condition=Ready nodes --all --timeout=90s >/dev/null 2>&1 || true
  rm -f "$kubeconfig.tmp"
fi
if "$kind" get clusters 2>/dev/null | grep -x "$KIND_CLUSTER" >/dev/null; then
  if ready_soon; then
    kind_log "cluster $KIND_CLUSTER runs ($image), all nodes Ready: reusing it"
  else
    if [ "$answers" = 1 ]; then
      lc_turn_give
      lc_turn_take kind-up alone
      others=$(lc_turn_python runs --kubeconfig "$kubeconfig" | grep -vxF "${POD_CONFORMANCE_INSIDE%%/*}" || true)
      [ -z "$others" ] || kind_die "cluster $KIND_CLUSTER is not ready or runs another image, but runs of the suite use it ($(echo $others)): not deleting it; 'make cluster-down CLUSTER=kind' once they have ended"
    fi
    kind_log "cluster $KIND_CLUSTER exists but is not ready or runs another image: deleting it"
    "$kind" delete cluster --name "$KIND_CLUSTER" >&2
  fi
fi
if ! "$kind" get clusters 2>/dev/null | grep -x "$KIND_CLUSTER" >/dev/null; then
  config=$KIND_STATE/cluster.yaml
  mkdir -p "$KIND_STATE"
  {
    cat "$here/cluster.yaml"
    echo "kubeadmConfigPatches:"
    if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
      # Kubernetes >= 1.35 refuses cgroup v1 unless told otherwise; this host has no cgroup v2 root.
      printf -- '- |\n  kind: KubeletConfiguration\n  failCgroupV1: false\n'
    fi
    if [ -z "${KIND_NODE_IMAGE:-}" ] || [ "$KIND_NODE_IMAGE" = offline ]; then
      # The offline image's CoreDNS is the release localcluster builds, not kubeadm's default.
      printf -- '- |\n  kind: ClusterConfiguration\n  dns:\n    imageTag: %s\n' "$LC_COREDNS_VERSION"
    fi
  } > "$config"
  # kind's docker provider mounts the host's /lib/modules into every node; Docker creates it
  # (empty) where it is missing. Noted so that kind/down.sh removes it again.
  [ -e /lib/modules ] || touch "$KIND_STATE/created-lib-modules"
  kind_log "creating kind cluster $KIND_CLUSTER (1 control plane, 3 workers) from $image"
  create_start=$SECONDS
  "$kind" create cluster --name "$KIND_CLUSTER" --config "$config" --image "$image" \
    --kubeconfig "$kubeconfig" --wait 5m >&2 \
    || kind_die "kind create cluster failed (output above; 'kind export logs --name $KIND_CLUSTER' collects the nodes' logs)"
  # kind's --wait covers the control plane only.
  "$kubectl" --kubeconfig "$kubeconfig" wait --for=condition=Ready nodes --all --timeout=180s >/dev/null \
    || kind_die "not every node became Ready within 180 s: $("$kubectl" --kubeconfig "$kubeconfig" get nodes --no-headers | tr '\n' ';')"
  kind_log "cluster created in $((SECONDS - create_start)) s, all nodes Ready"
fi

if [ -n "${KIND_EXPERIMENTAL_DOCKER_NETWORK:-}" ]; then
  # CoreDNS answers cluster names only: no forwarding of other names to upstream resolvers.
  corefile=$("$kubectl" --kubeconfig "$kubeconfig" -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}')
  if grep -q '^\s*forward ' <<<"$corefile"; then
    kind_log "CoreDNS: removing the forward to upstream resolvers"
    stripped=$(awk '/^[ \t]*forward / { skip = /\{[ \t]*$/; next } skip && /^[ \t]*}/ { skip = 0; next } !skip' <<<"$corefile")
    "$kubectl" --kubeconfig "$kubeconfig" -n kube-system create configmap coredns \
      --from-literal=Corefile="$stripped" --dry-run=client -o yaml \
      | "$kubectl" --kubeconfig "$kubeconfig" apply -f - >/dev/null
    "$kubectl" --kubeconfig "$kubeconfig" -n kube-system rollout restart deployment coredns >/dev/null
    "$kubectl" --kubeconfig "$kubeconfig" -n kube-system rollout status deployment coredns --timeout 120s >&2
  fi
fi
"$kubectl" --kubeconfig "$kubeconfig" -n kube-public create configmap pod-conformance-cluster \
  --from-literal=created-by=kind --dry-run=client -o yaml | "$kubectl" --kubeconfig "$kubeconfig" apply -f - >/dev/null
kind_log "cluster $KIND_CLUSTER ready in $((SECONDS - start)) s; kubeconfig $kubeconfig"
echo "$kubeconfig"
