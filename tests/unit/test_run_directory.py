"""A run's directory in /tmp: claimed by the process that owns the run, removed by a later run
once that process is gone."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from fixtures.coordination import processes, run_directory

from fakeleases import ended_process


def claimed_by(directory, pid: int, started: str | None) -> None:
    directory.mkdir()
    (directory / run_directory.OWNER).write_text(f"{pid} {started}\n")


def test_a_later_run_removes_the_directories_of_runs_whose_process_is_gone(tmp_path):
    own = tmp_path / "pod-conformance-now"
    run_directory.claim(own)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = tmp_path / "pod-conformance-killed"
    claimed_by(killed, int(gone.stdout), "12345")
    reused = tmp_path / "pod-conformance-reused"          # its pid now belongs to another process
    claimed_by(reused, os.getpid(), "1")
    alive = tmp_path / "pod-conformance-alive"
    claimed_by(alive, os.getppid(), processes.start_time(os.getppid()))
    starting = tmp_path / "pod-conformance-starting"      # made, not yet claimed
    starting.mkdir()
    elsewhere = tmp_path / "pod-conformance-elsewhere"    # a host this one cannot look into
    elsewhere.mkdir()
    (elsewhere / run_directory.OWNER).write_text(f"another-boot/4026531836 {int(gone.stdout)} 12345\n")
    other = tmp_path / "something-else"
    claimed_by(other, int(gone.stdout), "12345")

    assert run_directory.sweep(own) == [killed, reused]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pod-conformance-alive", "pod-conformance-elsewhere", "pod-conformance-now", "pod-conformance-starting",
        "something-else"]


def test_the_owner_is_this_process_on_this_host_with_its_start_time(tmp_path):
    own = tmp_path / "pod-conformance-x"
    run_directory.claim(own)
    host, pid, started = (own / run_directory.OWNER).read_text().split()
    assert host == processes.host() and int(pid) == os.getpid()
    assert started == processes.start_time(os.getpid()) and started.isdigit()
    assert run_directory.sweep(tmp_path / "pod-conformance-y") == []


def test_a_run_removes_the_directory_a_killed_run_left_and_says_so(project, monkeypatch):
    pytester, run = project
    tmp = pytester.path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    killed = tmp / "pod-conformance-20261127000000-dead00"
    claimed_by(killed, os.getpid(), "1")         # this pid, another start time: that process is gone
    (killed / "credentials").mkdir()             # the client's files of the kubeconfig's keys
    (killed / "credentials" / "tmpk3y").write_text("-----BEGIN PRIVATE KEY-----\n")
    resumed = pytester.path / "resumed"
    (killed / "paused-k8s-node1@1").write_text(json.dumps({"process": ended_process(),
                                                           "resume": ["sh", "-c", f"echo >> {resumed}"]}))
    (pytester.path / "tests" / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    result = run("tests")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*cluster housekeeping*",
                                 "resumed node k8s-node1's kubelet: a process that ended had paused it",
                                 f"removed {killed}, the directory of a run that is gone"])
    assert resumed.read_text() == "\n"
    assert list(tmp.iterdir()) == []


def test_a_process_ended_but_not_yet_reaped_is_gone():
    child = subprocess.Popen(["sleep", "0.1"])
    ident = processes.identity(child.pid)
    time.sleep(0.5)                      # ended; a zombie until waited for
    try:
        assert Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        assert processes.gone_here(ident)
    finally:
        child.wait()


def test_a_scripts_directory_is_claimed_while_it_runs_and_removed_at_its_end(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(run_directory.tempfile, "tempdir", None)     # read TMPDIR again
    with run_directory.of_this_process("bench") as directory:
        assert directory == tmp_path / f"pod-conformance-bench-{os.getpid()}"
        assert (directory / run_directory.OWNER).read_text().split()[1] == str(os.getpid())
        (directory / "tmpk3y").write_text("-----BEGIN PRIVATE KEY-----\n")
    assert list(tmp_path.iterdir()) == []
