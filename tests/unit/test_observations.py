import json

from fixtures import observations
from fixtures.timeline import Timeline


def test_a_record_keeps_outcome_catalog_measurements_pods_and_timeline():
    seen = observations.Observed()
    seen.measure("pod/myweb1 created to in phase Running", 2.3456)
    timeline = Timeline()
    timeline.note("pod/myweb1", "created")
    entry = observations.record("failed", 12.345, seen, timeline, "AssertionError: restarts 0", ["R1"])
    assert entry["outcome"] == "failed" and entry["duration"] == 12.35
    assert entry["catalog"] == ["R1"] and entry["reason"] == "AssertionError: restarts 0"
    assert entry["measurements"] == {"pod/myweb1 created to in phase Running": 2.35}
    assert [e[1:] for e in entry["timeline"]] == [["pod/myweb1", "created"]]


def test_workers_parts_are_joined_into_one_file_and_removed(tmp_path):
    path = tmp_path / "observations.json"
    observations.write(observations.part_path(path, "gw0"), {"a": {"outcome": "passed"}}, {"run_id": "r"})
    observations.write(observations.part_path(path, "gw1"), {"b": {"outcome": "skipped"}}, {"run_id": "r"})
    observations.join_parts(path, {"server_version": "v1.36.3"})
    data = json.loads(path.read_text())
    assert data["tests"] == {"a": {"outcome": "passed"}, "b": {"outcome": "skipped"}}
    assert data["run_id"] == "r" and data["server_version"] == "v1.36.3"
    assert [p.name for p in tmp_path.iterdir()] == ["observations.json"]
