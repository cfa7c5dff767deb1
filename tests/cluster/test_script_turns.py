"""A script's turn (localcluster/lib/turn.sh, taken by cluster-up's gate, kind/up.sh and the lab)
on a real cluster, as the suite's runs see it: marked shared while held, gone once given back."""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from kubernetes import client

from fixtures.coordination.leases import NAMESPACE, RENEW_S, Member, lease_name

LIB = Path(__file__).resolve().parents[2] / "localcluster" / "lib"

SCRIPT = r'''
set -euo pipefail
source "$LIB/common.sh"; source "$LIB/proc.sh"; source "$LIB/turn.sh"
lc_turn_take turn-test; echo "TAKEN $(cat "$LC_TURN_DIR/ready")"; read -r _; lc_turn_give; echo GIVEN
'''


@pytest.mark.slow(20)      # 18-25 s measured in whole runs (make bench)
def test_a_scripts_turn_is_seen_by_the_runs_as_a_shared_member_until_given_back(run, cluster, timeouts, tmp_path):
    if run.inside:
        pytest.skip(f"within {run.inside}'s turn (make mutants, make variants) a script's turn joins that turn, so "
                    f"it cannot be seen taking one of its own")
    script = subprocess.Popen(["bash", "-c", SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={"LIB": str(LIB), "LC_TURN_KUBECONFIG": cluster.kubeconfig,
                                   "LC_TURN_CONTEXT": cluster.context or "",
                                   "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                              start_new_session=True)
    try:
        # Another run on this cluster may hold the cluster alone for a while: the script waits.
        taken, _, holder = script.stdout.readline().strip().partition(" ")
        assert taken == "TAKEN", "the script stopped before its turn"
        probe = Member(client.CoordinationV1Api(cluster.api), client.CoreV1Api(cluster.api),
                       f"probe-{uuid.uuid4().hex[:8]}", "gw0")
        lease = lease_name(*holder.split("/"))
        assert holder in probe.others_sharing(), (holder, probe.others_sharing())
        coordination = client.CoordinationV1Api(cluster.api)
        first = coordination.read_namespaced_lease(lease, NAMESPACE).spec.renew_time
        time.sleep(RENEW_S + 1.5)       # a gate can take longer than a lease lasts: it is renewed
        assert coordination.read_namespaced_lease(lease, NAMESPACE).spec.renew_time > first
        assert holder in probe.others_sharing()
        script.stdin.write("\n")
        script.stdin.flush()
        assert script.stdout.readline().strip() == "GIVEN"
        assert holder not in probe.others_sharing()
        names = [each.metadata.name for each in
                 coordination.list_namespaced_lease(NAMESPACE).items]
        assert lease not in names, names
        assert script.wait(timeouts(30)) == 0
    finally:
        if script.poll() is None:       # TERM gives the turn back; its session holds the lease renewer
            os.killpg(script.pid, signal.SIGTERM)
            try:
                script.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(script.pid, signal.SIGKILL)
                script.wait()
