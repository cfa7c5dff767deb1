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
