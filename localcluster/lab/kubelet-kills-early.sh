LAB_WHAT="kubelet built with a planted regression: SIGKILL comes at the least grace period (2 s), whatever a container's"
LAB_CAUSE='before its grace period|lived .* after SIGTERM until its SIGKILL'
LAB_TESTS=(suites/test_runtime.py::test_a_process_ignoring_sigterm_is_killed_after_the_grace_period)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-kills-early.patch; }
lab_restore() { lc_lab_unplant kubelet; }
