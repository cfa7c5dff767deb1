VARIANT_WHAT="two workers: k8s-node3 cordoned by its owner"
VARIANT_NOT_PROVEN=""
variant_apply() { lc_kubectl cordon k8s-node3 >/dev/null; }
variant_restore() { lc_kubectl uncordon k8s-node3 >/dev/null; }
