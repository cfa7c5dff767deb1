# Starting, watching and stopping the cluster's daemons. Source, do not run.
# Each daemon NAME logs to $LC_STATE/logs/NAME.log and records its pid in $LC_STATE/pids/NAME.pid.

lc_log_file() { echo "$LC_STATE/logs/$1.log"; }
lc_pid_file() { echo "$LC_STATE/pids/$1.pid"; }

lc_running() {
  local pid; pid=$(cat "$(lc_pid_file "$1")" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# lc_start NAME [--netns NETNS] -- COMMAND...: start a daemon unless it already runs.
lc_start() {
  local name=$1 netns=""; shift
  if [ "$1" = --netns ]; then netns=$2; shift 2; fi
  [ "$1" = -- ] && shift
  if lc_running "$name"; then return 0; fi
  mkdir -p "$LC_STATE/logs" "$LC_STATE/pids"
  local prefix=()
  # nsenter joins only the network namespace: the daemons of a node must share the host's
  # mount namespace, or the kubelet's volume mounts would be invisible to containerd.
  [ -n "$netns" ] && prefix=(nsenter "--net=/run/netns/$netns" --)
  printf '\n==== %s started %s: %s\n' "$name" "$(date -Is)" "$*" >> "$(lc_log_file "$name")"
  setsid "${prefix[@]}" "$@" >> "$(lc_log_file "$name")" 2>&1 < /dev/null &
  echo $! > "$(lc_pid_file "$name")"
}

# lc_fail_component NAME WHAT: stop with a message naming the component, its log and the log's end.
lc_fail_component() {
  local log; log=$(lc_log_file "$1")
  {
    printf '[localcluster] ERROR: %s: %s\n' "$1" "$2"
    printf '[localcluster] log: %s (last lines follow)\n' "$log"
    tail -n 25 "$log" 2>/dev/null | sed 's/^/    | /'
  } >&2
  exit 1
}

# lc_wait NAME DESCRIPTION TIMEOUT_S COMMAND...: wait until COMMAND succeeds, failing early
# if the daemon NAME died, and naming it with its log when time runs out.
lc_wait() {
  local name=$1 what=$2 timeout=$3; shift 3
  local start=$SECONDS next_note=$((SECONDS + 15))
  until "$@" >/dev/null 2>&1; do
    lc_running "$name" || lc_fail_component "$name" "exited while waiting for: $what"
    if [ $((SECONDS - start)) -ge "$timeout" ]; then
      lc_fail_component "$name" "not $what after ${timeout}s"
    fi
    if [ "$SECONDS" -ge "$next_note" ]; then
      lc_log "still waiting for $name: $what ($((SECONDS - start))s)"; next_note=$((SECONDS + 15))
    fi
    sleep 1
  done
}

# lc_stop NAME: SIGTERM, then SIGKILL after 10 s; the daemon's whole session goes.
lc_stop() {
  local pidf pid i; pidf=$(lc_pid_file "$1")
  pid=$(cat "$pidf" 2>/dev/null) || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}
