LAB_WHAT="kube-controller-manager run without its EndpointSlice controller: Services get no endpoints"
LAB_CAUSE='EndpointSlice'
LAB_TESTS=(suites/test_runtime.py suites/test_labels.py suites/test_probes.py)
lab_break() {
  lc_stop kube-controller-manager
  # In a subshell: the setting must not outlive the breakage (up.sh restores the cluster).
  (export LC_CONTROLLERS='*,-endpointslice-controller'; lc_controlplane_up)
}
# up.sh starts the controller-manager again with every controller.
lab_restore() { lc_stop kube-controller-manager; }
