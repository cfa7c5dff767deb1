LAB_WHAT="the kubelet of one worker (k8s-node2) stopped: the node goes NotReady"
LAB_CAUSE='NotReady|not Ready|Ready=|Ready (False|Unknown)'
LAB_TESTS=(suites/test_scheduling.py)
lab_break() {
  lc_stop kubelet-k8s-node2
  # The node controller marks it NotReady after its grace period (20 s here, localcluster/lib/controlplane.sh).
  local i; for i in $(seq 1 60); do
    [ "$(lc_kubectl get node k8s-node2 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" != True ] && return 0
    sleep 2
  done
  lc_die "k8s-node2 still Ready 120 s after its kubelet stopped"
}
