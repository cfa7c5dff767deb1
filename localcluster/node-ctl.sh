#!/usr/bin/env bash
# Disrupts a node of the running local cluster, for the suite's disruptive tests:
#   node-ctl.sh pause-kubelet NODE    the kubelet stops (SIGSTOP): the node stops reporting
#   node-ctl.sh resume-kubelet NODE   it goes on (SIGCONT)
# The node's containers keep running throughout, as they do when a real kubelet hangs.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$LC_ROOT/lib/proc.sh"
action=${1:-} node=${2:-}
lc_node_index "$node" >/dev/null 2>&1 || lc_die "usage: node-ctl.sh pause-kubelet|resume-kubelet NODE (nodes: ${LC_NODES[*]})"
pid=$(lc_daemon_pid "kubelet-$node") || lc_die "the kubelet of $node is not running"
case $action in
  pause-kubelet) kill -STOP "$pid" ;;
  resume-kubelet) kill -CONT "$pid" ;;
  *) lc_die "unknown action '$action': pause-kubelet or resume-kubelet" ;;
esac
