"""The nightly staging example accepts as unproven exactly the catalog ids that no test can prove
without changing a node: every test of N2, N6 and X4 labels or taints nodes, and every other id has a
test that does not (N4 and N5 through a node already tainted by someone else)."""

import yaml

from conftest import ROOT
from fixtures import catalog

CHANGES_NODES = ("node_mutation", "disruptive")


def ids_needing_node_changes(pytester) -> list[str]:
    # Collected without the suite's plugin, which would connect to a cluster once tests are collected.
    items, _ = pytester.inline_genitems(str(ROOT / "suites"), "-p", "no:fixtures.plugin", "-p", "no:cacheprovider")
    provable = {cid for item in items if not any(item.get_closest_marker(m) for m in CHANGES_NODES)
                for mark in item.iter_markers("catalog") for cid in mark.args}
    return [cid for cid in catalog.CATALOG if cid not in provable]


def accepted_in_example() -> list[str]:
    workflow = yaml.safe_load((ROOT / "examples" / "nightly-staging.yml").read_text())
    run = next(step["run"] for step in workflow["jobs"]["conformance"]["steps"] if "make test" in step.get("run", ""))
    return run.split("--accept-unproven ")[1].split('"')[0].split(",")


def test_the_staging_example_accepts_exactly_the_ids_only_node_changes_prove(pytester):
    assert ids_needing_node_changes(pytester) == ["N2", "N6", "X4"]
    assert accepted_in_example() == ["N2", "N6", "X4"]
