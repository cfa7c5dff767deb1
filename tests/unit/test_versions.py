from fixtures import versions
from fixtures.proof import CANNOT_PROVE_HERE


def test_the_minor_release_is_read_from_a_plain_or_a_vendors_version():
    assert versions.minor("v1.36.3") == 36
    assert versions.minor("v1.29.4-eks-1a2b3c") == 29
    assert versions.minor("") is None and versions.minor(None) is None and versions.minor("v2.0.0") is None


def test_an_older_server_is_cannot_prove_here_naming_both_releases():
    why = versions.too_old("v1.28.9", 29, "native sidecars")
    assert why == f"{CANNOT_PROVE_HERE}native sidecars came with Kubernetes v1.29; this cluster's API server is v1.28.9"


def test_the_release_itself_a_newer_one_or_an_unreadable_version_runs_the_test():
    assert versions.too_old("v1.29.0", 29, "x") is None
    assert versions.too_old("v1.36.3", 29, "x") is None
    assert versions.too_old("unknown", 29, "x") is None
