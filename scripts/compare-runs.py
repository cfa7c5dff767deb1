#!/usr/bin/env python3
"""Compares two runs' observations (before and after an upgrade) and accepts or rejects.

Rejects on: a test that passed before and does not pass after; a test that passed before and
is missing after; a measured duration that grew by more than --threshold (a fraction) and by
more than --min-delta seconds, in the run after and in every run of --again (the slowed tests
run once more: a duration that grew once may be the host's load that moment); a node that took
the suite's pods before and is left out after (a run passes over a node its owner cordoned or tainted, so only the comparison
sees that an upgrade left one so); and on each --reject REASON. Prints the verdict, its reasons and a
table, and writes them to --out."""

import argparse
import json
import sys
from pathlib import Path


def load(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        sys.exit(f"compare-runs: cannot read observations {path}: {e}")


NAME_WIDTH = 90


def short_name(test: str, width: int = NAME_WIDTH) -> str:
    """suites/test_x.py::test_y[p] -> test_x::test_y[p], its middle cut if still wider than WIDTH."""
    name = test.removeprefix("suites/").replace(".py::", "::", 1)
    if len(name) <= width:
        return name
    keep = width - 1
    return name[:keep // 2] + "…" + name[len(name) - (keep - keep // 2):]


def catalog_ids(entry: dict) -> str:
    return ",".join(entry.get("catalog") or [])


def label(test: str, entry: dict) -> str:
    """How a rejection names a test: its catalog ids and short name."""
    return " ".join(filter(None, [catalog_ids(entry), short_name(test, 10_000)]))


def measured_after(test: str, name: str, after: dict, again: list[dict]) -> float | None:
    """A duration after: the shortest of the run after and the runs again that measured it."""
    seen = [m for run in [after, *again]
            if (m := (((run["tests"].get(test) or {}).get("measurements")) or {}).get(name)) is not None]
    return min(seen) if seen else None


def compare(before: dict, after: dict, threshold: float, min_delta: float,
            again: list[dict] = ()) -> tuple[list, list, list]:
    """Returns (rows, rejections, slowed); a row is (test, before, after, note, regressed); slowed:
    the tests with a duration that grew."""
    rows, rejections, slowed = [], [], []
    b_tests, a_tests = before["tests"], after["tests"]
    for test in sorted(set(b_tests) | set(a_tests)):
        b, a = b_tests.get(test), a_tests.get(test)
        if a is None:
            regressed = b["outcome"] == "passed"
            rows.append((test, b["outcome"], "missing", "test disappeared", regressed))
            if regressed:
                rejections.append(f"{label(test, b)}: passed before, missing after")
            continue
        if b is None:
            rows.append((test, "-", a["outcome"], "new test", False))
            continue
        notes = []
        if b["outcome"] == "passed" and a["outcome"] != "passed":
            notes.append(f"passed before, {a['outcome']} after" + (f": {a.get('reason')}" if a.get("reason") else ""))
        slower = []
        for name, then in (b.get("measurements") or {}).items():
            now = measured_after(test, name, after, again) if (a.get("measurements") or {}).get(name) is not None else None
            if now is not None and now - then > min_delta and now > then * (1 + threshold):
                slower.append(f"{name} {then:.1f}s -> {now:.1f}s")
        if slower:
            notes.append("slower: " + "; ".join(slower))
            slowed.append(test)
        rejections += [f"{label(test, a)}: {n}" for n in notes]
        fixed = b["outcome"] != "passed" and a["outcome"] == "passed"
        rows.append((test, b["outcome"], a["outcome"], "; ".join(notes) or ("passes now" if fixed else ""), bool(notes)))
    return rows, rejections, slowed


def lost_nodes(before: dict, after: dict) -> list[str]:
    """Nodes that played the guide's workers before and take no pods after, with the reason."""
    b, a = before.get("nodes") or {}, after.get("nodes") or {}
    if not b or not a:
        return []
    left_out = a.get("left_out") or {}
    return [f"node {n} took the suite's pods before and is left out after: {left_out[n]}"
            for n in b.get("workers") or [] if n in left_out]


def largest_growth(before: dict, after: dict) -> str:
    """The measured duration that grew the most, as evidence of how close an ACCEPT was."""
    growth = [(now - then, test, name, then, now)
              for test, b in before["tests"].items()
              for name, then in (b.get("measurements") or {}).items()
              if (now := ((after["tests"].get(test) or {}).get("measurements") or {}).get(name)) is not None]
    if not growth:
        return "no duration measured in both runs"
    delta, test, name, then, now = max(growth)
    return f"{delta:+.2f}s: {label(test, after['tests'][test])}: {name} {then:.1f}s -> {now:.1f}s"


def render(rows, rejections, before: dict, after: dict, threshold: float, min_delta: float, again: int = 0) -> str:
    """The verdict and its reasons first, then the whole table; regressed rows marked `!`."""
    if rejections:
        lines = [f"REJECT: {len(rejections)} regression(s)"] + [f"  - {r}" for r in rejections]
    else:
        lines = [f"ACCEPT: {sum(1 for r in rows if r[2] == 'passed')} tests pass after as before; no regression"]
    ids = {t: catalog_ids(after["tests"].get(t) or before["tests"][t]) for t, *_ in rows}
    id_width = max([len(i) for i in ids.values()] + [len("id")])
    width = min(NAME_WIDTH, max((len(short_name(r[0])) for r in rows), default=10))
    lines += ["", f"before: run {before.get('run_id')} on {before.get('server_version')}",
              f"after:  run {after.get('run_id')} on {after.get('server_version')}",
              f"duration threshold: +{threshold:.0%} and +{min_delta:g}s" + (
                  f"; a duration after is the shortest of the run after and {again} later run(s) of the tests that "
                  f"had grown" if again else ""),
              f"largest growth of a duration: {largest_growth(before, after)}", "",
              f"{'id':<{id_width}}  {'test':<{width}}  {'before':<8} {'after':<8} note",
              "-" * (id_width + width + 32)]
    for test, b, a, note, regressed in rows:
        lines.append(f"{ids[test]:<{id_width}}  {short_name(test):<{width}}  {b:<8} {a:<8}"
                     f"{'!' if regressed else ' '}{note}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--threshold", type=float, default=0.5, help="allowed growth of a duration (0.5 = +50%%)")
    ap.add_argument("--min-delta", type=float, default=5.0, help="growth in seconds always allowed")
    ap.add_argument("--out", help="also write the table here")
    ap.add_argument("--again", action="append", default=[], metavar="OBSERVATIONS",
                    help="a later run of the slowed tests on the cluster after: a duration grew only if it grew there too")
    ap.add_argument("--slower-tests", metavar="FILE",
                    help="write the tests whose durations grew here, one node id a line (to run them again)")
    ap.add_argument("--reject", action="append", default=[], metavar="REASON",
                    help="a regression found outside the two runs (for example the upgrade's long-running workloads)")
    opts = ap.parse_args()
    before, after = load(opts.before), load(opts.after)
    again = [load(path) for path in opts.again]
    rows, rejections, slowed = compare(before, after, opts.threshold, opts.min_delta, again)
    if opts.slower_tests:
        Path(opts.slower_tests).write_text("".join(f"{test}\n" for test in slowed))
    rejections = opts.reject + lost_nodes(before, after) + rejections
    text = render(rows, rejections, before, after, opts.threshold, opts.min_delta, len(again))
    print(text, end="")
    if opts.out:
        Path(opts.out).parent.mkdir(parents=True, exist_ok=True)
        Path(opts.out).write_text(text)
    return 1 if rejections else 0


if __name__ == "__main__":
    sys.exit(main())
