VARIANT_WHAT="admission that adds: a MutatingAdmissionPolicy adds a label and an annotation to every Pod"
VARIANT_NOT_PROVEN=""
variant_apply() {
  lc_kubectl apply -f - >/dev/null <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: {name: variant-adds-to-pods}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: >
        Object{metadata: Object.metadata{labels: {"example.com/injected": "yes"},
                                         annotations: {"example.com/cost-center": "platform"}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: {name: variant-adds-to-pods}
spec:
  policyName: variant-adds-to-pods
  matchResources:
    namespaceSelector:
      matchExpressions: [{key: pod-conformance/run-id, operator: Exists}]
YAML
  sleep 3   # the policy takes effect once the API server has loaded it
}
variant_restore() {
  lc_kubectl delete mutatingadmissionpolicybinding variant-adds-to-pods --ignore-not-found >/dev/null
  lc_kubectl delete mutatingadmissionpolicy variant-adds-to-pods --ignore-not-found >/dev/null
}
