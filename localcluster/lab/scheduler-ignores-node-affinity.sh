LAB_WHAT="kube-scheduler run with a profile that disables NodeAffinity: nodeSelector is ignored"
LAB_CAUSE="misplaced|node affinity/selector|was scheduled on"
LAB_TESTS=(suites/test_scheduling.py suites/test_lifecycle.py)
lab_break() {
  local conf="$LC_STATE/lab-scheduler.yaml"
  cat > "$conf" <<YAML
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection: {kubeconfig: $(lc_kubeconfig scheduler)}
leaderElection: {leaderElect: false}
profiles:
- schedulerName: default-scheduler
  plugins:
    multiPoint:
      disabled: [{name: NodeAffinity}]
YAML
  lc_stop kube-scheduler
  lc_start kube-scheduler -- "$(lc_bin_dir "$LC_KUBE_VERSION")/kube-scheduler" --config "$conf" \
    --authentication-kubeconfig="$(lc_kubeconfig scheduler)" --authorization-kubeconfig="$(lc_kubeconfig scheduler)" \
    --bind-address=127.0.0.1 --profiling=false
  lc_wait kube-scheduler "healthy on 127.0.0.1:10259" 90 curl -sfk https://127.0.0.1:10259/healthz
}
# The scheduler of up.sh comes back with its own flags.
lab_restore() { lc_stop kube-scheduler; rm -f "$LC_STATE/lab-scheduler.yaml"; }
