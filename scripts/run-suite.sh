#!/usr/bin/env bash
# Chooses the cluster, runs the suite on it, and checks the run (scripts/check-run.py).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv} REPORTS=${REPORTS:-reports}
say() { printf '[make test] %s\n' "$*" >&2; }

args=() check_args=()

choice=${SUITE_CLUSTER:-}
case $choice in
  ""|local|kind) ;;
  *) say "CLUSTER=$choice: unknown; use CLUSTER=local or CLUSTER=kind, or name a kubeconfig with KUBECONFIG=path"; exit 2 ;;
esac
if [ -n "${SUITE_KUBECONFIG:-}" ] && [ -n "$choice" ]; then
  say "KUBECONFIG=$SUITE_KUBECONFIG and CLUSTER=$choice both name a cluster; give one of them"; exit 2
fi
# The offline local cluster unless another is asked for: which cluster a run lands on never
# depends on what happens to be installed.
[ -n "$choice" ] || choice=local

if [ -n "${SUITE_KUBECONFIG:-}" ]; then
  # A list as kubectl reads one: files that do not exist are passed over; at least one must.
  found=""; IFS=: read -r -a listed <<<"$SUITE_KUBECONFIG"
  for f in "${listed[@]}"; do [ -f "$f" ] && found=1; done
  [ -n "$found" ] || { say "KUBECONFIG=$SUITE_KUBECONFIG: no such file"; exit 2; }
  kubeconfig=$SUITE_KUBECONFIG
  say "cluster: the one in $kubeconfig${SUITE_CONTEXT:+ (context $SUITE_CONTEXT)}, as named"
  [ -n "${SUITE_CONTEXT:-}" ] && args+=(--context "$SUITE_CONTEXT")
  # On a cluster the suite did not create, node-mutating tests skip unless allowed, and a test
  # whose cluster offers nothing to prove on (no tainted node) skips: expected. The run's catalog
  # proof still fails an id left unproven unless --accept-unproven names it.
  check_args+=(--allow-skip node_mutation: --allow-skip "cannot prove here:")
elif [ "$choice" = kind ]; then
  # Install what is missing (Docker engine, kind; for the offline node image the local
  # cluster's build tools), as for the local cluster.
  [ "$(id -u)" = 0 ] || { say "CLUSTER=kind installs and starts what it needs as root; run as root"; exit 2; }
  kind/install-deps.sh
  kubeconfig=$(kind/up.sh)
  PATH="$(source localcluster/lib/common.sh && lc_bin_dir "$LC_KUBE_VERSION"):$PATH"
  say "cluster: kind ($kubeconfig), as asked; it stays up for the next run; 'make cluster-down CLUSTER=kind' removes it"
else
  [ -n "${KUBECONFIG:-}" ] && say "KUBECONFIG is set in your shell but not named for make test; name it to use it: make test KUBECONFIG=\$KUBECONFIG"
  say "cluster: the offline local cluster${SUITE_CLUSTER:+, as asked}"
  localcluster/install-deps.sh
  localcluster/up.sh
  kubeconfig=$(source localcluster/lib/common.sh && lc_kubeconfig admin)
  # The kubectl built with the cluster, so that its version matches the server's.
  PATH="$(source localcluster/lib/common.sh && lc_bin_dir "$LC_KUBE_VERSION"):$PATH"
  say "the local cluster stays up for the next run; 'make cluster-down' removes it"
fi
# scripts/bench.py reads the API server's counters before the run: it asks for the cluster only.
if [ -n "${SUITE_CLUSTER_ONLY:-}" ]; then printf '%s\n' "$kubeconfig" >"$SUITE_CLUSTER_ONLY"; exit 0; fi

mkdir -p "$REPORTS"
# Runs at once on one cluster take turns there (fixtures/coordination); here, a second run must not
# write over the first one's reports, so it writes its own beside them.
exec 9>"$REPORTS/.in-use"
if ! flock -n 9; then
  REPORTS="$REPORTS/run-$$"; mkdir -p "$REPORTS"
  say "another make test writes its reports to ${REPORTS%/run-$$}; this run's go to $REPORTS"
fi
eval "extra=(${PYTEST_ARGS:-})"   # shell words, so that -m 'not slow' stays one argument
set +e
"$VENV/bin/pytest" suites tests/cluster --kubeconfig "$kubeconfig" "${args[@]}" "${extra[@]}" \
  --junitxml "$REPORTS/junit.xml" --alluredir "$REPORTS/allure-results" --clean-alluredir -p no:cacheprovider
status=$?
set -e
# A usage error (bad kubeconfig, unreachable cluster) said all there is to say.
[ "$status" -eq 4 ] && exit 4
eval "check_args+=(${CHECK_ARGS:-})"
"$VENV/bin/python" scripts/check-run.py "${check_args[@]}" "$REPORTS/junit.xml" || status=1
exit $status
