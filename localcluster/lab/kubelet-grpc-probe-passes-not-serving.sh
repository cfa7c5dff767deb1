LAB_WHAT="kubelet built with a planted regression: a gRPC probe passes whatever status the health service answers"
LAB_CAUSE='gRPC'
LAB_TESTS=(suites/test_probes.py)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-grpc-probe-passes-not-serving.patch; }
lab_restore() { lc_lab_unplant kubelet; }
