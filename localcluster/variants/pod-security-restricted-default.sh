VARIANT_WHAT="Pod Security restricted enforced by default (the API server's admission configuration), the suite's namespaces labelled baseline (--pod-security-level=baseline)"
VARIANT_NOT_PROVEN=""
VARIANT_ARGS=(--pod-security-level=baseline)
variant_apply() {
  local config="$LC_STATE/variants/pod-security.yaml"
  mkdir -p "${config%/*}"
  cat > "$config" <<'YAML'
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {enforce: restricted, enforce-version: latest}
    exemptions: {namespaces: [kube-system]}
YAML
  lc_stop kube-apiserver
  (export LC_APISERVER_ADMISSION_CONFIG=$config; lc_controlplane_up)
  # In force: a plain pod in a namespace without a Pod Security label is refused.
  local refused
  refused=$(lc_kubectl -n default run variant-probe --image=busybox:1.28 --dry-run=server 2>&1 || true)
  grep -q 'violates PodSecurity "restricted:latest"' <<<"$refused" \
    || lc_die "Pod Security restricted is not in force after the restart: $refused"
}
variant_restore() {
  [ -f "$LC_STATE/variants/pod-security.yaml" ] || return 0
  lc_stop kube-apiserver
  lc_controlplane_up
  rm -f "$LC_STATE/variants/pod-security.yaml"
}
