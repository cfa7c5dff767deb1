LAB_WHAT="kube-controller-manager built with a planted regression: the EndpointSlice controller lists a terminating pod as not serving, whatever its readiness"
LAB_CAUSE='serving'
LAB_TESTS=(suites/test_probes.py::test_a_terminating_pod_is_listed_terminating_serving_while_its_readiness_probe_passes)
lab_break() { lc_lab_plant kube-controller-manager localcluster/lab/plants/endpointslices-never-serving-while-terminating.patch; }
lab_restore() { lc_lab_unplant kube-controller-manager; }
