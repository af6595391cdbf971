"""requirements.lock pins, with hashes, a version of every dependency that pyproject.toml's
ranges allow, so ./dev installs the same tested program every time."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins(name: str = "requirements.lock") -> dict[str, tuple[str, int]]:
    """Return each locked package's version and how many hashes it carries."""
    text = (ROOT / name).read_text()
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"([A-Za-z0-9_.\-]+)==([^\s\\]+)", block)
        if head:
            found[canonicalize_name(head.group(1))] = (head.group(2), block.count("--hash=sha256:"))
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in [*project["dependencies"], *extras["server"],
                                     *extras["test"]]]


def test_every_dependency_is_pinned_with_hashes_within_its_range() -> None:
    locked = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock: run ./dev lock"
        version, hashes = locked[name]
        assert hashes >= 1, f"{name} has no hash in requirements.lock"
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{name}=={version} is outside {requirement.specifier}: run ./dev lock"


def test_every_range_has_an_upper_bound() -> None:
    unbounded = [str(r) for r in declared()
                 if not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)]
    assert unbounded == []


def test_the_production_lock_pins_the_server_extra_at_the_same_versions() -> None:
    everything, server = pins(), pins("requirements-server.lock")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = [Requirement(r) for r in [*project["dependencies"],
                                       *project["optional-dependencies"]["server"]]]
    assert {canonicalize_name(r.name) for r in needed} <= set(server)
    assert {name: everything[name] for name in server} == server
    assert "pytest" not in server and "playwright" not in server
