#!/usr/bin/env bash
# The broken-cluster lab (make mutants): breaks the local cluster in each way described in
# localcluster/lab/*.sh, runs the tests that must notice, restores the cluster (the breakage's
# own lab_restore, then up.sh and its ready gate), and prints breakage -> tests that failed ->
# the line that says why. Fails when a breakage is not caught, or caught only by messages that
# do not point at its cause (LAB_CAUSE, a regular expression). It holds the cluster alone from the
# first breakage to the last restore (localcluster/lib/turn.sh): a run of the suite started
# meanwhile waits for its turn instead of failing on a cluster broken on purpose; the lab's own
# tests and restores run within that turn.
# Each breakage's tests are timed, and so are the same tests on the healthy cluster, run just
# before it (once per selection): a broken cluster must fail within BOUND times that
# (scripts/mutants-table.py).
# Usage: scripts/mutants.sh [NAME...]      (default: every breakage; MUTANTS="a b" likewise)
set -euo pipefail
cd "$(dirname "$0")/.."
source localcluster/lib/common.sh
# What up.sh uses, so that a breakage can start a component as up.sh does.
for lib in proc network certs controlplane registry dns node gate turn lab; do source "$LC_ROOT/lib/$lib.sh"; done
VENV=${VENV:-.venv} REPORTS=${REPORTS:-reports}
out=$REPORTS/mutants
say() { printf '[mutants %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
given=("$@")
[ ${#given[@]} -gt 0 ] || read -r -a given <<<"${MUTANTS:-}"
lc_lab_start mutants localcluster/lab "$out" "${given[@]}"
names=("${LC_LAB_NAMES[@]}")
kubeconfig=$LC_LAB_KUBECONFIG

# MUTANTS_HEALTHY=0 skips the healthy runs that each breakage's time is measured against.
healthy=${MUTANTS_HEALTHY:-1}
# MUTANTS_SHORT=1 runs, for a breakage that names them (LAB_SHORT), only the tests that fail on it.
short=${MUTANTS_SHORT:-0}
# -n 6: the worker count docs/lab.md's broken and healthy times were measured with.
selection() { "$VENV/bin/pytest" "${LAB_TESTS[@]}" -n 6 -q -p no:cacheprovider --kubeconfig "$kubeconfig" \
  --junitxml "$1.xml" >"$1.log" 2>&1; }

for name in "${names[@]}"; do
  (
    LAB_TESTS=() LAB_SHORT=() LAB_WHAT="" LAB_CAUSE=""
    lab_restore() { :; }
    source "localcluster/lab/$name.sh"
    [ "$short" = 1 ] && [ ${#LAB_SHORT[@]} -gt 0 ] && LAB_TESTS=("${LAB_SHORT[@]}")
    restore() {
      lab_restore
      localcluster/up.sh >"$out/$name.restore.log" 2>&1 \
        || { say "ERROR: the cluster did not come back after '$name' (see $out/$name.restore.log)"; exit 1; }
    }
    trap restore EXIT
    printf '%s\n%s\n' "$LAB_WHAT" "$LAB_CAUSE" > "$out/$name.meta"
    if [ "$healthy" = 1 ]; then
      # The same selection on the healthy cluster, once per selection and lab run: what a broken
      # cluster's run of it is measured against ("seconds exit" in NAME.healthy).
      key=$(printf '%s\n' "${LAB_TESTS[@]}" | sha256sum | cut -c1-12)
      if [ ! -f "$out/healthy-$key.time" ]; then
        say "$name: the same tests on the healthy cluster first"
        started=$SECONDS status=0
        selection "$out/healthy-$key" || status=$?
        echo "$((SECONDS - started)) $status" > "$out/healthy-$key.time"
        say "$name: healthy: $((SECONDS - started)) s, exit $status"
      fi
      cp "$out/healthy-$key.time" "$out/$name.healthy"
    fi
    say "$name: breaking: $LAB_WHAT"
    lab_break
    started=$SECONDS
    say "$name: running ${LAB_TESTS[*]}"
    selection "$out/$name" || true
    echo "$((SECONDS - started))" > "$out/$name.time"
    say "$name: tests done in $((SECONDS - started)) s; restoring"
  )
done
"$VENV/bin/python" scripts/mutants-table.py "$out" "${names[@]}"
