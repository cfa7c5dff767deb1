LAB_WHAT="kubelet built with a planted regression: the containers it restarts are not counted (restartCount stays 0)"
LAB_CAUSE='restartCount stays'
LAB_TESTS=(suites/test_probes.py suites/test_init_containers.py
           -k "liveness_exec_restarts or startup_probe_that_keeps_failing or restarted_and_the_app_never_starts")
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-never-counts-restarts.patch; }
lab_restore() { lc_lab_unplant kubelet; }
