#!/usr/bin/env python3
"""The broken-cluster lab's table, from what scripts/mutants.sh left in its folder: for each
breakage, the tests that failed and the line that says why. Exit 1 when a breakage was not
caught, or caught only by failures none of whose first lines matches its cause.

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


def markdown_row(name: str, what: str, count: int, naming: int, tests: str, line: str) -> str:
    cell = line.replace("|", "\\|")
    names = tests.split(", ")
    short = ", ".join(f"`{t}`" for t in names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
    return f"| `{name}` | {what} | {count} ({naming} naming the cause): {short} | {cell[:240]} |"


def main(folder: Path, names: list[str], markdown: bool = False) -> int:
    bad = 0
    rows = []
    for name in names:
        what, cause = (folder / f"{name}.meta").read_text().splitlines()[:2]
        failed = failures(folder / f"{name}.xml")
        word, line, naming = verdict(failed, cause)
        bad += not word.startswith("caught,")
        tests = ", ".join(sorted({t.split("[")[0] for t, _ in failed})) or "none"
        rows.append((name, what, word, len(failed), naming, tests, line))
    if markdown:
        for name, what, word, count, naming, tests, line in rows:
            print(markdown_row(name, what, count, naming, tests, line))
        return 1 if bad else 0
    for name, what, word, count, naming, tests, line in rows:
        print(f"== {name}: {what}")
        print(f"   verdict: {word}; {count} test(s) failed, {naming} naming the cause: {tests}")
        if line:
            print(f"   says:    {line[:300]}")
    print(f"\nlab: {len(rows) - bad} of {len(rows)} breakages caught with their cause named")
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    as_markdown = args[:1] == ["--markdown"]
    args = args[1:] if as_markdown else args
    if len(args) < 2:
        sys.exit(__doc__)
    sys.exit(main(Path(args[0]), args[1:], as_markdown))
