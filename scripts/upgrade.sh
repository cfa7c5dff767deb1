#!/usr/bin/env bash
# Upgrade acceptance on any cluster:
#   upgrade.sh baseline   before the upgrade: creates the long-running workloads (upgrade/) and
#                         runs the suite, keeping what each test observed
#   upgrade.sh verify     after it: checks the workloads, runs the suite again, compares the runs
#                         (scripts/compare-runs.py) and says ACCEPT or REJECT
# The cluster is the one `make test` would choose (KUBECONFIG=... named to make, or the local one).
# Reports: $REPORTS/upgrade/{before,after}/ and $REPORTS/upgrade/comparison-after.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
phase=${1:?usage: upgrade.sh baseline|verify}
VENV=${VENV:-.venv} REPORTS=${REPORTS:-reports}
out="$REPORTS/upgrade"
case ${SUITE_CLUSTER:-local} in
  local) unset SUITE_CLUSTER ;;
  kind) echo "[upgrade] for kind, name its kubeconfig: KUBECONFIG=\$(kind/up.sh)" >&2; exit 2 ;;
  *) echo "[upgrade] CLUSTER=$SUITE_CLUSTER: unknown; name the cluster with KUBECONFIG=path" >&2; exit 2 ;;
esac
kubeconfig=${SUITE_KUBECONFIG:-$(source localcluster/lib/common.sh && lc_kubeconfig admin)}
PATH="$(source localcluster/lib/common.sh && lc_bin_dir "$LC_KUBE_VERSION"):$PATH"
ctx=(); [ -n "${SUITE_CONTEXT:-}" ] && ctx=(--context "$SUITE_CONTEXT")

run_phase() {  # the workloads, then the whole suite with observations
  local name=$1 workload_phase=$2 status=0
  mkdir -p "$out/$name"
  [ "${UPGRADE_WORKLOADS:-1}" = 0 ] || "$VENV/bin/pytest" upgrade --upgrade-phase="$workload_phase" --kubeconfig "$kubeconfig" "${ctx[@]}" \
    -p no:cacheprovider --junitxml "$out/$name/workloads.xml" || status=1
  SUITE_KUBECONFIG=$kubeconfig REPORTS="$out/$name" \
    PYTEST_ARGS="${PYTEST_ARGS:--n 8} --observations $out/$name/observations.json" \
    scripts/run-suite.sh || true   # the comparison, not this run alone, decides
  return $status
}

case $phase in
  baseline)
    run_phase before before
    echo "[upgrade] baseline kept in $out/before; upgrade the cluster, then run: make upgrade-verify" >&2 ;;
  verify)
    [ -f "$out/before/observations.json" ] || { echo "[upgrade] no baseline in $out/before: run make upgrade-baseline first" >&2; exit 2; }
    after=${UPGRADE_AFTER:-after}   # another name keeps an earlier verification's reports
    extra=()
    run_phase "$after" after ||
      extra=(--reject "the long-running workloads did not come through the upgrade (see $out/$after/workloads.xml)")
    verdict=0
    "$VENV/bin/python" scripts/compare-runs.py "$out/before/observations.json" "$out/$after/observations.json" \
      --out "$out/comparison-$after.txt" "${extra[@]}" ${COMPARE_ARGS:-} || verdict=1
    exit $verdict ;;
  *) echo "usage: upgrade.sh baseline|verify" >&2; exit 2 ;;
esac
