LAB_WHAT="CoreDNS stopped: cluster names do not resolve"
LAB_CAUSE='DNS name|cluster DNS|resolve'
LAB_TESTS=(suites/test_runtime.py suites/test_init_containers.py)
lab_break() { lc_stop coredns; }
