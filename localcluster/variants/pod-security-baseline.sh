VARIANT_WHAT="Pod Security baseline enforced on the suite's namespaces (--pod-security-level=baseline)"
VARIANT_NOT_PROVEN=""
VARIANT_ARGS=(--pod-security-level=baseline)
variant_apply() { :; }
variant_restore() { :; }
