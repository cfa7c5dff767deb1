LAB_WHAT="kube-proxy stopped on every node: new Services get no forwarding rules"
LAB_CAUSE='ClusterIP|kube-proxy'
LAB_TESTS=(suites/test_runtime.py suites/test_init_containers.py)
lab_break() { local n; for n in "${LC_NODES[@]}"; do lc_stop "kube-proxy-$n"; done; }
