LAB_WHAT="kubelet built with a planted regression: preStop hooks are never run"
LAB_CAUSE='preStop hook left no trace'
LAB_TESTS=(suites/test_runtime.py::test_the_prestop_hook_runs_before_sigterm)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-skips-prestop-hooks.patch; }
lab_restore() { lc_lab_unplant kubelet; }
