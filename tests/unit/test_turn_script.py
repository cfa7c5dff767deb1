"""localcluster/lib/turn.sh, the scripts' turn beside the suite's runs, against a kubectl that
answers from files: the order of its writes and reads, and how it reads the lease `exclusive`."""

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from fixtures import run_directory
from fixtures.leases import stamp

LIB = Path(__file__).resolve().parents[2] / "localcluster" / "lib"

FAKE_KUBECTL = r'''
source "$LIB/common.sh"; source "$LIB/proc.sh"; source "$LIB/turn.sh"
# Each read of `exclusive` takes the next answer of $ANSWERS; the last one stays.
lc_turn_kubectl() {
  case "$*" in
    *"get lease exclusive"*)
      echo "get exclusive" >> "$CALLS"
      [ -s "$ANSWERS.fail" ] && { rm "$ANSWERS.fail"; return 1; }
      head -n 1 "$ANSWERS"; [ "$(wc -l < "$ANSWERS")" -le 1 ] || sed -i 1d "$ANSWERS" ;;
    "get namespace"*) echo "$*" >> "$CALLS"; [ -e "$ANSWERS.namespace" ] ;;
    *"apply -f -"*) echo "apply shared=$(grep -o 'shared: "[a-z]*"' | cut -d'"' -f2)" >> "$CALLS" ;;
    *) echo "$*" >> "$CALLS" ;;
  esac
}
'''


def bash(tmp_path: Path, script: str, answers: list[str], timeout: float = 30) -> tuple[subprocess.CompletedProcess, list[str]]:
    calls, answer_file, tmp = tmp_path / "calls", tmp_path / "answers", tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    answer_file.write_text("".join(a + "\n" for a in answers))
    out = subprocess.run(["bash", "-c", "set -euo pipefail\n" + FAKE_KUBECTL + script], capture_output=True, text=True,
                         timeout=timeout, env={"LIB": str(LIB), "CALLS": str(calls), "ANSWERS": str(answer_file),
                                               "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp)})
    return out, calls.read_text().splitlines() if calls.exists() else []


def held(by: str, renewed_s_ago: float, duration: int = 30) -> str:
    renew = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=renewed_s_ago)
    return f"{by}|{stamp(renew)}|{duration}"


FREE = "||30"       # released: no holder


# (holder, renewed seconds ago, duration), made when the test runs: a lease's age is relative to now.
@pytest.mark.parametrize("lease, holder", [
    (("run-a/gw0", 2, 30), "run-a/gw0"),
    (("run-a/gw0", 40, 30), ""),                 # not renewed for longer than its duration: a run that is gone
    (("run-a/gw0", 40, 60), "run-a/gw0"),
    (None, ""),
], ids=["held", "expired", "held-longer-duration", "released"])
def test_the_holder_of_exclusive_is_read_as_the_runs_judge_it(tmp_path, lease, holder):
    answer = held(lease[0], lease[1], lease[2]) if lease else FREE
    out, _ = bash(tmp_path, 'lc_turn_exclusive_holder', [answer])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == holder, (answer, out.stderr)


def test_no_lease_exclusive_at_all_is_no_holder(tmp_path):
    out, _ = bash(tmp_path, 'lc_turn_exclusive_holder', [""])
    assert out.returncode == 0 and out.stdout.strip() == "", out.stderr


def test_a_lease_that_cannot_be_read_is_not_taken_for_a_free_one(tmp_path):
    (tmp_path / "answers.fail").write_text("x")
    out, _ = bash(tmp_path, 'lc_turn_exclusive_holder', [FREE])
    assert out.returncode != 0


def test_the_mark_is_written_before_exclusive_is_read_and_given_back_at_the_end(tmp_path):
    out, calls = bash(tmp_path, 'lc_turn_take test; echo TAKEN; lc_turn_give', [FREE])
    assert out.returncode == 0, out.stderr
    assert "TAKEN" in out.stdout
    assert calls[:2] == ["get namespace pod-conformance-system", "create namespace pod-conformance-system"]
    taken = calls.index("apply shared=true")
    assert calls[taken + 1] == "get exclusive", calls      # the read after the mark decides
    assert calls[-1].startswith("-n pod-conformance-system delete lease run-test-") and calls[-1].endswith("-script --ignore-not-found")


def test_a_script_waits_while_a_run_holds_exclusive_and_takes_its_mark_back_when_it_lost(tmp_path):
    # Free at the first read, taken by a run between the mark and the read after it, then held
    # for two more reads, then released.
    out, calls = bash(tmp_path, 'lc_turn_take test; echo TAKEN',
                      [FREE, held("run-a/gw1", 1), held("run-a/gw1", 1), held("run-a/gw1", 1), FREE])
    assert out.returncode == 0, out.stderr
    marks = [c for c in calls if c.startswith("apply")]
    assert marks[:3] == ["apply shared=false", "apply shared=true", "apply shared=false"], calls
    assert marks[-1] == "apply shared=true"
    last_true = len(calls) - 1 - calls[::-1].index("apply shared=true")
    assert calls[last_true + 1:last_true + 2] == ["get exclusive"]
    assert calls.count("get exclusive") >= 5
    assert "TAKEN" in out.stdout


def test_a_run_that_never_lets_go_stops_the_script_with_its_name(tmp_path):
    out, _ = bash(tmp_path, 'LC_TURN_WAIT_S=2; lc_turn_take test; echo TAKEN', [held("run-a/gw1", 0, duration=600)])
    assert out.returncode == 1
    assert "TAKEN" not in out.stdout
    assert "test waited 2 s for its turn: run-a/gw1 still holds the cluster alone" in out.stderr


def test_a_turn_leaves_no_directory_and_removes_those_of_scripts_killed_in_theirs(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    killed, alive, starting = tmp / "localcluster-turn.killed", tmp / "localcluster-turn.alive", tmp / "localcluster-turn.new"
    for d in (killed, alive, starting):
        d.mkdir()
    (killed / "owner").write_text(f"{os.getpid()} 1\n")          # this pid, another start time: gone
    (alive / "owner").write_text(f"{os.getpid()} {run_directory.start_time(os.getpid())}\n")
    out, _ = bash(tmp_path, 'lc_turn_take test; ls "$TMPDIR" | grep -c localcluster-turn; lc_turn_give', [FREE])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3"]             # its own, the live one's, the one being made
    assert sorted(p.name for p in tmp.iterdir()) == ["localcluster-turn.alive", "localcluster-turn.new"]
