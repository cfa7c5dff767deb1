#!/usr/bin/env bash
# Writes the go.mod for building k8s.io/kubernetes at VERSION as a dependency:
# the tag's own requirements, and every staging module it replaces with a local
# path (k8s.io/x => ./staging/src/k8s.io/x) pinned instead to k8s.io/x v0.MINOR.PATCH.
# Usage: modfile.sh v1.36.3 > go.mod   (then: go mod tidy)
set -euo pipefail
version=${1:?usage: modfile.sh vMAJOR.MINOR.PATCH}
[[ $version =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "modfile.sh: '$version' is not a release like v1.36.3" >&2; exit 2; }
staging="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
tagmod=$(cd / && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
python3 - "$tagmod" "$version" "$staging" <<'PY'
import re, sys
tagmod, version, staging = sys.argv[1:]
text = open(tagmod).read()
go = re.search(r"^go (\S+)$", text, re.M).group(1)
godebug = re.search(r"^godebug (.+)$", text, re.M)
staged = re.findall(r"^\s*(k8s\.io/[\w.-]+) => \./staging/src/", text, re.M)
print("module localcluster/kube\n")
print(f"go {go}\n")
if godebug:
    print(f"godebug {godebug.group(1)}\n")
print(f"require k8s.io/kubernetes {version}\n")
print("replace (")
for mod in staged:
    print(f"\t{mod} => {mod} {staging}")
print(")")
PY
