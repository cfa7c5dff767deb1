VARIANT_WHAT="two workers: k8s-node1 cordoned by its owner (k8s-node2 and k8s-node3 play the guide's three)"
VARIANT_NOT_PROVEN=""
variant_apply() { lc_kubectl cordon k8s-node1 >/dev/null; }
variant_restore() { lc_kubectl uncordon k8s-node1 >/dev/null; }
