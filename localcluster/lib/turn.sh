# A script's turn among the suite's runs (the lease protocol of fixtures/coordination, through
# its command line): beside them for a script that needs the nodes as they are, or with the
# cluster alone for one that breaks or recreates it. The turn lasts until lc_turn_give or the
# script's exit; a script run inside an alone turn (and the tests it starts) is part of it.
# Source after common.sh and proc.sh, do not run. LC_TURN_KUBECONFIG (and LC_TURN_CONTEXT) name the
# cluster: the local cluster's admin kubeconfig by default.

LC_TURN_DIR=""

LC_TURN_TOP=${LC_TURN_TOP:-$(cd "$LC_ROOT/.." && pwd)}

lc_turn_venv() {
  [ -f "$LC_TURN_TOP/.venv/.installed" ] || "$LC_TURN_TOP/scripts/make-venv.sh" "$LC_TURN_TOP/.venv" >&2 \
    || lc_die "cannot make the suite's venv"
}

lc_turn_python() { lc_turn_venv; PYTHONPATH="$LC_TURN_TOP" "$LC_TURN_TOP/.venv/bin/python" -m fixtures.coordination "$@"; }

# lc_turn_take WHO [alone]: waits for the turn, saying whom it waits for.
lc_turn_take() {
  local who=$1 mode=${2:-shared} holder pid flag=()
  [ "$mode" = alone ] && flag=(--alone)
  [ -z "$LC_TURN_DIR" ] || lc_die "$who: this script holds a turn already"
  lc_turn_sweep
  LC_TURN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/localcluster-turn.XXXXXX")
  lc_record_pid "$LC_TURN_DIR/owner" $$
  trap lc_turn_give EXIT
  trap 'exit 130' INT TERM
  lc_turn_venv
  PYTHONPATH="$LC_TURN_TOP" "$LC_TURN_TOP/.venv/bin/python" -m fixtures.coordination hold "$who" "${flag[@]}" --parent $$ --ready "$LC_TURN_DIR/ready" \
    --kubeconfig "${LC_TURN_KUBECONFIG:-$(lc_kubeconfig admin)}" ${LC_TURN_CONTEXT:+--context "$LC_TURN_CONTEXT"} 8>&- &
  pid=$!
  lc_record_pid "$LC_TURN_DIR/holder" $pid
  until [ -s "$LC_TURN_DIR/ready" ]; do
    lc_recorded_pid "$LC_TURN_DIR/holder" >/dev/null || { wait $pid || true; lc_die "$who: no turn on the cluster (the lines above say why)"; }
    sleep 0.2
  done
  holder=$(cat "$LC_TURN_DIR/ready")
  [ "$mode" = alone ] && export POD_CONFORMANCE_INSIDE=$holder
  return 0
}

lc_turn_give() {
  [ -n "$LC_TURN_DIR" ] || return 0
  local pid
  if pid=$(lc_recorded_pid "$LC_TURN_DIR/holder"); then
    kill -TERM "$pid" 2>/dev/null || true
    while lc_recorded_pid "$LC_TURN_DIR/holder" >/dev/null; do sleep 0.2; done
  fi
  rm -rf "$LC_TURN_DIR"
  LC_TURN_DIR=""
}

# A script killed (SIGKILL) in its turn leaves its directory: it goes once that script is gone.
# Its holder sees the script gone and gives the turn back by itself.
lc_turn_sweep() {
  local dir
  for dir in "${TMPDIR:-/tmp}"/localcluster-turn.*; do
    [ -f "$dir/owner" ] && ! lc_recorded_pid "$dir/owner" >/dev/null && ! lc_recorded_pid "$dir/holder" >/dev/null \
      && rm -rf "$dir"
  done
  return 0
}

# lc_turn_exclusive_holder: prints the holder of `exclusive` while one holds the cluster alone.
lc_turn_exclusive_holder() {
  lc_turn_python holder --kubeconfig "${LC_TURN_KUBECONFIG:-$(lc_kubeconfig admin)}" ${LC_TURN_CONTEXT:+--context "$LC_TURN_CONTEXT"}
}
