#!/usr/bin/env bash
# Runs the images build.sh makes on a throwaway containerd of its own and
# checks that each behaves the way the guide needs. The containers share a
# private network namespace that has only a loopback interface, where a small
# helper answers DNS on 127.0.0.1:53 (like a cluster DNS: myservice resolves in
# namespace ns1, nothing else does) and HTTP on 127.0.0.1:8000; every container
# gets a pod-like resolv.conf. Builds the images first (a no-op when cached).
# Leaves no process, mount or file behind, even when a check fails.
# Usage: images/selftest.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/proc.sh"
[ "$(id -u)" = 0 ] || lc_die "images/selftest.sh must run as root (containerd)"
for tool in containerd ctr runc containerd-shim-runc-v2 python3 curl unshare nsenter ip; do
  command -v "$tool" >/dev/null || lc_die "$tool is not installed; run localcluster/install-deps.sh"
done
"$here/build.sh"
index=$LC_CACHE/images/index.tsv

ns=lc-imgtest
t=$(mktemp -d /tmp/imgtest.XXXXXX)
sock=$t/containerd.sock
containerd_pid='' helper_pid='' failed=0 bg_pids=()
c() { ctr -a "$sock" -n "$ns" "$@"; }

cleanup() {
  local id pid
  if [ -n "$containerd_pid" ]; then
    for id in $(c tasks ls -q 2>/dev/null); do c tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(c tasks ls -q 2>/dev/null); do c tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(c containers ls -q 2>/dev/null); do c containers delete "$id" >/dev/null 2>&1 || true; done
    kill "$containerd_pid" 2>/dev/null || true
    wait "$containerd_pid" 2>/dev/null || true
  fi
  for pid in "${bg_pids[@]}" $helper_pid; do kill "$pid" 2>/dev/null || true; done
  lc_stop_shims "$t/state" "$sock"
  findmnt -rn -o TARGET | grep "^$t/" | sort -r | xargs -r umount -l || true
  rmdir /sys/fs/cgroup/*/"$ns" 2>/dev/null || true
  rm -rf --one-file-system "$t"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # check DESCRIPTION COMMAND...: runs COMMAND, reports and counts the outcome.
  local what=$1; shift
  if "$@"; then lc_log "ok: $what"; return; fi
  lc_log "FAIL: $what"
  failed=$((failed + 1))
  # The output of the last container or two, which likely tells why.
  ls -t "$t"/*.out "$t"/*.err 2>/dev/null | sed -n 1,2p | xargs -r tail -n 20 >&2 || true
}
wait_until() { # wait_until SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
exits() { local want=$1 got=0; shift; "$@" || got=$?; [ "$got" = "$want" ]; }
in_netns() { nsenter --net="/proc/$helper_pid/ns/net" "$@"; }
running() { c tasks ls | grep "^$1 .*RUNNING" >/dev/null; }
out_has() { grep -q -- "$2" "$t/$1.out"; }
page_has() { in_netns curl -fsS --max-time 5 "$1" | grep -- "$2" >/dev/null; }
# run NAME IMAGE [COMMAND...]: runs a container to its end; output in $t/NAME.out
# and $t/NAME.err. COMMAND replaces the image's entrypoint and command.
run_opts=()
run() {
  local name=$1; shift
  c run --rm --with-ns "network:/proc/$helper_pid/ns/net" \
    --mount "type=bind,src=$t/resolv.conf,dst=/etc/resolv.conf,options=rbind:ro" \
    "${run_opts[@]}" "$1" "$name" "${@:2}" >"$t/$name.out" 2>"$t/$name.err"
}
# start NAME IMAGE [COMMAND...]: the same in the background; its pid is $last_pid.
start() { run "$@" & last_pid=$!; bg_pids+=("$last_pid"); }

# --- the network, a containerd of our own, every image of the index ------------

mkdir -p "$t/www"
echo "hello from the selftest" >"$t/www/page.html"
printf '%s\n' 'nameserver 127.0.0.1' 'search ns1.svc.cluster.local svc.cluster.local cluster.local' \
  'options ndots:5' >"$t/resolv.conf"
cat >"$t/helper.py" <<'EOF'
import functools, http.server, socket, struct, sys, threading
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 8000), functools.partial(Quiet, directory=sys.argv[1]))
threading.Thread(target=httpd.serve_forever, daemon=True).start()
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind(("127.0.0.1", 53))
known = ("localhost", "myservice.ns1.svc.cluster.local")
while True:
    query, peer = dns.recvfrom(512)
    i, labels = 12, []
    while query[i]:
        labels.append(query[i + 1:i + 1 + query[i]].decode().lower())
        i += 1 + query[i]
    qtype = struct.unpack("!H", query[i + 1:i + 3])[0]
    question = query[12:i + 5]
    if ".".join(labels) not in known:  # NXDOMAIN
        dns.sendto(query[:2] + struct.pack("!HHHHH", 0x8183, 1, 0, 0, 0) + question, peer)
        continue
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([127, 0, 0, 1]) if qtype == 1 else b""
    dns.sendto(query[:2] + struct.pack("!HHHHH", 0x8180, 1, 1 if answer else 0, 0, 0) + question + answer, peer)
EOF
unshare --net sh -c 'ip link set lo up && exec python3 "$@"' sh "$t/helper.py" "$t/www" 2>"$t/helper.err" &
helper_pid=$!
wait_until 10 in_netns curl -fsS http://127.0.0.1:8000/page.html ||
  { cat "$t/helper.err" >&2; lc_die "the loopback DNS/HTTP helper did not start"; }

cat >"$t/config.toml" <<EOF
version = 2
root = "$t/root"
state = "$t/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.nri.v1.nri"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$t/opt"
EOF
containerd --config "$t/config.toml" >"$t/containerd.log" 2>&1 &
containerd_pid=$!
wait_until 20 c version || { cat "$t/containerd.log" >&2; lc_die "the test containerd did not start"; }

declare -A imported=()
while IFS=$'\t' read -r ref archive; do
  if [ -z "${imported[$archive]:-}" ]; then
    name=$(c images import "$archive" | sed -n 's/^unpacking \([^ ]*\) .*/\1/p')
    [ -n "$name" ] || lc_die "importing $archive named no image"
    imported[$archive]=$name
  fi
  [ "${imported[$archive]}" = "$ref" ] || c images tag "${imported[$archive]}" "$ref" >/dev/null
done <"$index"
lc_log "imported the $(wc -l <"$index") references of $index"

# --- pause --------------------------------------------------------------------

img=registry.k8s.io/pause:3.10
run pause-v "$img" /pause -v || true
check "pause -v prints its version" out_has pause-v '^pause.c 3.10$'
start pause "$img"
check "pause keeps running" wait_until 10 running pause
c tasks kill -s SIGTERM pause >/dev/null
check "pause exits 0 on SIGTERM" wait "$last_pid"

# --- nginx --------------------------------------------------------------------

img=docker.io/library/nginx:1.25.3-alpine
start nginx "$img"
check "nginx answers on :80 with the welcome page" wait_until 20 page_has http://127.0.0.1:80/ 'Welcome to nginx!'
check "nginx's access log goes to stdout" wait_until 5 out_has nginx '"GET / HTTP/1.1" 200'
c tasks kill -s SIGQUIT nginx >/dev/null
check "nginx stops with status 0 on SIGQUIT" wait "$last_pid"

mkdir "$t/nginx-logs"
run_opts=(--mount "type=bind,src=$t/nginx-logs,dst=/var/log/nginx,options=rbind:rw")
start nginx-vol "$img"
run_opts=()
check "nginx with a volume on /var/log/nginx answers" wait_until 20 page_has http://127.0.0.1:80/ 'Welcome to nginx!'
real_log() { [ -f "$t/nginx-logs/access.log" ] && [ ! -L "$t/nginx-logs/access.log" ] &&
  grep -q 'GET / HTTP' "$t/nginx-logs/access.log"; }
check "... and writes a real access.log into that volume" wait_until 5 real_log
c tasks kill -s SIGQUIT nginx-vol >/dev/null
wait "$last_pid" || true
check "the nginx image has bash, curl, cat, tail, date" \
  run nginx-tools "$img" bash -c 'curl --version && cat /etc/nginx/conf.d/default.conf && tail --version && date'

# --- mysql --------------------------------------------------------------------

img=docker.io/library/mysql:5.7
check "mysql without a password option exits 1" exits 1 run mysql-nopw "$img" docker-entrypoint.sh mysqld
official_error() {
  local stamp='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}'
  grep -A4 'Database is uninitialized' "$t/mysql-nopw.err" >"$t/mysql-nopw.msg" &&
    head -1 "$t/mysql-nopw.msg" |
    grep -Eq "^$stamp \[ERROR\] \[Entrypoint\]: Database is uninitialized and password option is not specified$" &&
    [ "$(sed -n 2,5p "$t/mysql-nopw.msg")" = "$(printf '    %s\n' 'You need to specify one of the following:' \
      '- MYSQL_ROOT_PASSWORD' '- MYSQL_ALLOW_EMPTY_PASSWORD' '- MYSQL_RANDOM_ROOT_PASSWORD')" ]
}
check "... and prints the official error to stderr" official_error
mkdir "$t/initdb"
echo 'CREATE TABLE t (x INT); INSERT INTO t VALUES (42);' >"$t/initdb/01.sql"
run_opts=(--env MYSQL_ROOT_PASSWORD=pw --env MYSQL_DATABASE=guide --env MYSQL_USER=u --env MYSQL_PASSWORD=upw
  --mount "type=bind,src=$t/initdb,dst=/docker-entrypoint-initdb.d,options=rbind:ro")
start mysql "$img"
run_opts=()
check "mysql with MYSQL_ROOT_PASSWORD initializes and listens on :3306" \
  wait_until 120 in_netns bash -c '</dev/tcp/127.0.0.1/3306'
check "the image's mysql client runs 'select 1' as root over TCP" \
  run mysql-q "$img" mysql -h 127.0.0.1 -P 3306 -uroot -ppw -e 'select 1'
check "... as MYSQL_USER in MYSQL_DATABASE" \
  run mysql-q2 "$img" mysql -h 127.0.0.1 -P 3306 -uu -pupw guide -e 'select 1'
run mysql-q4 "$img" mysql -h 127.0.0.1 -P 3306 -uroot -ppw -N -e 'select x from guide.t' || true
check "... and sees what /docker-entrypoint-initdb.d/*.sql created" out_has mysql-q4 '^42$'
check "... and is refused with a wrong root password" \
  exits 1 run mysql-q3 "$img" mysql -h 127.0.0.1 -P 3306 -uroot -pwrong -e 'select 1'
c tasks kill -s SIGTERM mysql >/dev/null
check "mysqld stops with status 0 on SIGTERM" wait "$last_pid"

# --- curl ---------------------------------------------------------------------

img=docker.io/curlimages/curl:7.85.0
run curl-version "$img" /entrypoint.sh --version || true
check "curl's entrypoint runs curl for args starting with '-'" out_has curl-version '^curl 7'
mkdir -m 777 "$t/html"
run_opts=(--mount "type=bind,src=$t/html,dst=/usr/share/nginx/html,options=rbind:rw")
check "curl's entrypoint downloads for args [URL, -o, FILE], into a shared directory" \
  run curl-get "$img" /entrypoint.sh http://127.0.0.1:8000/page.html -o /usr/share/nginx/html/index.html
run_opts=()
downloaded() { cmp -s "$t/www/page.html" "$t/html/index.html" && [ "$(stat -c %u "$t/html/index.html")" = 100 ]; }
check "... the file is right and belongs to uid 100" downloaded
run curl-id "$img" /entrypoint.sh id || true
check "curl's entrypoint runs a command given first, as curl_user" \
  out_has curl-id 'uid=100(curl_user) gid=101(curl_group)'

# --- busybox ------------------------------------------------------------------

img=docker.io/library/busybox:1.28
check "busybox nslookup exits 0 for a service name that resolves" \
  run bb-ns1 "$img" nslookup myservice.ns1.svc.cluster.local
check "... non-zero for one that does not" exits 1 run bb-ns2 "$img" nslookup nothere.ns1.svc.cluster.local
check "... 0 for a short name completed by the search domains" run bb-ns3 "$img" nslookup myservice
check "... non-zero for a short name that does not resolve" exits 1 run bb-ns4 "$img" nslookup nothere
check "... and takes a server argument" run bb-ns5 "$img" nslookup myservice.ns1.svc.cluster.local 127.0.0.1
run bb-echo "$img" sh -c 'echo ok' || true
check "busybox sh -c 'echo ok'" out_has bb-echo '^ok$'
check "busybox has the applets the guide uses" run bb-applets "$img" sh -c \
  'for a in sh nslookup sleep echo cat touch rm date wget httpd nc ls; do command -v $a || exit 1; done'
run bb-wget "$img" wget -qO- http://127.0.0.1:8000/page.html || true
check "busybox wget fetches over HTTP" out_has bb-wget 'hello from the selftest'
check "registry.k8s.io/busybox:latest runs too" run bb-k8s registry.k8s.io/busybox:latest sh -c 'echo ok'

# --- debian -------------------------------------------------------------------

check "debian runs bash, date, cat" run debian docker.io/library/debian:10 bash -c 'date && cat /etc/debian_version'

# --- k8s-lab ------------------------------------------------------------------

img=docker.io/dbgurum/k8s-lab:initial
start k8s-lab "$img"
check "k8s-lab serves its page on :7777" wait_until 20 page_has http://127.0.0.1:7777/ 'k8s-lab'
sleep 2
check "... and keeps running" running k8s-lab
check "k8s-lab has bash, df, mount, ps" run k8s-lab-tools "$img" bash -c 'df -h / && mount && ps'

[ "$failed" = 0 ] || lc_die "$failed image check(s) failed"
lc_log "all image checks passed"
