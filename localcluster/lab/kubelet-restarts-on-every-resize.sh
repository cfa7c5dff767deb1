LAB_WHAT="kubelet built with a planted regression: an in-place resize restarts the container whatever its resizePolicy"
LAB_CAUSE='resize restarted the container'
LAB_TESTS=(suites/test_runtime.py::test_a_cpu_resize_with_resize_policy_not_required_applies_without_a_restart)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-restarts-on-every-resize.patch; }
lab_restore() { lc_lab_unplant kubelet; }
