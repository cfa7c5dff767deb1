LAB_WHAT="kube-controller-manager built with a planted regression: the taint manager evicts at once, whatever a pod's tolerationSeconds"
LAB_CAUSE='tolerationSeconds'
LAB_TESTS=(suites/test_scheduling.py::test_a_noexecute_taint_evicts_a_pod_after_its_toleration_seconds_and_removing_it_cancels_that)
lab_break() { lc_lab_plant kube-controller-manager localcluster/lab/plants/taint-manager-ignores-toleration-seconds.patch; }
lab_restore() { lc_lab_unplant kube-controller-manager; }
