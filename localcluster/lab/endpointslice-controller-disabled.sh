LAB_WHAT="kube-controller-manager run without its EndpointSlice controller: Services get no endpoints"
LAB_CAUSE='EndpointSlice'
LAB_TESTS=(suites/test_runtime.py suites/test_labels.py suites/test_probes.py)
# Two of the tests that fail on it (MUTANTS_SHORT=1): the modules take about 3 min, these under one.
LAB_SHORT=(suites/test_runtime.py::test_myweb1_runs_ready_and_serves_the_nginx_page_through_myweb_svc
           suites/test_labels.py::test_label_pod_manifest_creates_three_pods_that_infra_svc1_selects)
lab_break() {
  lc_stop kube-controller-manager
  # In a subshell: the setting must not outlive the breakage (up.sh restores the cluster).
  (export LC_CONTROLLERS='*,-endpointslice-controller'; lc_controlplane_up)
}
# up.sh starts the controller-manager again with every controller.
lab_restore() { lc_stop kube-controller-manager; }
