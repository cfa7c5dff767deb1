LAB_WHAT="kubelet built with a planted regression: SIGKILL comes at twice a container's grace period"
LAB_CAUSE='lived .* after SIGTERM until its SIGKILL'
LAB_TESTS=(suites/test_runtime.py::test_a_process_ignoring_sigterm_is_killed_after_the_grace_period)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-kills-late.patch; }
lab_restore() { lc_lab_unplant kubelet; }
