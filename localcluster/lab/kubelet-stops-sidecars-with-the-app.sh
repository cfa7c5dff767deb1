LAB_WHAT="kubelet built with a planted regression: a deleted pod's native sidecars are stopped with its app containers, not after them"
LAB_CAUSE='sidecar'
LAB_TESTS=(suites/test_sidecars.py::test_on_deletion_a_native_sidecar_stops_after_the_app_container)
lab_break() { lc_lab_plant kubelet localcluster/lab/plants/kubelet-stops-sidecars-with-the-app.patch; }
lab_restore() { lc_lab_unplant kubelet; }
