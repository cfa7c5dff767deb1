# The ready gate: the cluster is handed out only once it does what a cluster must. Each check
# names the component to look at when it fails. Source, do not run.

# Each gate uses a namespace of its own, so that a gate run right after another (two cluster-up
# or make test in a row) never meets the previous one's namespace while it is being deleted.
LC_GATE_LABEL=localcluster/gate
LC_GATE_NS=""

# lc_gate_check COMPONENT WHAT TIMEOUT COMMAND...: like lc_wait, for cluster-level checks.
lc_gate_check() {
  local component=$1 what=$2 timeout=$3; shift 3
  local start=$SECONDS out
  until out=$("$@" 2>&1); do
    if [ $((SECONDS - start)) -ge "$timeout" ]; then
      printf '[localcluster] ready gate: %s failed after %ss; last output:\n%s\n' "$what" "$timeout" "$out" | sed '3,$s/^/    | /' >&2
      lc_fail_component "$component" "$what"
    fi
    sleep 2
  done
  lc_log "gate: $what"
}

lc_gate_pod_ready() {
  [ "$(lc_kubectl -n "$LC_GATE_NS" get pod "gate-$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ] \
    || { lc_kubectl -n "$LC_GATE_NS" describe pod "gate-$1" | tail -n 15; return 1; }
}

lc_gate_exec() { lc_kubectl -n "$LC_GATE_NS" exec "gate-$1" -- "${@:2}"; }

lc_gate_http() { lc_gate_exec "$1" curl -sS --max-time 5 "$2" | grep "Welcome to nginx" >/dev/null; }

lc_gate() {
  local node workers=("${LC_NODES[@]:1}")
  for node in "${LC_NODES[@]}"; do
    lc_gate_check "kubelet-$node" "node $node is Ready" 180 lc_nodes_ready_one "$node"
  done
  LC_GATE_NS=localcluster-gate-$(date +%s)-$$
  lc_gate_check kube-apiserver "the gate's namespace $LC_GATE_NS is created" 30 lc_gate_namespace
  for node in "${workers[@]}"; do
    lc_kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: gate-$node, namespace: $LC_GATE_NS, labels: {app: gate}}
spec:
  nodeSelector: {kubernetes.io/hostname: $node}
  # The gate asks whether each node runs pods, not what its taints allow: a run of the suite
  # killed while it held a node tainted leaves the taint for the next run to mend, after the gate.
  tolerations: [{operator: Exists}]
  terminationGracePeriodSeconds: 0
  containers: [{name: web, image: nginx:1.25.3, readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}}]
YAML
  done
  lc_kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: gate, namespace: $LC_GATE_NS}
spec: {selector: {app: gate}, ports: [{port: 80}]}
YAML
  for node in "${workers[@]}"; do
    lc_gate_check "kubelet-$node" "a pod runs on $node" 180 lc_gate_pod_ready "$node"
  done
  local from=${workers[0]} to=${workers[1]} to_ip svc_ip
  to_ip=$(lc_kubectl -n "$LC_GATE_NS" get pod "gate-$to" -o jsonpath='{.status.podIP}')
  lc_gate_check "kube-proxy-$from" "a pod on $from reaches a pod on $to by IP ($to_ip)" 60 \
    lc_gate_http "$from" "http://$to_ip/"
  svc_ip=$(lc_kubectl -n "$LC_GATE_NS" get svc gate -o jsonpath='{.spec.clusterIP}')
  lc_gate_check "kube-proxy-$from" "a pod on $from reaches the gate Service by ClusterIP ($svc_ip)" 60 \
    lc_gate_http "$from" "http://$svc_ip/"
  lc_gate_check coredns "kubernetes.default.svc.cluster.local resolves from a pod" 60 \
    lc_gate_exec "$from" getent hosts kubernetes.default.svc.cluster.local
  lc_gate_check coredns "a pod reaches the gate Service by its DNS name" 60 \
    lc_gate_http "$from" "http://gate.$LC_GATE_NS.svc.cluster.local/"
  lc_gate_sweep
}

lc_gate_namespace() {
  lc_kubectl create namespace "$LC_GATE_NS" && lc_kubectl label namespace "$LC_GATE_NS" "$LC_GATE_LABEL=" >/dev/null
}

# Earlier gates' namespaces (all of them labelled) go; their deletion is not waited for.
lc_gate_sweep() { lc_kubectl delete namespace -l "$LC_GATE_LABEL" --wait=false >/dev/null 2>&1 || true; }

lc_nodes_ready_one() {
  local status
  status=$(lc_kubectl get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>&1) || { echo "$status"; return 1; }
  [ "$status" = True ] || { echo "node $1 Ready=${status:-not registered}"; return 1; }
}

lc_node_at_version() {
  local got
  got=$(lc_kubectl get node "$1" -o jsonpath='{.status.nodeInfo.kubeletVersion} {.status.conditions[?(@.type=="Ready")].status}') || return 1
  [ "$got" = "$2 True" ] || { echo "node $1: kubelet and Ready: $got"; return 1; }
}
