LAB_WHAT="kubelet built with a planted regression: containers' termination messages are dropped"
LAB_CAUSE='termination message'
LAB_TESTS=(suites/test_lifecycle.py::test_a_container_that_ended_says_why_in_its_termination_message)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-drops-termination-messages.patch; }
lab_restore() { lc_lab_unplant kubelet; }
