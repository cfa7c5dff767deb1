# What the two labs share (scripts/mutants.sh, scripts/variants.sh): which recipes of a folder to
# run, and the cluster up, healthy and held alone before the first. Source after the other libs.

# lc_lab_pick DIR [NAME...]: sets LC_LAB_NAMES to the names given, or to every DIR/*.sh.
lc_lab_pick() {
  local dir=$1 f name; shift
  LC_LAB_NAMES=("$@")
  if [ ${#LC_LAB_NAMES[@]} -eq 0 ]; then
    for f in "$dir"/*.sh; do LC_LAB_NAMES+=("$(basename "$f" .sh)"); done
  fi
  for name in "${LC_LAB_NAMES[@]}"; do
    [ -f "$dir/$name.sh" ] || lc_die "no '$name' in $dir/ ($(ls "$dir" | sed 's/\.sh$//' | tr '\n' ' '))"
  done
}

# lc_lab_start WHO DIR OUT [NAME...]: as root, the recipes of DIR to run (LC_LAB_NAMES), OUT
# emptied, the cluster up and healthy, the kubectl built with it first on PATH, then the cluster
# held alone by WHO until the script ends (runs of the suite in progress end their tests first).
# Sets LC_LAB_KUBECONFIG.
lc_lab_start() {
  local who=$1 dir=$2 out=$3; shift 3
  [ "$(id -u)" = 0 ] || lc_die "$who changes the local cluster's daemons and nodes: run it as root"
  lc_lab_pick "$dir" "$@"
  rm -rf "$out"; mkdir -p "$out"
  lc_lab_begin "$who"
}

lc_lab_begin() {
  lc_log "$1: the cluster, healthy first"
  "$LC_ROOT/up.sh" >/dev/null
  LC_LAB_KUBECONFIG=$(lc_kubeconfig admin)
  PATH="$(lc_bin_dir "$LC_KUBE_VERSION"):$PATH"
  lc_log "$1: taking the cluster alone (runs of the suite in progress end their tests first)"
  lc_turn_take "$1" alone
}

# lc_lab_planted PATCH: prints the directory of a kube binary built with PATCH applied to a copy
# of a module it is built from: k8s.io/kubernetes at $LC_KUBE_VERSION, or the one a line
# "# module: k8s.io/NAME" at the patch's top names, at the version the cluster's go.mod pins (a
# diff with a/ and b/ paths from the module's root). The same build as the cluster's but for one
# regression planted on purpose; cached by the patch's content, and with the cluster's build
# cache warm only what the patch touches compiles.
lc_lab_planted() {
  local patch name key out module version src modfile
  patch=$(realpath "$1"); name=$(basename "$patch" .patch)
  key=$(cat "$patch" "$LC_ROOT/kube/main.go" | sha256sum | cut -c1-12)
  out="$LC_CACHE/planted/$name-$LC_KUBE_VERSION-$key"
  if [ ! -x "$out/kube" ]; then
    modfile=$(lc_modfile "$LC_KUBE_VERSION")
    module=$(sed -n '0,/^# module: /s/^# module: //p' "$patch"); module=${module:-k8s.io/kubernetes}
    version=$(cd "$LC_ROOT/kube" && go list -modfile="$modfile" -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$module") \
      || lc_die "$patch names module $module, which kube $LC_KUBE_VERSION is not built from"
    src="$(cd / && go env GOMODCACHE)/$module@$version"
    [ -d "$src" ] || lc_die "$module $version is not in the Go module cache: run localcluster/build.sh"
    rm -rf "$out.tmp"; mkdir -p "$out.tmp"
    cp -r "$src" "$out.tmp/src"; chmod -R u+w "$out.tmp/src"
    # The ceiling keeps git from taking a repository above the copy for its own.
    (cd "$out.tmp/src" && GIT_CEILING_DIRECTORIES="$out.tmp" git apply "$patch") \
      || lc_die "$patch does not apply to $module $version"
    cp "$modfile" "$out.tmp/planted.mod"; cp "${modfile%.mod}.sum" "$out.tmp/planted.sum"
    go mod edit -replace="$module=$out.tmp/src" "$out.tmp/planted.mod"
    lc_timed "building kube $LC_KUBE_VERSION with $name planted" planted-build 60 \
      lc_go_build_kube "$LC_KUBE_VERSION" "$out.tmp/planted.mod" "$out.tmp/kube" \
      || lc_die "go build with $patch failed (output above)"
    rm -rf "$out.tmp/src" "$out"; mv "$out.tmp" "$out"
  fi
  echo "$out"
}

# lc_lab_plant COMPONENT PATCH: COMPONENT (kubelet: every node's; kube-controller-manager)
# restarted from the kube binary built with PATCH planted (lc_lab_planted); the pods keep running.
# Only stopped daemons start again (lc_start), so LC_KUBE_BIN reaches COMPONENT alone.
lc_lab_plant() {
  local component=$1 bin n; bin=$(lc_lab_planted "$2")
  ln -sf kube "$bin/$component"
  case $component in
    kubelet)
      for n in "${LC_NODES[@]}"; do lc_stop "kubelet-$n"; LC_KUBE_BIN=$bin lc_node_up "$n" >/dev/null; done
      lc_kubectl wait --for=condition=Ready node --all --timeout=120s >/dev/null \
        || lc_die "the nodes are not Ready 120 s after their kubelets restarted from $bin" ;;
    kube-controller-manager)
      lc_stop kube-controller-manager; LC_KUBE_BIN=$bin lc_controlplane_up >/dev/null ;;
    *) lc_die "lc_lab_plant: no way to restart '$component'" ;;
  esac
}

# lc_lab_unplant COMPONENT: COMPONENT stopped, for up.sh to start the cluster's own again.
lc_lab_unplant() {
  local n
  case $1 in
    kubelet) for n in "${LC_NODES[@]}"; do lc_stop "kubelet-$n"; done ;;
    *) lc_stop "$1" ;;
  esac
}
