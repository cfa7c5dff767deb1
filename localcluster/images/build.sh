#!/usr/bin/env bash
# Builds the images that images.tsv maps references to, from Debian bookworm
# packages, as OCI archives in $LC_CACHE/images/RECIPE-KEY.oci.tar, where KEY
# hashes the recipe's files, its references and this script; then writes
# $LC_CACHE/images/index.tsv: REFERENCE<TAB>ARCHIVE, one line per reference.
# A second run is a no-op.
# Usage: images/build.sh [RECIPE...]      (default: every recipe in images.tsv)
#
# A recipe is a directory holding recipe.sh and the files it copies. build.sh
# sources recipe.sh with $root (the image's empty root filesystem), $src (the
# recipe's directory) and $ctr (the buildah working container) set; recipe.sh
# fills $root, using the helpers below, and sets the image config with
# `bah config ... "$ctr"`.
set -euo pipefail
umask 022
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
[ "$(id -u)" = 0 ] || lc_die "images/build.sh must run as root (mmdebstrap and buildah need it)"
for tool in mmdebstrap buildah gcc go; do
  command -v "$tool" >/dev/null || lc_die "$tool is not installed; run localcluster/install-deps.sh"
done

out_dir=$LC_CACHE/images
map=$here/images.tsv
suite=bookworm
sources=("deb http://deb.debian.org/debian $suite main"
  "deb http://deb.debian.org/debian $suite-updates main"
  "deb http://deb.debian.org/debian-security $suite-security main")

# refs RECIPE: the references images.tsv gives RECIPE, in file order.
refs() { awk -F'\t' -v r="$1" '!/^#/ && $2 == r { print $1 }' "$map"; }
all_recipes() { awk -F'\t' '!/^#/ && NF >= 2 && !seen[$2]++ { print $2 }' "$map"; }
recipe_key() {
  { (cd "$here/$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    refs "$1"; sha256sum <"$here/build.sh"; } | sha256sum | cut -c1-12
}
archive_of() { echo "$out_dir/$1-$(recipe_key "$1").oci.tar"; }

work='' ctr='' building=''
bah() { buildah --storage-driver vfs --root "$work/storage" --runroot "$work/run" "$@"; }
cleanup() {
  local rc=$?
  if [ -n "$ctr" ]; then bah rm "$ctr" >/dev/null 2>&1 || true; fi
  if [ -n "$work" ] && [ -d "$work" ]; then
    # A failed mmdebstrap can leave /proc, /sys or /dev mounted inside the root.
    findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r umount -l || true
    rm -rf --one-file-system "$work"
  fi
  if [ "$rc" != 0 ] && [ -n "$building" ]; then
    printf '[localcluster] ERROR: building image %s failed (output above)\n' "$building" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers for recipes ------------------------------------------------------

# debian_rootfs VARIANT [PACKAGE...]: installs Debian into $root (or into $into),
# without documentation, manual pages or translations.
debian_rootfs() {
  local variant=$1; shift
  local pkgs; pkgs=$(IFS=,; echo "$*")
  local opts=(--quiet --mode=root --format=directory --variant="$variant")
  if [ -n "$pkgs" ]; then opts+=(--include="$pkgs"); fi
  # Without the hook, apt merges /usr with the usrmerge package, which pulls in perl.
  [ "$variant" = extract ] || opts+=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
  mmdebstrap "${opts[@]}" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    "$suite" "${into:-$root}" "${sources[@]}" </dev/null >"$work/mmdebstrap.log" 2>&1 \
    || { cat "$work/mmdebstrap.log" >&2; lc_die "mmdebstrap failed"; }
  if [ -n "${into:-}" ]; then return; fi
  # The runtime provides /dev; mmdebstrap leaves device nodes there.
  find "$root/dev" -mindepth 1 -delete
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
}

# add_user USER UID GROUP GID HOME: a system user and its group, without
# needing useradd in the image.
add_user() {
  grep -q "^$3:" "$root/etc/group" || echo "$3:x:$4:" >>"$root/etc/group"
  grep -q "^$1:" "$root/etc/passwd" || echo "$1:x:$2:$4::$5:/usr/sbin/nologin" >>"$root/etc/passwd"
  if [ -f "$root/etc/shadow" ] && ! grep -q "^$1:" "$root/etc/shadow"; then echo "$1:!:19000::::::" >>"$root/etc/shadow"; fi
}

# shellcheck disable=SC2034 # for the recipes
default_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- build --------------------------------------------------------------------

build_recipe() {
  local recipe=$1 out; out=$(archive_of "$recipe")
  local primary; primary=$(refs "$recipe" | sed -n 1p)
  [ -f "$here/$recipe/recipe.sh" ] || lc_die "image recipe '$recipe' has no $here/$recipe/recipe.sh"
  [ -n "$primary" ] || lc_die "images.tsv maps no reference to recipe '$recipe'"
  if [ -f "$out" ]; then lc_log "image $recipe: cached ($(basename "$out"))"; return; fi

  lc_log "building image $recipe"
  local start=$SECONDS
  building=$recipe
  work=$(mktemp -d "$out_dir/.build-$recipe.XXXXXX")
  ctr=$(bah from --name "lc-$recipe" scratch)
  root=$(bah mount "$ctr") src=$here/$recipe
  # shellcheck source=/dev/null
  run_recipe() { source "$src/recipe.sh"; }
  lc_timed "building image $recipe" "image-$recipe" 30 run_recipe
  bah config --created-by "localcluster/images/$recipe" "$ctr"
  bah commit --quiet --format oci --disable-compression=false --rm "$ctr" \
    "oci-archive:$work/image.oci.tar:$primary" >/dev/null
  ctr=''
  mv "$work/image.oci.tar" "$out"
  rm -rf --one-file-system "$work"; work='' building=''
  # Older builds of this recipe are dead weight now.
  find "$out_dir" -maxdepth 1 -name "$recipe-????????????.oci.tar" ! -path "$out" -delete
  lc_log "image $recipe built in $((SECONDS - start)) s -> $out ($(du -h "$out" | cut -f1))"
}

write_index() {
  local ref recipe rest out tmp=$out_dir/index.tsv.tmp
  : >"$tmp"
  while IFS=$'\t' read -r ref recipe rest; do
    case $ref in '#'* | '') continue ;; esac
    out=$(archive_of "$recipe")
    if [ -f "$out" ]; then printf '%s\t%s\n' "$ref" "$out" >>"$tmp"; fi
  done <"$map"
  if cmp -s "$tmp" "$out_dir/index.tsv"; then rm "$tmp"; else mv "$tmp" "$out_dir/index.tsv"; fi
  lc_log "image index: $out_dir/index.tsv ($(wc -l <"$out_dir/index.tsv") references)"
}

mkdir -p "$out_dir"
if [ $# -gt 0 ]; then recipes=("$@"); else mapfile -t recipes < <(all_recipes); fi
for recipe in "${recipes[@]}"; do build_recipe "$recipe"; done
write_index
