#!/usr/bin/env python3
"""Reads a run's JUnit XML: prints what each catalog id got, and fails when the run tested
nothing, or (with CI=true, or --strict) skipped a test for a reason other than the documented
ones: no internet egress (needs_egress) or no permission to disrupt the cluster (disruptive),
and those named with --allow-skip (on a cluster the suite did not create: node_mutation:, and
"cannot prove here:" where the cluster offers nothing to prove a behaviour on). Which catalog ids
a run left unproven the run itself judges (fixtures/proof.py); --require-catalog asks for all of
them proven, by the same verdict (fixtures/proof.py: a test of the id passed and none failed)."""

import argparse
import collections
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fixtures.catalog import CATALOG  # noqa: E402
from fixtures.proof import PROVEN, from_junit, junit_cases  # noqa: E402

ALLOWED_SKIP_PREFIXES = ("needs_egress:", "disruptive:")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("junit")
    ap.add_argument("--strict", action="store_true", default=os.environ.get("CI") == "true")
    ap.add_argument("--require-catalog", action="store_true",
                    help="fail unless every catalog id has at least one passing test")
    ap.add_argument("--allow-skip", action="append", default=[], metavar="PREFIX",
                    help="also allow skips whose reason starts with PREFIX")
    opts = ap.parse_args()
    allowed = ALLOWED_SKIP_PREFIXES + tuple(opts.allow_skip)
    try:
        root = ET.parse(opts.junit).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"check-run: cannot read {opts.junit}: {e}")
        return 1
    by_id = collections.defaultdict(collections.Counter)
    bad_skips = []
    cases = junit_cases(root)
    total = len(cases)
    for name, ids, outcome, reason in cases:
        if outcome == "skipped" and not reason.startswith(allowed):
            bad_skips.append(f"{name}: {reason}")
        for cid in ids:
            by_id[cid][outcome] += 1
    proof = from_junit(root)
    print(f"\ncatalog coverage ({total} tests run):")
    for cid in sorted(by_id, key=lambda i: (i[0], int(i[1:]) if i[1:].isdigit() else 0)):
        print(f"  {cid:<4} " + ", ".join(f"{n} {o}" for o, n in sorted(by_id[cid].items())))
    if total == 0:
        print("check-run: the run executed no test")
        return 1
    unproven = [cid for cid in CATALOG if proof.status(cid)[0] != PROVEN]
    if opts.require_catalog and unproven:
        print("check-run: catalog id(s) not proven (a test passed and none failed): "
              + "; ".join(f"{cid} {' '.join(proof.status(cid))}" for cid in unproven))
        return 1
    if bad_skips:
        print(("check-run: skipped for a reason that is not allowed here:" if opts.strict
               else "check-run: note, skipped:") + "".join(f"\n  {s}" for s in bad_skips))
        return 1 if opts.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
