#!/usr/bin/env bash
# Upgrade acceptance on any cluster:
#   upgrade.sh baseline   before the upgrade: creates the long-running workloads (upgrade/) and
#                         runs the suite, keeping what each test observed
#   upgrade.sh verify     after it: checks the workloads, runs the suite again, compares the runs
#                         (scripts/compare-runs.py) and says ACCEPT or REJECT
# The cluster is the one `make test` would choose (KUBECONFIG=... named to make, or the local one).
# Reports: $REPORTS/upgrade/{before,after}/ and $REPORTS/upgrade/comparison-after.txt (and
# after-again/ when the tests whose durations grew ran once more).
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
    compare() {
      "$VENV/bin/python" scripts/compare-runs.py "$out/before/observations.json" "$out/$after/observations.json" \
        "${again[@]}" --out "$out/comparison-$after.txt" "${extra[@]}" ${COMPARE_ARGS:-} "$@"
    }
    # A duration that grew may be the host's load at that moment (a pod's start 1.8 s before,
    # 10.4 s after, on a busy host): the tests whose durations grew run once more, and a duration
    # counts as grown only if it grew there too (compare-runs.py --again).
    again=()
    if ! compare --slower-tests "$out/$after-slower.txt" >/dev/null && [ -s "$out/$after-slower.txt" ]; then
      mapfile -t slowed < "$out/$after-slower.txt"
      echo "[upgrade] durations grew in ${#slowed[@]} test(s): running them once more" >&2
      mkdir -p "$out/$after-again"
      eval "user_args=(${PYTEST_ARGS:-})"
      "$VENV/bin/pytest" "${slowed[@]}" --kubeconfig "$kubeconfig" "${ctx[@]}" -p no:cacheprovider "${user_args[@]}" \
        --junitxml "$out/$after-again/junit.xml" --observations "$out/$after-again/observations.json" || true
      again=(--again "$out/$after-again/observations.json")
    fi
    verdict=0
    compare || verdict=1
    exit $verdict ;;
  *) echo "usage: upgrade.sh baseline|verify" >&2; exit 2 ;;
esac
