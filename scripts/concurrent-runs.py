#!/usr/bin/env python3
"""Runs the suite several times at once on one cluster and checks that the runs took turns.

Every run must pass, and no test namespace of one run may live while a node-mutating or
disruptive test of another run has its namespace: a test's namespace is made after its hold on
the cluster is taken and is gone before the hold is given back (fixtures/plugin/fixtures.py), so an
overlap would be a turn not taken. Namespaces are watched as they come and go.

Usage: .venv/bin/python scripts/concurrent-runs.py --kubeconfig PATH [--runs 2] [--out DIR] [-- PYTEST ARGS]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from kubernetes import client, watch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from fixtures.cluster import connect  # noqa: E402
from fixtures.coordination import run_directory  # noqa: E402
from fixtures.namespaces import RUN_LABEL, TEST_ANNOTATION  # noqa: E402


def watch_namespaces(api: client.CoreV1Api, seen: dict, stop: threading.Event) -> None:
    """seen[name] = {"run", "test", "added", "gone"}, times as this machine saw them."""
    while not stop.is_set():
        listed = api.list_namespace(label_selector=RUN_LABEL)
        now = time.time()
        for ns in listed.items:
            seen.setdefault(ns.metadata.name, _entry(ns, now))
        try:
            for event in watch.Watch().stream(api.list_namespace, label_selector=RUN_LABEL, timeout_seconds=5,
                                              resource_version=listed.metadata.resource_version):
                if event["type"] not in ("ADDED", "MODIFIED", "DELETED"):
                    continue
                ns, now = event["object"], time.time()
                entry = seen.setdefault(ns.metadata.name, _entry(ns, now))
                if event["type"] == "DELETED":
                    entry["gone"] = now
                if stop.is_set():
                    break
        except client.ApiException as e:
            if e.status != 410:
                raise


def _entry(ns, now: float) -> dict:
    return {"run": ns.metadata.labels[RUN_LABEL], "test": (ns.metadata.annotations or {}).get(TEST_ANNOTATION, ""),
            "added": now, "gone": None}


def exclusive_tests(pytest: str, args: list[str]) -> set[str]:
    out = subprocess.run([pytest, "suites", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-m", "node_mutation or disruptive", *args], cwd=ROOT, capture_output=True, text=True)
    return {line.strip() for line in out.stdout.splitlines() if "::" in line}


def outcome(junit: Path) -> dict:
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    failed = [f"{c.get('classname')}::{c.get('name')}" for c in cases
              if c.find("failure") is not None or c.find("error") is not None]
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    return {"tests": len(cases), "failed": failed, "skipped": skipped}


def run_id(log: Path) -> str | None:
    for line in log.read_text().splitlines():
        if line.startswith("pod-conformance run id: "):
            return line.split(": ", 1)[1].strip()
    return None


def overlaps(seen: dict, exclusive: set[str]) -> list[str]:
    found = []
    for name, x in seen.items():
        if x["test"] not in exclusive:
            continue
        for other, y in seen.items():
            if y["run"] == x["run"]:
                continue
            x_end, y_end = x["gone"] or float("inf"), y["gone"] or float("inf")
            if x["added"] < y_end and y["added"] < x_end:
                found.append(f"{x['test']} (run {x['run']}, namespace {name}) overlapped {y['test']} "
                             f"(run {y['run']}, namespace {other}) by {min(x_end, y_end) - max(x['added'], y['added']):.1f}s")
    return found


def main(credentials: Path) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", default="reports/concurrent")
    parser.add_argument("pytest_args", nargs="*", help="after --: more pytest arguments (default: -n 4)")
    opts = parser.parse_args()
    pytest = str(Path(sys.executable).parent / "pytest")
    extra = opts.pytest_args or ["-n", "4"]
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)

    exclusive = exclusive_tests(pytest, ["--kubeconfig", opts.kubeconfig])
    api = connect(opts.kubeconfig, None, str(credentials)).core
    seen: dict = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch_namespaces, args=(api, seen, stop), daemon=True)
    watcher.start()
    time.sleep(1)

    runs = []
    for i in range(1, opts.runs + 1):
        junit, log = out / f"run{i}.xml", out / f"run{i}.log"
        cmd = [pytest, "suites", "--kubeconfig", opts.kubeconfig, "-p", "no:cacheprovider", f"--junitxml={junit}", *extra]
        runs.append({"i": i, "junit": junit, "log": log, "started": time.time(),
                     "proc": subprocess.Popen(cmd, cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT)})
    for r in runs:
        r["rc"] = r["proc"].wait()
        r["wall"] = time.time() - r["started"]
    time.sleep(3)
    stop.set()
    watcher.join(10)

    ok = True
    ours = {run_id(r["log"]) for r in runs}
    seen = {name: x for name, x in seen.items() if x["run"] in ours}     # other people's runs take no turns
    for r in runs:
        o = outcome(r["junit"]) if r["junit"].exists() else {"tests": 0, "failed": ["no report"], "skipped": 0}
        passed = o["tests"] - len(o["failed"]) - o["skipped"]
        print(f"run {r['i']} ({run_id(r['log'])}): exit {r['rc']}, {r['wall']:.0f} s wall, {o['tests']} tests: {passed} passed, "
              f"{len(o['failed'])} failed, {o['skipped']} skipped "
              f"(started {dt.datetime.fromtimestamp(r['started'], dt.timezone.utc):%H:%M:%S} UTC)")
        for f in o["failed"]:
            print(f"  failed: {f}")
        ok = ok and r["rc"] == 0
    found = overlaps(seen, exclusive)
    held = sum(1 for x in seen.values() if x["test"] in exclusive)
    print(f"{len(seen)} test namespaces watched, {held} of node-mutating or disruptive tests; "
          f"overlaps across runs: {len(found)}")
    for line in found:
        print("  " + line)
    return 0 if ok and not found else 1


if __name__ == "__main__":
    with run_directory.of_this_process("concurrent-runs") as kept:    # the client's credential files
        sys.exit(main(kept))
