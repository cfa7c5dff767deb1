LAB_WHAT="kube-controller-manager stopped: no EndpointSlices, no taint eviction, no namespace cleanup"
LAB_CAUSE='EndpointSlice|endpoints'
LAB_TESTS=(suites/test_runtime.py suites/test_labels.py suites/test_probes.py)
lab_break() { lc_stop kube-controller-manager; }
