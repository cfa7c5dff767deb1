"""A script's turn among the runs: the command line's hold (fixtures/coordination/__main__.py) on
an API server in memory, and localcluster/lib/turn.sh with a stand-in for that command line."""

import os
import re
import subprocess
import threading
from pathlib import Path

import pytest

from fakeleases import FakeApi
from fixtures.coordination import leases, processes
from fixtures.coordination.__main__ import hold, main
from fixtures.coordination.leases import Member

LIB = Path(__file__).resolve().parents[2] / "localcluster" / "lib"


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setattr(leases, "POLL_S", 0.01)
    return FakeApi()


def holding(api, tmp_path, *, alone=False, parent=None, inside=None):
    """The command line's hold in a thread: (thread, stop, ready file, exit code box)."""
    member = Member(api, api, "cluster-up-1-2", "script", inside=inside)
    stop, ready, result = threading.Event(), tmp_path / "ready", {}
    parent = parent or processes.identity()
    thread = threading.Thread(target=lambda: result.setdefault("code", hold(member, "cluster-up", alone, parent,
                                                                              str(ready), stop)), daemon=True)
    thread.start()
    return thread, stop, ready, result


def wait_for(path: Path, timeout=5.0) -> str:
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if path.exists():
            return path.read_text()
        done.wait(0.02)
    raise AssertionError(f"{path} never written")


def test_a_shared_turn_is_a_member_marked_shared_until_stopped(api, tmp_path):
    thread, stop, ready, result = holding(api, tmp_path)
    assert wait_for(ready) == "cluster-up-1-2/script"
    assert api.shared_mark("run-cluster-up-1-2-script") == "true"
    probe = Member(api, api, "probe", "gw0")
    assert probe.others_sharing() == ["cluster-up-1-2/script"]
    stop.set()
    thread.join(5)
    assert result == {"code": 0} and "run-cluster-up-1-2-script" not in api.leases


def test_an_alone_turn_waits_for_the_runs_shared_tests_then_holds_exclusive(api, tmp_path):
    run = Member(api, api, "run-a", "gw0")
    run.join()
    assert run.try_shared() is None
    thread, stop, ready, result = holding(api, tmp_path, alone=True)
    assert not threading.Event().wait(0.3) and not ready.exists()
    run.end_shared()
    assert wait_for(ready) == "cluster-up-1-2/script"
    assert run.try_shared() == "cluster-up-1-2/script"
    stop.set()
    thread.join(5)
    assert run.try_shared() is None


def test_the_turn_ends_when_the_script_that_asked_for_it_has_ended(api, tmp_path):
    script = subprocess.Popen(["sleep", "30"])
    thread, stop, ready, result = holding(api, tmp_path, parent=processes.identity(script.pid))
    wait_for(ready)
    script.kill()
    script.wait()
    thread.join(5)
    assert not thread.is_alive() and result == {"code": 0}
    assert "run-cluster-up-1-2-script" not in api.leases


def test_inside_an_alone_turn_a_scripts_turn_is_part_of_it(api, tmp_path):
    lab = Member(api, api, "lab-1", "script")
    lab.join()
    assert lab.try_exclusive() is None
    thread, stop, ready, result = holding(api, tmp_path, alone=True, inside="lab-1/script")
    assert wait_for(ready) == "lab-1/script"
    stop.set()
    thread.join(5)
    assert api.spec(leases.EXCLUSIVE)["holderIdentity"] == "lab-1/script"


def test_a_turn_whose_lease_lapsed_ends_with_the_lapse_and_exit_3(api, tmp_path, caplog):
    thread, stop, ready, result = holding(api, tmp_path)
    wait_for(ready)
    api.delete_namespaced_lease("run-cluster-up-1-2-script", leases.NAMESPACE)
    thread.join(15)
    assert result == {"code": 3}
    assert "lease run-cluster-up-1-2-script was removed by another run" in caplog.text


# -- turn.sh, with a stand-in for the command line ----------------------------------------------

STAND_IN = r'''#!/bin/bash
echo "$*" >> "$CALLS"
ready=""; alone=""
while [ $# -gt 0 ]; do case $1 in --ready) ready=$2; shift ;; --alone) alone=1 ;; esac; shift; done
[ -n "${REFUSE:-}" ] && { echo "no turn: $REFUSE" >&2; exit 2; }
trap 'echo TERM >> "$CALLS"; exit 0' TERM
echo "lab-9/script" > "$ready"
while :; do sleep 0.1; done
'''


def turn_sh(tmp_path: Path, script: str, **env) -> tuple[subprocess.CompletedProcess, list[str]]:
    top, tmp = tmp_path / "top", tmp_path / "tmp"
    (top / ".venv" / "bin").mkdir(parents=True)
    (top / ".venv" / ".installed").touch()
    python = top / ".venv" / "bin" / "python"
    python.write_text(STAND_IN)
    python.chmod(0o755)
    tmp.mkdir()
    calls = tmp_path / "calls"
    out = subprocess.run(["bash", "-c", f'set -euo pipefail\nsource "$LIB/common.sh"; source "$LIB/proc.sh"; '
                                        f'source "$LIB/turn.sh"\n{script}'], capture_output=True, text=True, timeout=30,
                         env={"LIB": str(LIB), "CALLS": str(calls), "LC_TURN_TOP": str(top), "PATH": "/usr/bin:/bin",
                              "TMPDIR": str(tmp), "LC_TURN_KUBECONFIG": "/kc", **env})
    return out, calls.read_text().splitlines() if calls.exists() else []


def test_a_scripts_shared_turn_is_held_by_a_recorded_process_and_given_back(tmp_path):
    out, calls = turn_sh(tmp_path, 'lc_turn_take gate; echo "INSIDE=${POD_CONFORMANCE_INSIDE:-}"; '
                                   'ls "$TMPDIR" | wc -l; lc_turn_give; ls "$TMPDIR" | wc -l')
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["INSIDE=", "1", "0"]
    assert calls[0].startswith("-m fixtures.coordination hold gate --parent ") and "--kubeconfig /kc" in calls[0]
    assert calls[1:] == ["TERM"]


def test_an_alone_turn_is_inherited_by_what_the_script_starts(tmp_path):
    out, calls = turn_sh(tmp_path, 'lc_turn_take lab alone; bash -c \'echo "INSIDE=$POD_CONFORMANCE_INSIDE"\'')
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["INSIDE=lab-9/script"]
    assert "--alone" in calls[0].split() and calls[-1] == "TERM"      # given back at the script's exit


def test_no_turn_stops_the_script_with_the_command_lines_reason(tmp_path):
    out, _ = turn_sh(tmp_path, 'lc_turn_take gate; echo TAKEN', REFUSE="the API server does not answer")
    assert out.returncode != 0 and "TAKEN" not in out.stdout
    assert "no turn: the API server does not answer" in out.stderr
    assert "gate: no turn on the cluster" in out.stderr


def test_the_directory_of_a_script_killed_in_its_turn_goes_once_it_and_its_holder_are_gone(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    killed, alive = tmp / "localcluster-turn.killed", tmp / "localcluster-turn.alive"
    killed.mkdir()
    (killed / "owner").write_text(f"{os.getpid()} 1\n")        # this pid, another start time: gone
    alive.mkdir()
    (alive / "owner").write_text(f"{os.getpid()} {processes.start_time(os.getpid())}\n")
    out = subprocess.run(["bash", "-c", 'source "$LIB/common.sh"; source "$LIB/proc.sh"; source "$LIB/turn.sh"; '
                                        'lc_turn_sweep'], capture_output=True, text=True,
                         env={"LIB": str(LIB), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)})
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp.iterdir()) == ["localcluster-turn.alive"]


def test_kind_up_counts_a_cordoned_node_as_ready_and_a_notready_one_not():
    """A cordoned node once made kind/up.sh delete a cluster other runs were using."""
    nodes = ("pod-conformance-control-plane   Ready                      control-plane   9m   v1.36.3\n"
             "pod-conformance-worker          Ready,SchedulingDisabled   <none>          9m   v1.36.3\n"
             "pod-conformance-worker2         NotReady                   <none>          9m   v1.36.3\n"
             "pod-conformance-worker3         Ready                      <none>          9m   v1.36.3\n")
    out = subprocess.run(["bash", "-c", 'source "$TOP/kind/lib/common.sh"; kind_ready_nodes'], input=nodes,
                         capture_output=True, text=True, env={"TOP": str(LIB.parents[1]), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "3"


@pytest.mark.parametrize("how", ["told to stop", "its script ended"])
def test_a_turn_still_waited_for_is_given_up_when_the_script_stops_or_ends(api, tmp_path, how):
    """A script stopped (SIGTERM) or gone while it waits for its turn leaves no waiting holder
    behind: seen on a cluster held alone by make variants, where the holder waited on."""
    run = Member(api, api, "run-a", "gw0")
    run.join()
    with run.exclusive():
        script = subprocess.Popen(["sleep", "30"])
        thread, stop, ready, result = holding(api, tmp_path, parent=processes.identity(script.pid))
        assert not threading.Event().wait(0.3) and thread.is_alive()
        if how == "told to stop":
            stop.set()
        script.kill()
        script.wait()
        thread.join(5)
        assert not thread.is_alive() and result == {"code": 0} and not ready.exists()
        assert "run-cluster-up-1-2-script" not in api.leases


def test_every_turn_function_the_scripts_call_is_defined_and_every_verb_they_pass_is_the_command_lines():
    """CI's own script called a wrapper that was removed as unused: its step failed only in CI."""
    top = LIB.parents[1]
    turn = (LIB / "turn.sh").read_text()
    defined = set(re.findall(r"^(lc_turn_\w+)\(\)", turn, re.M))
    scripts = [top / ".ci" / "run", *top.glob("localcluster/**/*.sh"), *top.glob("kind/**/*.sh"),
               *top.glob("scripts/*.sh")]
    called = {name for path in scripts for name in re.findall(r"\b(lc_turn_\w+)", path.read_text())}
    assert called - defined == set()
    for verb in set(re.findall(r"lc_turn_python (\w+)", turn + "".join(p.read_text() for p in scripts))):
        with pytest.raises(SystemExit) as asked:
            main([verb, "--help"])
        assert asked.value.code == 0, f"the command line has no verb {verb!r}"

