# Starting, watching and stopping the cluster's daemons. Source, do not run.
# Each daemon NAME logs to $LC_STATE/logs/NAME.log and records "PID STARTTIME" in
# $LC_STATE/pids/NAME.pid. A pid is signalled only while the process with that pid still has
# that start time (field 22 of /proc/PID/stat): pid files outlive reboots and killed runs, and
# a reused pid belongs to someone else.

lc_log_file() { echo "$LC_STATE/logs/$1.log"; }
lc_pid_file() { echo "$LC_STATE/pids/$1.pid"; }

# lc_proc_start_time PID: the process's start time in clock ticks since boot, or nothing.
lc_proc_start_time() {
  local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }                      # the command name may hold spaces: skip past it
  set -- $stat
  echo "${20}"                           # field 22 overall; field 3 (state) is $1 here
}

# lc_proc_state PID: the one-letter state (R, S, T for stopped, ...).
lc_proc_state() { local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; stat=${stat##*) }; echo "${stat%% *}"; }

# lc_record_pid FILE PID: remember a process of ours.
lc_record_pid() { echo "$2 $(lc_proc_start_time "$2")" > "$1"; }

# lc_recorded_pid FILE: the recorded pid, if that very process still runs; else fails.
lc_recorded_pid() {
  local pid started
  [ -f "$1" ] && read -r pid started < "$1" || return 1
  [ -n "$pid" ] && [ -n "$started" ] || return 1
  [ "$(lc_proc_start_time "$pid")" = "$started" ] || return 1
  echo "$pid"
}

lc_daemon_pid() { lc_recorded_pid "$(lc_pid_file "$1")"; }
lc_running() { lc_daemon_pid "$1" >/dev/null; }

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
  # fd 8 is the lock of lc_serialize: a daemon that kept it would hold it for its whole life.
  setsid "${prefix[@]}" "$@" >> "$(lc_log_file "$name")" 2>&1 < /dev/null 8>&- &
  lc_record_pid "$(lc_pid_file "$name")" $!
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

# lc_stop NAME: SIGTERM, then SIGKILL after 10 s; the daemon's whole session goes. A pid file
# whose process is gone, or is now another process, is only removed.
lc_stop() {
  local pidf pid i; pidf=$(lc_pid_file "$1")
  if pid=$(lc_recorded_pid "$pidf"); then
    kill -CONT "$pid" 2>/dev/null || true          # a stopped (paused) daemon cannot act on TERM
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 20); do lc_recorded_pid "$pidf" >/dev/null || break; sleep 0.5; done
    if lc_recorded_pid "$pidf" >/dev/null; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidf"
}

# lc_resume_paused NAME...: a daemon left stopped (SIGSTOP) by a disruptive test whose run was
# killed before it could resume it goes on, with a line saying so. Call it in a turn beside the
# suite's runs (turn.sh): a live run's paused kubelet is not to be resumed.
lc_resume_paused() {
  local name pid
  for name in "$@"; do
    pid=$(lc_daemon_pid "$name") || continue
    if [ "$(lc_proc_state "$pid")" = T ]; then
      kill -CONT "$pid"
      lc_log "$name (pid $pid) was left paused, likely by a killed disruptive test: resumed"
    fi
  done
}

# lc_stop_shims STATE SOCKET: containerd's shims outlive it. Each one's pid is in shim.pid of
# its task's bundle directory under that containerd's state; it is ended only while that pid is
# still a shim serving SOCKET.
lc_stop_shims() {
  local state=$1 sock=$2 f pid
  for f in "$state"/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -- "containerd-shim-runc-v2 .*-address $sock" >/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}
