LAB_WHAT="kubelet built with a planted regression: activeDeadlineSeconds is never enforced"
LAB_CAUSE='activeDeadlineSeconds'
LAB_TESTS=(suites/test_lifecycle.py::test_active_deadline_seconds_ends_a_running_pod_failed_deadline_exceeded_in_time)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-ignores-active-deadline.patch; }
lab_restore() { lc_lab_unplant kubelet; }
