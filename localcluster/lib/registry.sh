# The local image registry every node pulls from, on the bridge address, with its storage in
# the cache so that images pushed once stay for later clusters. Source, do not run.

lc_registry_up() {
  local store="$LC_CACHE/registry" conf="$LC_STATE/registry.yml"
  mkdir -p "$store"
  lc_write "$conf" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $store}
  delete: {enabled: true}
http: {addr: "$LC_REGISTRY"}
YAML
  lc_start registry -- docker-registry serve "$conf"
  lc_wait registry "serving on http://$LC_REGISTRY" 30 curl -sf "http://$LC_REGISTRY/v2/"
  lc_registry_push
}

# Push every image of the image index that the registry does not hold in that build yet.
lc_registry_push() {
  local index="$LC_CACHE/images/index.tsv" ref archive path marker
  [ -f "$index" ] || lc_die "no image index at $index: run localcluster/images/build.sh"
  while IFS=$'\t' read -r ref archive; do
    [ -n "$ref" ] || continue
    path=${ref#*/}                              # docker.io/library/nginx:1.25.3 -> library/nginx:1.25.3
    marker="$LC_CACHE/registry/.pushed/$(echo "$ref $archive" | sha256sum | cut -c1-16)"
    [ -f "$marker" ] && continue
    lc_log "registry: pushing $ref"
    skopeo copy -q --dest-tls-verify=false "oci-archive:$archive" "docker://$LC_REGISTRY/$path" \
      || lc_die "could not push $archive as $ref to the local registry (log: $(lc_log_file registry))"
    mkdir -p "$(dirname "$marker")"; touch "$marker"
  done < "$index"
}
