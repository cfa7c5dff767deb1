#!/usr/bin/env bash
# Proves rbac/pod-conformance-runner.yaml: runs the non-mutating suite through a kubeconfig for
# a service account bound to exactly that ClusterRole and Role, then removes the account and the
# bindings (not the suite's namespace pod-conformance-system: other runs may be using it).
# Usage: scripts/rbac-run.sh ADMIN_KUBECONFIG
set -euo pipefail
cd "$(dirname "$0")/.."
admin=${1:?usage: scripts/rbac-run.sh ADMIN_KUBECONFIG}
ns=pod-conformance-rbac sa=runner
k() { kubectl --kubeconfig "$admin" "$@"; }
cleanup() {
  k delete clusterrolebinding pod-conformance-runner --ignore-not-found >/dev/null
  k delete clusterrole pod-conformance-runner --ignore-not-found >/dev/null
  k -n pod-conformance-system delete rolebinding,role pod-conformance-runner --ignore-not-found >/dev/null
  k delete namespace "$ns" --ignore-not-found --wait=false >/dev/null
  rm -f "$kubeconfig"
}
kubeconfig=$(mktemp)
trap cleanup EXIT
k apply -f rbac/pod-conformance-runner.yaml >/dev/null
k create namespace "$ns" --dry-run=client -o yaml | k apply -f - >/dev/null
k -n "$ns" create serviceaccount "$sa" --dry-run=client -o yaml | k apply -f - >/dev/null
k create clusterrolebinding pod-conformance-runner --clusterrole=pod-conformance-runner \
  --serviceaccount="$ns:$sa" --dry-run=client -o yaml | k apply -f - >/dev/null
k -n pod-conformance-system create rolebinding pod-conformance-runner --role=pod-conformance-runner \
  --serviceaccount="$ns:$sa" --dry-run=client -o yaml | k apply -f - >/dev/null
token=$(k -n "$ns" create token "$sa" --duration=2h)
server=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.server}')
ca=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
cat > "$kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: $sa, user: {token: "$token"}}]
contexts: [{name: rbac-runner, context: {cluster: c, user: $sa}}]
current-context: rbac-runner
KC
echo "[rbac-run] running the non-mutating suite as system:serviceaccount:$ns:$sa" >&2
# The conformance suite only: tests/cluster/ are the suite's own tests, which break the cluster on
# purpose (admission policies, a stand-in scheduler) and need an administrator.
make test KUBECONFIG="$kubeconfig" REPORTS=reports/rbac \
  PYTEST_ARGS="-n 8 -m 'not node_mutation and not disruptive' --deselect tests/cluster/ --no-allow-node-mutation --no-allow-disruptive"
