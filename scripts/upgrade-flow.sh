#!/usr/bin/env bash
# The upgrade flow end to end on the offline local cluster: a cluster at UPGRADE_FROM
# (localcluster/UPGRADE_FROM), the baseline, an in-place upgrade to localcluster/KUBE_VERSION,
# the verification. With --broken, a worker is left tainted after the upgrade, as a botched
# upgrade could leave it: the comparison must then reject, naming the tests that regressed.
set -euo pipefail
cd "$(dirname "$0")/.."
source localcluster/lib/common.sh
from=${UPGRADE_FROM:-$(cat localcluster/UPGRADE_FROM)} to=$LC_KUBE_VERSION
broken=${1:-}
say() { printf '[upgrade-flow] %s\n' "$*" >&2; }
say "cluster at $from, baseline, upgrade to $to, verify${broken:+ (with a worker left tainted)}"
localcluster/down.sh
KUBE_VERSION=$from localcluster/up.sh
KUBE_VERSION=$from scripts/upgrade.sh baseline
localcluster/upgrade.sh "$to"
if [ "$broken" = --broken ]; then
  lc_kubectl taint node k8s-node3 pod-conformance/left-by-upgrade=true:NoSchedule
  say "left k8s-node3 tainted pod-conformance/left-by-upgrade=true:NoSchedule"
fi
scripts/upgrade.sh verify
