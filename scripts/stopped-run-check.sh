#!/usr/bin/env bash
# Proves the fencing of a run's lease (fixtures/coordination/leases.py) on the local cluster. A run
# of one long test is stopped (SIGSTOP) past its lease's duration; a second run started meanwhile
# must sweep nothing of it while the margin lasts, and pass. The stopped run, resumed once its
# lease has been expired for longer than the margin, must fail naming the lapse, not what its test
# saw, and leave no namespace or lease behind.
# Usage: scripts/stopped-run-check.sh        (the local cluster must be up: make cluster-up)
set -euo pipefail
cd "$(dirname "$0")/.."
source localcluster/lib/common.sh
source localcluster/lib/proc.sh
say() { printf '[stopped-run %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
kubeconfig=$(lc_kubeconfig admin)
k() { lc_kubectl "$@"; }
VENV=${VENV:-.venv}
DURATION=30 MARGIN=60       # fixtures/coordination/leases.py: DURATION_S, GONE_MARGIN_S
work=$(mktemp -d)
trap 'if pid=$(lc_recorded_pid "$work/stopped.pid"); then kill -CONT -- "-$pid"; kill -KILL -- "-$pid"; fi 2>/dev/null; rm -rf "$work"' EXIT

say "a run of the liveness test (P1, about 150 s) starts"
setsid "$VENV/bin/pytest" suites -k liveness_exec -p no:cacheprovider --kubeconfig "$kubeconfig" \
  >"$work/stopped.log" 2>&1 </dev/null &
lc_record_pid "$work/stopped.pid" $!
run="" deadline=$((SECONDS + 120))
until [ -n "$run" ] && [ -n "$(k get namespaces -l "pod-conformance/run-id=$run" -o name)" ]; do
  run=$(sed -n 's/^pod-conformance run id: //p' "$work/stopped.log")
  lc_recorded_pid "$work/stopped.pid" >/dev/null || { tail -20 "$work/stopped.log" >&2; say "ERROR: the run ended early"; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { say "ERROR: the run made no namespace within 120 s"; exit 1; }
  sleep 1
done
sleep 5
kill -STOP -- "-$(lc_recorded_pid "$work/stopped.pid")"
stopped_at=$SECONDS
say "run $run stopped (SIGSTOP to its process group) in its test; waiting past its lease's ${DURATION} s"
sleep $((DURATION + 5))

say "a second run starts, within the margin (${MARGIN} s past the lease's expiry)"
make -s test REPORTS="${REPORTS:-reports}/stopped-run" PYTEST_ARGS="-k test_explain_pods_describes" >"$work/second.log" 2>&1 \
  || { tail -30 "$work/second.log" >&2; say "ERROR: the second run failed"; exit 1; }
if grep -E "removed (namespace|lease).*$run" "$work/second.log" >&2; then
  say "ERROR: the second run swept the stopped run within the margin"; exit 1
fi
[ -n "$(k get namespaces -l "pod-conformance/run-id=$run" -o name)" ] || { say "ERROR: the stopped run's namespace is gone"; exit 1; }
[ $((SECONDS - stopped_at)) -lt $((DURATION + MARGIN)) ] \
  || { say "ERROR: the second run ended past the margin ($((SECONDS - stopped_at)) s): nothing shown"; exit 1; }
say "the second run passed and swept nothing of run $run ($((SECONDS - stopped_at)) s after the stop)"

sleep $((DURATION + MARGIN + 5 - (SECONDS - stopped_at)))
say "the stopped run resumes ($((SECONDS - stopped_at)) s after the stop)"
kill -CONT -- "-$(lc_recorded_pid "$work/stopped.pid")"
deadline=$((SECONDS + 300))
while lc_recorded_pid "$work/stopped.pid" >/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || { say "ERROR: the resumed run did not end within 300 s"; exit 1; }
  sleep 1
done
failed=$(grep -E "^FAILED .*liveness_exec" "$work/stopped.log" || true)
lapse=$(grep -m1 -E "^this run's lease on the cluster lapsed at " "$work/stopped.log" || true)
[ -n "$failed" ] && [ -n "$lapse" ] || { tail -40 "$work/stopped.log" >&2; say "ERROR: the resumed run did not fail naming the lapse"; exit 1; }
say "the resumed run failed with: $lapse"
left=$(k get namespaces -l "pod-conformance/run-id=$run" -o name; k -n pod-conformance-system get leases -o name | grep -F -- "-$run-" || true)
[ -z "$left" ] || { say "ERROR: the stopped run left: $left"; exit 1; }
say "a stopped run lapses, is swept by nobody within the margin, and leaves nothing behind"
