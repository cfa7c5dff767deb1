#!/usr/bin/env python3
"""make bench: runs the suite once as make test does (scripts/run-suite.sh, same variables) and
prints what the run cost: the suite's wall time, the longest test (its own time) and the ratio of the two; each
test's time split into waiting for its holds on the cluster and its own; the API requests each
test made through the suite's client (JUnit properties written by fixtures/costs.py) and those
the API server counted during the run (apiserver_request_total before and after); the peak
memory of the pytest process and its workers, sampled every SAMPLE_S from /proc.

Writes the figures to REPORTS/bench.json too. Exits with the suite's status; with --max-ratio
(or BENCH_MAX_RATIO), 1 when the ratio wall time / longest test exceeds it.

Usage: VENV=.venv REPORTS=reports/bench PYTEST_ARGS='-n 4' .venv/bin/python scripts/bench.py [--max-ratio R]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METRIC = "apiserver_request_total"
SAMPLE_S = 0.5
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def say(message: str) -> None:
    print(f"[make bench] {message}", file=sys.stderr, flush=True)


# -- the API server's count of requests ----------------------------------------------------

def requests_total(metrics: str) -> int:
    """The sum of apiserver_request_total over all its series, from the Prometheus text format."""
    total = 0.0
    for line in metrics.splitlines():
        if not line.startswith(METRIC) or line[len(METRIC):len(METRIC) + 1] not in ("{", " "):
            continue
        rest = line[line.rindex("}") + 1:] if "{" in line else line[len(METRIC):]
        total += float(rest.split()[0])       # a timestamp may follow the value
    return round(total)


class ServerCounter:
    """Reads the API server's count through the kubeconfig's credentials; says why it cannot."""

    def __init__(self, kubeconfig: str, context: str | None, credentials: Path):
        self.api, self.error = None, None
        try:
            from fixtures.cluster import connect
            self.api = connect(kubeconfig, context, str(credentials)).api
        except Exception as e:          # the figure is left out, the run goes on
            self.error = f"{type(e).__name__}: {e}"

    def read(self) -> int | None:
        if self.error:
            return None
        try:
            request = self.api.param_serialize("GET", "/metrics", header_params={"Accept": "text/plain"},
                                               auth_settings=["BearerToken"])
            response = self.api.call_api(*request, _request_timeout=30)
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET /metrics answered {response.status} {response.reason}")
            return requests_total(body.decode())
        except Exception as e:
            self.error = f"{type(e).__name__}: {e}"
            return None

    def figures(self, before: int | None, after: int | None) -> dict:
        if before is None or after is None:
            return {"error": self.error}
        found = {"before": before, "after": after, "delta": after - before}
        if after < before:
            found["error"] = "the count went down: the API server restarted during the run"
        return found


# -- memory of the pytest processes --------------------------------------------------------

def read_processes(proc: Path = Path("/proc")) -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident set in KiB), for every process readable now."""
    table = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue                          # gone meanwhile
        fields = stat[stat.rindex(")") + 2:].split()       # the command name may hold spaces
        table[int(entry.name)] = (int(fields[1]), int(fields[21]) * PAGE_KIB)
    return table


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def descendants(table: dict[int, tuple[int, int]], top: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [top]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def pytest_processes(table: dict[int, tuple[int, int]], top: int, args=cmdline) -> list[int]:
    """The pytest processes below `top`, with all that runs below them (xdist workers, kubectl)."""
    found = []
    for pid in descendants(table, top):
        if any(Path(a).name == "pytest" for a in args(pid)[:2]):
            found += [pid] + descendants(table, pid)
    return sorted(set(found))


class MemorySampler:
    """The peak summed resident set of the pytest processes below a process, and the peak of one."""

    def __init__(self, top: int, interval: float = SAMPLE_S):
        self.top, self.interval = top, interval
        self.peak_sum_kib = self.peak_one_kib = self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample(read_processes())

    def sample(self, table: dict[int, tuple[int, int]], args=cmdline) -> None:
        sizes = [table[pid][1] for pid in pytest_processes(table, self.top, args)]
        if sizes:
            self.samples += 1
            self.peak_sum_kib = max(self.peak_sum_kib, sum(sizes))
            self.peak_one_kib = max(self.peak_one_kib, max(sizes))


# -- the run's JUnit XML -------------------------------------------------------------------

@dataclass
class Case:
    name: str
    total_s: float        # JUnit's time: setup, call and teardown
    waiting_s: float      # for holds on the cluster
    hold: str
    api_requests: int | None

    @property
    def own_s(self) -> float:
        return self.total_s - self.waiting_s


def read_junit(path: Path) -> tuple[float, list[Case]]:
    """pytest's own wall time of the run (the testsuite's time) and its tests, longest first."""
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    cases = []
    for case in root.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        requests = props.get("api_requests")
        cases.append(Case(f"{case.get('classname')}::{case.get('name')}", float(case.get("time") or 0),
                          float(props.get("hold_wait_s") or 0), props.get("hold", "?"),
                          int(requests) if requests is not None else None))
    cases.sort(key=lambda c: c.total_s, reverse=True)
    return float(suite.get("time") or 0), cases


def ratio_check(ratio: float | None, limit: float | None) -> str | None:
    """Why the run fails --max-ratio, or None."""
    if limit is None or ratio is None or ratio <= limit:
        return None
    return f"wall time / longest test = {ratio:.2f} exceeds the limit {limit:g} (--max-ratio, BENCH_MAX_RATIO)"


def figures(wall_s: float, cases: list[Case], run_s: float, server: dict, memory: MemorySampler,
            status: int) -> dict:
    # The test that needs the most time of its own: time it spent waiting for other tests says
    # nothing about what the suite could reach.
    longest = max(cases, key=lambda c: c.own_s) if cases else None
    return {
        "wall_s": wall_s, "wall_source": "pytest's own timing: the JUnit testsuite time",
        "run_suite_s": round(run_s, 2), "run_suite_source": "this script's clock around scripts/run-suite.sh",
        "longest": {"test": longest.name, "s": round(longest.own_s, 3), "total_s": longest.total_s} if longest else None,
        "ratio": round(wall_s / longest.own_s, 2) if longest and longest.own_s > 0 else None,
        "tests": [{**asdict(c), "own_s": round(c.own_s, 3)} for c in cases],
        "client_requests": sum(c.api_requests or 0 for c in cases),
        "server_requests": server,
        "memory": {"peak_sum_kib": memory.peak_sum_kib, "peak_one_kib": memory.peak_one_kib,
                   "samples": memory.samples, "every_s": memory.interval},
        "status": status,
    }


def render(f: dict) -> list[str]:
    lines = [f"suite wall time: {f['wall_s']:.2f} s ({f['wall_source']}); "
             f"scripts/run-suite.sh {f['run_suite_s']:.2f} s by this script's clock (cluster check, the run, check-run)"]
    if f["longest"]:
        lines.append(f"longest test (its own time, waiting for its holds left out): {f['longest']['test']} "
                     f"{f['longest']['s']:.2f} s ({f['longest']['total_s']:.2f} s with waiting); "
                     f"wall time / longest = {f['ratio'] if f['ratio'] is not None else '-'}")
    lines += ["", "per test, longest first (s); waiting: from asking for its holds on the cluster (the "
              "Leases) to having them; own = total - waiting",
              f"{'total':>8} {'waiting':>8} {'own':>8} {'requests':>8}  {'hold':<16} test"]
    for t in f["tests"]:
        requests = t["api_requests"] if t["api_requests"] is not None else "-"
        lines.append(f"{t['total_s']:8.2f} {t['waiting_s']:8.2f} {t['own_s']:8.2f} {requests:>8}  {t['hold']:<16} "
                     f"{t['name']}")
    lines += ["", f"API requests through the suite's client during tests: {f['client_requests']} "
                  "(without lease renewals, the run's start-up and kubectl's own)"]
    server = f["server_requests"]
    if "delta" in server:
        lines.append(f"API requests the API server counted during the run: {server['delta']} ({METRIC} summed, "
                     f"{server['before']} before, {server['after']} after); every client's: the suite's, kubectl's, "
                     f"controllers', schedulers', kubelets'...")
    if "error" in server:
        lines.append(f"API requests the API server counted: not known ({server['error']})")
    m = f["memory"]
    lines.append(f"peak memory of pytest and its workers: {m['peak_sum_kib'] / 1024:.0f} MiB summed resident sets "
                 f"(shared pages counted in each), {m['peak_one_kib'] / 1024:.0f} MiB the largest process "
                 f"({m['samples']} samples, every {m['every_s']:g} s)")
    return lines


# -- the run -------------------------------------------------------------------------------

def cluster_kubeconfig(env: dict) -> tuple[int, str]:
    """The kubeconfig run-suite.sh will use, the cluster brought up as it would be; and its status."""
    with tempfile.NamedTemporaryFile("r", prefix="bench-kubeconfig-") as out:
        chosen = subprocess.run([str(ROOT / "scripts" / "run-suite.sh")], cwd=ROOT,
                                env={**env, "SUITE_CLUSTER_ONLY": out.name})
        return chosen.returncode, out.read().strip()


def junit_of(reports: Path, pid: int, since: float) -> Path | None:
    """This run's JUnit XML: run-suite.sh writes it to REPORTS/run-<its pid>/ while another run
    writes to REPORTS."""
    for path in (reports / f"run-{pid}" / "junit.xml", reports / "junit.xml"):
        if path.is_file() and path.stat().st_mtime >= since:
            return path
    return None


def main(credentials: Path) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-ratio", type=float, default=os.environ.get("BENCH_MAX_RATIO") or None,
                    help="exit 1 when wall time / longest test exceeds this (default: $BENCH_MAX_RATIO, else none)")
    opts = ap.parse_args()
    env = {**os.environ, "REPORTS": os.environ.get("REPORTS") or "reports/bench"}
    reports = ROOT / env["REPORTS"]

    status, kubeconfig = cluster_kubeconfig(env)
    if status:
        return status
    # run-suite.sh takes a context only with the kubeconfig named
    context = os.environ.get("SUITE_CONTEXT") if os.environ.get("SUITE_KUBECONFIG") else None
    counter = ServerCounter(kubeconfig, context or None, credentials)
    before = counter.read()

    since, started = time.time(), time.monotonic()
    child = subprocess.Popen([str(ROOT / "scripts" / "run-suite.sh")], cwd=ROOT, env=env)
    with MemorySampler(child.pid) as memory:
        try:
            status = child.wait()
        except KeyboardInterrupt:
            status = child.wait()
    run_s = time.monotonic() - started
    after = counter.read()

    junit = junit_of(reports, child.pid, since)
    if junit is None:
        say(f"no JUnit XML of this run in {reports}: nothing to measure (scripts/run-suite.sh exited {status})")
        return status or 1
    wall_s, cases = read_junit(junit)
    f = figures(wall_s, cases, run_s, counter.figures(before, after), memory, status)
    f["max_ratio"] = opts.max_ratio
    print("\n".join(["", "== make bench =="] + render(f)))
    (junit.parent / "bench.json").write_text(json.dumps(f, indent=2) + "\n")
    print(f"figures: {junit.parent / 'bench.json'}")
    why = ratio_check(f["ratio"], opts.max_ratio)
    if why:
        print(f"make bench: {why}")
    if status:
        return status
    return 1 if why else 0


if __name__ == "__main__":
    from fixtures.coordination import run_directory
    with run_directory.of_this_process("bench") as kept:    # the client's credential files
        sys.exit(main(kept))
