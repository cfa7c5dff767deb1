from pathlib import Path

import pytest

from fixtures import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(pytester, monkeypatch):
    """A pytest project with the suite's pytest.ini and its plugin, run in a subprocess."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for s in settings.SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    # None of these runs needs a cluster; should one try to connect, it must find none.
    monkeypatch.setenv("KUBECONFIG", str(pytester.path / "no-cluster.kubeconfig"))
    (pytester.path / "pytest.ini").write_text((ROOT / "pytest.ini").read_text())
    for d in ("suites", "tests"):
        (pytester.path / d).mkdir()

    def run(*args):
        return pytester.runpytest_subprocess("-p", "fixtures.plugin", "-p", "no:cacheprovider", *args,
                                             timeout=60)

    return pytester, run
