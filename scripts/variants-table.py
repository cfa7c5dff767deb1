#!/usr/bin/env python3
"""The healthy-variants lab's table, from what scripts/variants.sh left in its folder: for each
variant, the ids proven, the ids NOT PROVEN and why, the failed tests and the wall time. Exit 1
when a test failed on a variant, or its NOT PROVEN ids are not exactly those it expects.

Usage: variants-table.py [--markdown] FOLDER NAME...    (--markdown: rows for the table in docs/clusters.md)"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fixtures.catalog import CATALOG  # noqa: E402
from fixtures.proof import NOT_PROVEN, NOT_SELECTED, PROVEN, from_junit, junit_cases  # noqa: E402


def judge(junit: Path, expected: set[str]) -> dict:
    """What one variant's run came to, and what is wrong with it (empty when it is as expected)."""
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError) as e:
        return {"proven": [], "unproven": {}, "failed": [], "wrong": [f"no readable results ({e})"]}
    proof = from_junit(root)
    status = {cid: proof.status(cid) for cid in CATALOG}
    proven = [cid for cid, (verdict, _) in status.items() if verdict == PROVEN]
    unproven = {cid: detail for cid, (verdict, detail) in status.items() if verdict == NOT_PROVEN}
    failed = [name for name, _, outcome, _ in junit_cases(root) if outcome == "failed"]
    wrong = [f"failed: {name}" for name in failed]
    wrong += [f"{cid} NOT PROVEN, not expected: {unproven[cid]}" for cid in sorted(set(unproven) - expected)]
    wrong += [f"{cid} expected NOT PROVEN, got {status[cid][0]}" for cid in sorted(expected - set(unproven))]
    not_run = [cid for cid, detail in unproven.items() if detail == NOT_SELECTED]
    wrong += [f"{cid} had no test run" for cid in not_run if cid not in expected]
    return {"proven": proven, "unproven": unproven, "failed": failed, "wrong": wrong}


def main(folder: Path, names: list[str], markdown: bool = False) -> int:
    bad = 0
    for name in names:
        what, expected = ((folder / f"{name}.meta").read_text().splitlines() + ["", ""])[:2]
        seconds = (folder / f"{name}.seconds").read_text().strip() if (folder / f"{name}.seconds").exists() else "?"
        found = judge(folder / f"{name}.xml", set(expected.split()))
        bad += bool(found["wrong"])
        why = "; ".join(f"{cid}: {detail}" for cid, detail in found["unproven"].items()) or "none"
        if markdown:
            print(f"| `{name}` | {what} | {len(found['proven'])} of {len(CATALOG)} | {why.replace('|', '/')} | "
                  f"{seconds} s |")
            continue
        verdict = "as expected" if not found["wrong"] else "NOT AS EXPECTED"
        print(f"{name}: {verdict}: {len(found['proven'])} of {len(CATALOG)} ids proven, "
              f"{len(found['failed'])} failed, in {seconds} s\n  {what}\n  NOT PROVEN: {why}")
        for line in found["wrong"]:
            print(f"  ! {line}")
    if not markdown:
        print(f"\n{len(names) - bad} of {len(names)} variants as expected: no failure, and NOT PROVEN exactly "
              f"where the variant allows no proof")
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    markdown = "--markdown" in args
    args = [a for a in args if a != "--markdown"]
    if len(args) < 2:
        sys.exit(__doc__)
    sys.exit(main(Path(args[0]), args[1:], markdown))
