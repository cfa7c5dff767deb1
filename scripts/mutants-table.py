#!/usr/bin/env python3
"""The broken-cluster lab's table, from what scripts/mutants.sh left in its folder: for each
breakage, the tests that failed, the line that says why, and how long its tests took against the
same tests on the healthy cluster (a broken cluster must fail within BOUND times that; a breakage
over it is named, it does not fail the lab). Exit 1 when a breakage was not caught, or caught
only by failures none of whose first lines matches its cause.

Usage: mutants-table.py [--markdown] FOLDER NAME...     (--markdown: rows for the table in docs/lab.md)"""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def failures(junit: Path) -> list[tuple[str, str]]:
    """(test, first line of its failure) for every failed or erroring test."""
    if not junit.is_file():
        return []
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        for bad in (case.find("failure"), case.find("error")):
            if bad is not None:
                message = (bad.get("message") or bad.text or "").strip()
                found.append((case.get("name", "?"), message.splitlines()[0] if message else "(no message)"))
                break
    return found


def verdict(failed: list[tuple[str, str]], cause: str) -> tuple[str, str, int]:
    """The verdict, the line to show (one that names the cause if any does) and how many of the
    failures name the cause."""
    if not failed:
        return "NOT CAUGHT", "", 0
    naming = [line for _, line in failed if re.search(cause, line, re.IGNORECASE)]
    if naming:
        return "caught, cause named", naming[0], len(naming)
    return "CAUGHT, CAUSE NOT NAMED", failed[0][1], 0


SHOWN = 5      # test names in a row of the table
BOUND = 1.5    # a broken cluster's run of the tests against the healthy cluster's


def times(folder: Path, name: str) -> tuple[str, float | None]:
    """'broken s / healthy s (ratio)' and the ratio; without a healthy run (MUTANTS_HEALTHY=0),
    or with one that failed, the broken time alone and no ratio: not judged."""
    try:
        broken = int((folder / f"{name}.time").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return "not timed", None
    try:
        healthy, status = (int(v) for v in (folder / f"{name}.healthy").read_text().split()[:2])
    except (OSError, ValueError):
        return f"{broken} s (no healthy run)", None
    if status != 0:
        return f"{broken} s / healthy run failed (exit {status})", None
    ratio = broken / max(healthy, 1)
    return f"{broken} s / {healthy} s ({ratio:.1f}x)", ratio


def markdown_row(name: str, what: str, count: int, naming: int, tests: str, line: str, took: str) -> str:
    cell = line.replace("|", "\\|")
    names = tests.split(", ")
    short = ", ".join(f"`{t}`" for t in names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
    return f"| `{name}` | {what} | {count} ({naming} naming the cause): {short} | {took} | {cell[:240]} |"


def main(folder: Path, names: list[str], markdown: bool = False) -> int:
    bad = 0
    ratios = {}
    rows = []
    for name in names:
        what, cause = (folder / f"{name}.meta").read_text().splitlines()[:2]
        failed = failures(folder / f"{name}.xml")
        word, line, naming = verdict(failed, cause)
        bad += not word.startswith("caught,")
        took, ratios[name] = times(folder, name)
        tests = ", ".join(sorted({t.split("[")[0] for t, _ in failed})) or "none"
        rows.append((name, what, word, len(failed), naming, tests, line, took))
    slow = [name for name, ratio in ratios.items() if ratio is not None and ratio > BOUND]
    timed = [name for name, ratio in ratios.items() if ratio is not None]
    if markdown:
        for name, what, word, count, naming, tests, line, took in rows:
            print(markdown_row(name, what, count, naming, tests, line, took))
        return 1 if bad else 0
    for name, what, word, count, naming, tests, line, took in rows:
        print(f"== {name}: {what}")
        print(f"   verdict: {word}; {count} test(s) failed, {naming} naming the cause: {tests}")
        print(f"   took:    {took}" + (" (broken / healthy)" if ratios[name] is not None else "")
              + ("" if name not in slow else f", over {BOUND:g}x"))
        if line:
            print(f"   says:    {line[:300]}")
    print(f"\nlab: {len(rows) - bad} of {len(rows)} breakages caught with their cause named")
    if timed:
        print(f"lab: {len(timed) - len(slow)} of {len(timed)} timed breakages failed within {BOUND:g}x of the healthy "
              f"run of their tests" + (f"; over it: {', '.join(slow)}" if slow else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    as_markdown = args[:1] == ["--markdown"]
    args = args[1:] if as_markdown else args
    if len(args) < 2:
        sys.exit(__doc__)
    sys.exit(main(Path(args[0]), args[1:], as_markdown))
