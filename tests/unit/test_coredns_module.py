"""CoreDNS's main module requires every module it shares with kube at kube's version, so the
local cluster's build compiles the shared packages once (localcluster/coredns/go.mod)."""

import re
from pathlib import Path

LOCALCLUSTER = Path(__file__).resolve().parents[2] / "localcluster"
REQUIREMENT = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)(?:\s*//.*)?$")
REPLACEMENT = re.compile(r"^\s*(?:replace\s+)?(\S+)\s+=>\s+(\S+)\s+(v\S+)\s*$")


def versions(go_mod: Path) -> dict[str, str]:
    """Each required module's version, after replace directives."""
    required, replaced = {}, {}
    for line in go_mod.read_text().splitlines():
        if line.lstrip().startswith(("//", "module ", "go ", "toolchain ")):
            continue
        if m := REPLACEMENT.match(line):
            replaced[m.group(1)] = m.group(3)
        elif m := REQUIREMENT.match(line):
            required[m.group(1)] = m.group(2)
    return {path: replaced.get(path, version) for path, version in required.items()}


def test_the_parser_reads_requirements_and_replacements():
    assert REQUIREMENT.match("\tk8s.io/api v0.36.3 // indirect").groups() == ("k8s.io/api", "v0.36.3")
    assert REQUIREMENT.match("require github.com/coredns/coredns v1.14.1").groups()[1] == "v1.14.1"
    assert REPLACEMENT.match("\tk8s.io/api => k8s.io/api v0.36.3").groups()[2] == "v0.36.3"


def test_coredns_requires_the_modules_it_shares_with_kube_at_kubes_versions():
    kube = versions(LOCALCLUSTER / "kube" / "go.mod")
    coredns = versions(LOCALCLUSTER / "coredns" / "go.mod")
    shared = sorted(coredns.keys() & kube.keys())
    assert len(shared) > 30, shared
    assert {path: (coredns[path], kube[path]) for path in shared if coredns[path] != kube[path]} == {}
