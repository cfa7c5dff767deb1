VARIANT_WHAT="no visible control plane: k8s-master without its node-role label (as managed clusters show none)"
VARIANT_NOT_PROVEN=""
variant_apply() { lc_kubectl label node k8s-master node-role.kubernetes.io/control-plane- >/dev/null; }
variant_restore() { lc_kubectl label node k8s-master node-role.kubernetes.io/control-plane= --overwrite >/dev/null; }
