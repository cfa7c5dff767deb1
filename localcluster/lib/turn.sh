# A turn beside the suite's runs (fixtures/leases.py), for a script that needs the nodes as they
# are: the ready gate, and resuming a kubelet that a disruptive test left paused. While a run is
# in a test that changes nodes (it holds the lease `exclusive`), such a script waits; while the
# script holds its turn, no run starts one. The script is one more member, with a lease of its
# own marked shared, written before `exclusive` is read (the runs' order). Source after common.sh
# and proc.sh, do not run; lc_turn_kubectl may be redefined after sourcing (kind/up.sh does).

LC_TURN_NS=pod-conformance-system
LC_TURN_WAIT_S=1800       # longer than a run's tests that change nodes take, all of them together
LC_TURN_RUN=""
LC_TURN_DIR=""
LC_TURN_RENEWER=""

lc_turn_kubectl() { lc_kubectl "$@"; }

# lc_turn_take WHO: waits for the turn; it lasts until lc_turn_give or the script's exit.
lc_turn_take() {
  local who=$1 start=$SECONDS next_note=$((SECONDS + 15)) holder out
  LC_TURN_RUN=$who-$(date +%s)-$$
  lc_turn_sweep
  LC_TURN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/localcluster-turn.XXXXXX")
  lc_record_pid "$LC_TURN_DIR/owner" $$
  trap lc_turn_give EXIT
  trap 'exit 130' INT TERM
  if ! lc_turn_kubectl get namespace "$LC_TURN_NS" >/dev/null 2>&1; then
    out=$(lc_turn_kubectl create namespace "$LC_TURN_NS" 2>&1) || grep -q AlreadyExists <<<"$out" \
      || lc_die "cannot make namespace $LC_TURN_NS for the runs' turns: $out"
  fi
  lc_turn_write false || lc_die "cannot write lease $LC_TURN_NS/$(lc_turn_lease)"
  ( while [ ! -e "$LC_TURN_DIR/stop" ]; do
      for _ in 1 2 3 4 5; do [ -e "$LC_TURN_DIR/stop" ] || sleep 1; done
      [ -e "$LC_TURN_DIR/stop" ] || lc_turn_write >/dev/null 2>&1 || true
    done ) 8>&- &
  LC_TURN_RENEWER=$!
  while :; do
    if holder=$(lc_turn_exclusive_holder) && [ -z "$holder" ]; then
      lc_turn_write true || lc_die "cannot write lease $LC_TURN_NS/$(lc_turn_lease)"
      if holder=$(lc_turn_exclusive_holder) && [ -z "$holder" ]; then
        [ $((SECONDS - start)) -lt 2 ] || lc_log "$who: our turn beside the suite's runs, after $((SECONDS - start)) s"
        return 0
      fi
      lc_turn_write false || true
    fi
    [ $((SECONDS - start)) -lt "$LC_TURN_WAIT_S" ] \
      || lc_die "$who waited ${LC_TURN_WAIT_S} s for its turn: ${holder:-the lease exclusive} still holds the cluster alone (leases in namespace $LC_TURN_NS)"
    if [ "$SECONDS" -ge "$next_note" ]; then
      lc_log "$who waits while a run of the suite changes nodes: ${holder:-the lease exclusive cannot be read} ($((SECONDS - start)) s)"
      next_note=$((SECONDS + 15))
    fi
    sleep 1
  done
}

lc_turn_give() {
  [ -n "$LC_TURN_DIR" ] || return 0
  touch "$LC_TURN_DIR/stop"
  [ -z "$LC_TURN_RENEWER" ] || wait "$LC_TURN_RENEWER" 2>/dev/null || true
  lc_turn_kubectl -n "$LC_TURN_NS" delete lease "$(lc_turn_lease)" --ignore-not-found >/dev/null 2>&1 || true
  rm -rf "$LC_TURN_DIR"
  LC_TURN_DIR="" LC_TURN_RENEWER=""
}

# A script killed (SIGKILL) in its turn leaves its directory: it goes once that script is gone.
lc_turn_sweep() {
  local dir
  for dir in "${TMPDIR:-/tmp}"/localcluster-turn.*; do
    [ -f "$dir/owner" ] && ! lc_recorded_pid "$dir/owner" >/dev/null && rm -rf "$dir"
  done
  return 0
}

lc_turn_lease() { echo "run-$LC_TURN_RUN-script"; }

# lc_turn_exclusive_holder: prints the holder of `exclusive` while it is held, unexpired, by a run;
# fails when the lease cannot be read.
lc_turn_exclusive_holder() {
  local out holder renew duration
  out=$(lc_turn_kubectl -n "$LC_TURN_NS" get lease exclusive --ignore-not-found \
    -o 'jsonpath={.spec.holderIdentity}|{.spec.renewTime}|{.spec.leaseDurationSeconds}') || return 1
  IFS='|' read -r holder renew duration <<<"$out"
  [ -n "$holder" ] && [ -n "$renew" ] || return 0
  # Expiry as the runs judge it: renewed more than its duration ago.
  [ $(($(date -d "$renew" +%s) + ${duration:-30})) -ge "$(date +%s)" ] || return 0
  echo "$holder"
}

# lc_turn_write [SHARED]: (re)writes this script's lease, renewed now, marked SHARED (true or
# false; without it, as last marked). The renewer and the script write under one lock, so the
# last write always carries the last mark.
lc_turn_write() {
  (
    flock 9
    [ $# = 0 ] || echo "$1" > "$LC_TURN_DIR/shared"
    lc_turn_kubectl apply -f - >/dev/null <<YAML
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: $(lc_turn_lease)
  namespace: $LC_TURN_NS
  labels: {pod-conformance/run-id: $LC_TURN_RUN}
  annotations: {pod-conformance/shared: "$(cat "$LC_TURN_DIR/shared")"}
spec: {holderIdentity: $LC_TURN_RUN/script, leaseDurationSeconds: 30, renewTime: "$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)"}
YAML
  ) 9>"$LC_TURN_DIR/lock"
}
