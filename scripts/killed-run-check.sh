#!/usr/bin/env bash
# Proves that a run killed with SIGKILL in the middle of changing nodes leaves nothing behind once
# one normal run has followed it. Twice, on the local cluster: killed while a node carries a
# taint or label of the suite's, and killed while a kubelet is paused by the disruptive test.
# After each kill it reports what the killed run left; after the next run (one short test, started
# at once: make test, and pytest alone after the kubelet's kill) it requires: no test namespace, every node's labels, taints and
# annotations as before, no paused kubelet, no file of the cluster's credentials left in the
# temporary directory (the client writes the kubeconfig's keys to files).
# Usage: scripts/killed-run-check.sh        (the local cluster must be up: make cluster-up)
set -euo pipefail
cd "$(dirname "$0")/.."
source localcluster/lib/common.sh
source localcluster/lib/proc.sh
say() { printf '[killed-run %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
kubeconfig=$(lc_kubeconfig admin)
k() { lc_kubectl "$@"; }
k get --raw /readyz >/dev/null 2>&1 || lc_die "the local cluster does not answer: start it first (make cluster-up)"
VENV=${VENV:-.venv}
work=$(mktemp -d)
touch "$work/started"
victim_pid=""
trap 'stop_victim; rm -rf "$work"' EXIT

# Labels, taints and annotations of every node, minus what the kubelet and controllers keep
# changing on their own (the node-lifecycle taints of a NotReady node are waited out below).
node_state() {
  k get nodes -o json | "$VENV/bin/python" -c '
import json, sys
for n in sorted(json.load(sys.stdin)["items"], key=lambda n: n["metadata"]["name"]):
    m = n["metadata"]
    print(m["name"], "labels", json.dumps(m.get("labels", {}), sort_keys=True))
    taints = sorted((t["key"], t.get("value") or "", t["effect"]) for t in n["spec"].get("taints", []))
    print(m["name"], "taints", json.dumps([t for t in taints if not t[0].startswith("node.kubernetes.io/")]))
    print(m["name"], "controller-taints", json.dumps([t for t in taints if t[0].startswith("node.kubernetes.io/")]))
    ann = {k: v for k, v in m.get("annotations", {}).items() if not k.startswith(("node.alpha.kubernetes.io/ttl", "volumes.kubernetes.io"))}
    print(m["name"], "annotations", json.dumps(ann, sort_keys=True))'
}
# The killed run's own namespaces (other runs may be using the cluster meanwhile).
victim_run=""
test_namespaces() { [ -z "$victim_run" ] || k get namespaces -l "pod-conformance/run-id=$victim_run" -o name; }
paused_kubelets() {
  local node pid
  for node in "${LC_NODES[@]}"; do
    pid=$(lc_daemon_pid "kubelet-$node") || continue
    [ "$(lc_proc_state "$pid")" = T ] && echo "kubelet-$node"
  done
  return 0
}
stop_victim() {
  [ -n "$victim_pid" ] || return 0
  local pid
  if pid=$(lc_recorded_pid "$work/victim.pid"); then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  victim_pid=""
}

# kill_when WHAT CHECK...: starts the node-changing tests, SIGKILLs the whole run once CHECK
# succeeds; fails when the run ends first or nothing happens within 240 s.
kill_when() {
  local what=$1; shift
  say "starting a run of the node-mutating and disruptive tests; it is killed once $what"
  setsid "$VENV/bin/pytest" suites -m "node_mutation or disruptive" -p no:cacheprovider \
    --kubeconfig "$kubeconfig" >"$work/victim.log" 2>&1 </dev/null &
  victim_pid=$!
  lc_record_pid "$work/victim.pid" "$victim_pid"
  local deadline=$((SECONDS + 240))
  victim_run=""
  until [ -n "$victim_run" ] && "$@"; do
    victim_run=$(sed -n 's/^pod-conformance run id: //p' "$work/victim.log")
    lc_recorded_pid "$work/victim.pid" >/dev/null || { say "ERROR: the run ended before $what"; tail -20 "$work/victim.log" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { say "ERROR: not seen within 240 s: $what"; exit 1; }
    sleep 0.5
  done
  stop_victim
  say "killed run $victim_run (SIGKILL to its process group) once $what"
}
# Labels and taints, without the taints the node controller puts on a node that stops reporting.
labels_and_taints() { grep -E '^[^ ]+ (labels|taints) ' <<<"$1"; }
node_changed() { [ "$(labels_and_taints "$(node_state)")" != "$(labels_and_taints "$before")" ]; }
kubelet_paused() { [ -n "$(paused_kubelets)" ]; }

# Files with a certificate or key, made since this check started (a killed run's are in its run
# directory, which the next run removes).
credential_files() {
  find "${TMPDIR:-/tmp}" -maxdepth 3 -type f -newer "$work/started" -not -path "$work/*" \
    -exec grep -l -e "-----BEGIN" {} + 2>/dev/null || true
}
report_left() {
  local ns paused diff
  ns=$(test_namespaces | tr '\n' ' ')
  paused=$(paused_kubelets | tr '\n' ' ')
  diff=$(diff <(echo "$before") <(node_state) | grep '^>' | cut -c3- || true)
  say "$1: test namespaces: ${ns:-none}; paused kubelets: ${paused:-none}; credential files: $(credential_files | wc -l)"
  say "$1: nodes differing from before: ${diff:-none}"
}

# A killed run's processes are gone from this host: the next run takes it for gone at once, with
# its Leases not yet expired (fixtures/coordination/leases.py). `follow_up_run pytest`: the suite
# started with pytest alone, as on a cluster given by kubeconfig, with no cluster-up before it
# (which resumes the local cluster's paused kubelets on its own): the run itself must do it.
follow_up_run() {
  local how=${1:-make}
  say "one normal run follows at once: $how with one short test"
  if [ "$how" = make ]; then
    make -s test REPORTS="${REPORTS:-reports}/killed-run" PYTEST_ARGS="-k test_explain_pods_describes" >"$work/follow.log" 2>&1
  else
    "$VENV/bin/pytest" suites -k test_explain_pods_describes -p no:cacheprovider --kubeconfig "$kubeconfig" >"$work/follow.log" 2>&1
  fi || { tail -30 "$work/follow.log" >&2; say "ERROR: the run after the killed one failed"; exit 1; }
  grep -E "housekeeping|removed|restored|resumed|left paused|->" "$work/follow.log" | sed 's/^/    /' >&2 || true
}

# Node taints of a NotReady node (left by the paused kubelet) go once it reports again.
settled() {
  [ "$(node_state)" = "$before" ] && [ -z "$(test_namespaces)" ] && [ -z "$(paused_kubelets)" ] && [ -z "$(credential_files)" ]
}

check_clean() {
  local deadline=$((SECONDS + 90))
  until settled; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      report_left "NOT CLEAN after the next run"; credential_files | sed 's/^/    credentials left: /' >&2; exit 1
    fi
    sleep 2
  done
  say "clean after the next run: no test namespace, nodes as before, no paused kubelet, no credential file"
}

before=$(node_state)

kill_when "a node carries a label or taint of the suite's" node_changed
report_left "left by the killed run"
follow_up_run
check_clean

kill_when "a kubelet is paused" kubelet_paused
report_left "left by the killed run"
follow_up_run pytest
grep -q "resumed node k8s-node[0-9]'s kubelet: a process that ended had paused it" "$work/follow.log" \
  || { say "ERROR: the run after the killed one did not say it resumed the paused kubelet"; exit 1; }
check_clean
say "killed runs leave nothing behind"
