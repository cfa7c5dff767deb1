LAB_WHAT="kube-controller-manager built with a planted regression: the taint manager evicts every pod of a NoExecute-tainted node, tolerated or not"
LAB_CAUSE='evicted by the taint manager although it tolerates'
LAB_TESTS=(suites/test_scheduling.py::test_a_noexecute_taint_evicts_running_pods_that_do_not_tolerate_it)
lab_break() { lc_lab_plant kube-controller-manager localcluster/lab/plants/taint-manager-ignores-tolerations.patch; }
lab_restore() { lc_lab_unplant kube-controller-manager; }
