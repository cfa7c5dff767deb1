VARIANT_WHAT="one worker: k8s-node2 cordoned, k8s-node3 tainted dedicated=infra:NoSchedule by its owner"
VARIANT_NOT_PROVEN="N1"
variant_apply() {
  lc_kubectl cordon k8s-node2 >/dev/null
  lc_kubectl taint node k8s-node3 dedicated=infra:NoSchedule >/dev/null
}
variant_restore() {
  lc_kubectl uncordon k8s-node2 >/dev/null
  lc_kubectl taint node k8s-node3 dedicated=infra:NoSchedule- >/dev/null 2>&1 || true
}
