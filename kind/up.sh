#!/usr/bin/env bash
# Creates the kind cluster of kind/cluster.yaml unless it runs already, marks it as the suite's
# own, and prints the path of a kubeconfig for it. Needs kind and a container engine.
set -euo pipefail
cd "$(dirname "$0")"
name=pod-conformance
command -v kind >/dev/null || { echo "kind/up.sh: kind is not installed" >&2; exit 2; }
if ! kind get clusters 2>/dev/null | grep -qx "$name"; then
  echo "kind/up.sh: creating kind cluster '$name' (1 control plane, 3 workers)" >&2
  kind create cluster --config cluster.yaml --wait 5m >&2
fi
kubeconfig=${KIND_KUBECONFIG:-$HOME/.kube/kind-$name.kubeconfig}
mkdir -p "$(dirname "$kubeconfig")"
kind get kubeconfig --name "$name" > "$kubeconfig"
kubectl --kubeconfig "$kubeconfig" -n kube-public create configmap pod-conformance-cluster \
  --from-literal=created-by=kind --dry-run=client -o yaml | kubectl --kubeconfig "$kubeconfig" apply -f - >/dev/null
echo "$kubeconfig"
