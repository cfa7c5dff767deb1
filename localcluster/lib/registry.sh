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

# lc_registry_push [ADDR MARKERS LOG]: pushes every image of the image index that the registry at
# ADDR (default: the local cluster's) does not hold in that build yet; MARKERS is the folder that
# remembers what was pushed, LOG the registry's log to name when a push fails.
lc_registry_push() {
  local addr=${1:-$LC_REGISTRY} markers=${2:-$LC_CACHE/registry/.pushed} log=${3:-$(lc_log_file registry)}
  local index="$LC_CACHE/images/index.tsv" ref archive marker
  [ -f "$index" ] || lc_die "no image index at $index: run localcluster/images/build.sh"
  while IFS=$'\t' read -r ref archive; do
    [ -n "$ref" ] || continue
    marker="$markers/$(echo "$ref $archive" | sha256sum | cut -c1-16)"
    [ -f "$marker" ] && continue
    lc_log "registry $addr: pushing $ref"
    # docker.io/library/nginx:1.25.3 is served as library/nginx:1.25.3
    skopeo copy -q --dest-tls-verify=false "oci-archive:$archive" "docker://$addr/${ref#*/}" \
      || lc_die "could not push $archive as $ref to the registry at $addr (log: $log)"
    mkdir -p "$markers"; touch "$marker"
  done < "$index"
}
