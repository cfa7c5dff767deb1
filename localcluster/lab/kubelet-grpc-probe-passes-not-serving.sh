LAB_WHAT="kubelet built with a planted regression: a gRPC probe passes whatever status the health service answers"
LAB_CAUSE='gRPC'
LAB_TESTS=(suites/test_probes.py)
# The tests that fail on it (MUTANTS_SHORT=1): the module takes about 3 min, these about half a minute.
LAB_SHORT=(suites/test_probes.py::test_a_grpc_liveness_probe_restarts_the_container_once_it_is_not_serving
           suites/test_probes.py::test_a_grpc_readiness_probe_follows_the_health_services_status)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-grpc-probe-passes-not-serving.patch; }
lab_restore() { lc_lab_unplant kubelet; }
