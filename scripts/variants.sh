#!/usr/bin/env bash
# The healthy-variants lab (make variants), the inverse of make mutants: reshapes the local
# cluster in each healthy way described in localcluster/variants/*.sh (fewer workers, nodes
# cordoned or tainted by their owners, no visible control plane, admission that adds fields, a
# Pod Security level), runs the whole suite as make test does, puts the cluster back, and prints
# variant -> proven ids -> NOT PROVEN ids and why -> wall time. Fails when a test fails on a
# variant, or when its NOT PROVEN ids are not exactly the ones it names (VARIANT_NOT_PROVEN).
# It holds the cluster alone throughout (localcluster/lib/turn.sh), as the breakage lab does.
# Usage: scripts/variants.sh [NAME...]      (default: every variant; VARIANTS="a b" likewise)
set -euo pipefail
cd "$(dirname "$0")/.."
source localcluster/lib/common.sh
# What up.sh uses, so that a variant can restart a component as up.sh does.
for lib in proc network certs controlplane registry dns node gate turn lab; do source "$LC_ROOT/lib/$lib.sh"; done
VENV=${VENV:-.venv} REPORTS=${REPORTS:-reports}
out=$REPORTS/variants
say() { printf '[variants %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
given=("$@")
[ ${#given[@]} -gt 0 ] || read -r -a given <<<"${VARIANTS:-}"
lc_lab_start variants localcluster/variants "$out" "${given[@]}"
names=("${LC_LAB_NAMES[@]}")
kubeconfig=$LC_LAB_KUBECONFIG
# A variants run killed mid-way leaves its reshaping: every variant is put back first.
for f in localcluster/variants/*.sh; do ( source "$f"; variant_restore ); done

for name in "${names[@]}"; do
  (
    VARIANT_WHAT="" VARIANT_NOT_PROVEN="" VARIANT_ARGS=()
    source "localcluster/variants/$name.sh"
    trap variant_restore EXIT
    printf '%s\n%s\n' "$VARIANT_WHAT" "$VARIANT_NOT_PROVEN" > "$out/$name.meta"
    say "$name: $VARIANT_WHAT"
    variant_apply
    started=$SECONDS
    "$VENV/bin/pytest" suites tests/cluster -n 6 -q -p no:cacheprovider --kubeconfig "$kubeconfig" "${VARIANT_ARGS[@]}" \
      --junitxml "$out/$name.xml" >"$out/$name.log" 2>&1 || true
    echo "$((SECONDS - started))" > "$out/$name.seconds"
    say "$name: the suite took $((SECONDS - started)) s; putting the cluster back"
  )
done
"$VENV/bin/python" scripts/variants-table.py "$out" "${names[@]}"
