"""The project's bash runs under `set -o pipefail`. There, `producer | grep -q x` (or `| head`)
fails whenever the reader exits at its first match while the producer still has lines to write:
the producer dies of SIGPIPE and the pipeline's status is 141. `ip addr show` writes one line per
address, so `kind/registry.sh` once said "no 10.202.0.1 on pckind0" with the address there.
Readers in a pipe therefore read their input whole: `grep x >/dev/null`, `sed -n 1p`."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PIPE = re.compile(r"(?<!\|)\|(?!\|)")   # `|`, not `||`


def pipes_into_an_early_reader(line: str) -> bool:
    """Whether a command after a `|` is head, or grep with -q or -m among its short options."""
    for command in PIPE.split(line)[1:]:
        words = command.split()
        if words[:1] == ["head"]:
            return True
        if words[:1] == ["grep"] and any(re.fullmatch(r"-[A-Za-z]*[qm][A-Za-z0-9]*|--(quiet|silent|max-count)\b.*", w) for w in words[1:]):
            return True
    return False


SCRIPT_DIRS = (".ci", "kind", "localcluster", "scripts")


def bash_scripts() -> list[Path]:
    """The project's bash: *.sh, and files starting with a bash shebang (.ci/run). Read from the
    tree, not from git: `make check` also runs where git is not installed."""
    found = []
    for top in SCRIPT_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if path.suffix == ".sh" or (path.suffix == "" and path.read_bytes()[:32].startswith(b"#!/usr/bin/env bash")):
                found.append(path)
    return found


def test_the_project_has_bash_scripts_to_read():
    names = {str(p.relative_to(ROOT)) for p in bash_scripts()}
    assert {"kind/registry.sh", "localcluster/up.sh", ".ci/run"} <= names


@pytest.mark.parametrize("pipe", [
    "ip -4 addr show dev br0 | grep -q 'inet 10.0.0.1/'",
    "kind get clusters | grep -qx pod-conformance",
    "refs x | head -1",
    "ss -xlH | grep -m1 docker.sock",
    "ls | grep -v x -q y",
    "ls | grep --quiet y",
])
def test_the_reader_spots_a_pipe_into_a_reader_that_exits_early(pipe):
    assert pipes_into_an_early_reader(pipe)


@pytest.mark.parametrize("line", [
    "ip -4 addr show dev br0 | grep 'inet 10.0.0.1/' >/dev/null",
    "refs x | sed -n 1p",
    'out=$(kubectl create ns x 2>&1) || grep -q AlreadyExists <<<"$out"',
    "grep -qx pod-conformance clusters.txt",
    "tr '\\0' ' ' < f | grep -- 'containerd-shim-runc-v2 .*-address x' >/dev/null",
])
def test_the_reader_leaves_readers_that_read_everything(line):
    assert not pipes_into_an_early_reader(line)


def test_why_under_pipefail_an_early_reader_fails_the_pipeline():
    producer = "{ echo match; sleep 0.3; echo more; }"
    early = subprocess.run(["bash", "-c", f"set -o pipefail; {producer} | grep -q match"])
    whole = subprocess.run(["bash", "-c", f"set -o pipefail; {producer} | grep match >/dev/null"])
    assert (early.returncode, whole.returncode) == (141, 0)


def test_no_bash_script_pipes_into_a_reader_that_exits_early():
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in bash_scripts()
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if not line.lstrip().startswith("#") and pipes_into_an_early_reader(line)]
    assert not found, "under pipefail these fail when the writer outlives the reader:\n" + "\n".join(found)
