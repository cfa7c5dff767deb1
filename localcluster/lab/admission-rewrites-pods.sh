LAB_WHAT="a MutatingAdmissionPolicy rewrites the Pods of the test namespaces: terminationGracePeriodSeconds 5"
LAB_CAUSE='changed at admission|an admission step'
LAB_TESTS=(suites/test_runtime.py suites/test_probes.py)
lab_break() {
  lc_kubectl apply -f - >/dev/null <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: {name: lab-rewrites-pods}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  reinvocationPolicy: Never
  mutations:
  - patchType: JSONPatch
    jsonPatch:
      expression: >
        [JSONPatch{op: "replace", path: "/spec/terminationGracePeriodSeconds", value: 5}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: {name: lab-rewrites-pods}
spec:
  policyName: lab-rewrites-pods
  matchResources:
    namespaceSelector:
      matchExpressions: [{key: pod-conformance/run-id, operator: Exists}]
YAML
  sleep 3   # the policy takes effect once the API server has loaded it
}
lab_restore() {
  lc_kubectl delete mutatingadmissionpolicybinding lab-rewrites-pods --ignore-not-found >/dev/null
  lc_kubectl delete mutatingadmissionpolicy lab-rewrites-pods --ignore-not-found >/dev/null
}
