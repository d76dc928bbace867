"""layers/catalog/requirements-layer.txt is what `sam build` installs (with --no-deps): it must be exactly
the dependency closure of layers/catalog/requirements.txt, at the versions tested here in .venv, less
what the Lambda runtime provides."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LAYER = Path(__file__).resolve().parents[2] / "layers" / "catalog"
# In the python3.13 Lambda runtime already (boto3 and what it pulls in); the layer must not shadow them.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "urllib3", "python-dateutil", "six", "jmespath"}


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def closure(roots: list[Requirement]) -> dict[str, str]:
    """Every distribution the roots need (markers evaluated for their extras), name -> installed version."""
    found: dict[str, str] = {}
    pending = [(root, frozenset(root.extras)) for root in roots]
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found[name] = metadata.version(name)
        for line in metadata.requires(name) or []:
            dependency = Requirement(line)
            marker: Marker | None = dependency.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in (extras or {""})):
                pending.append((dependency, frozenset(dependency.extras)))
    return found


def test_the_layer_list_is_the_pinned_closure_minus_the_runtime() -> None:
    roots = [Requirement(line) for line in requirement_lines(LAYER / "requirements.txt")]
    expected = {name: version for name, version in closure(roots).items() if name not in RUNTIME_PROVIDED}
    pinned = {}
    for line in requirement_lines(LAYER / "requirements-layer.txt"):
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert match, f"not an exact pin: {line!r}"
        pinned[canonicalize_name(match[1])] = match[2]
    assert pinned == expected


def test_the_roots_are_pinned_in_the_layer_list() -> None:
    layer = {canonicalize_name(line.split("==")[0]) for line in requirement_lines(LAYER / "requirements-layer.txt")}
    for line in requirement_lines(LAYER / "requirements.txt"):
        assert canonicalize_name(Requirement(line).name) in layer
