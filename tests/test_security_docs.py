"""docs/security.md stays true: every test it names exists, and its table of security events
lists exactly the events the code writes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "security.md").read_text()


def test_every_test_named_exists() -> None:
    named = set(re.findall(r"`((?:tests|e2e)/[\w/]+\.py)::(\w+)`", DOC))
    assert len(named) >= 30, "the ASVS table names the test behind each line"
    missing = []
    for path, name in sorted(named):
        tree = ast.parse((ROOT / path).read_text())
        if not any(isinstance(node, ast.FunctionDef) and node.name == name
                   for node in tree.body):
            missing.append(f"{path}::{name}")
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"


def logged_events() -> set[str]:
    """The names the code passes to pb.services.security_log.event, directly or on commit."""
    found = set()
    for path in (ROOT / "pb").rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'security_log\.event\(\s*"([a-z_.]+)"', text))
        found |= set(re.findall(r'security_log\.event,\s*"([a-z_.]+)"', text))
    return found


def test_the_events_table_lists_every_event_logged() -> None:
    section = DOC[DOC.index("## Security events"):DOC.index("## ASVS")]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = {name for cell in first_cells for name in re.findall(r"`([a-z_.]+)`", cell)}
    logged = logged_events()
    assert len(logged) >= 15
    assert logged <= documented, f"logged but not in docs/security.md: {logged - documented}"
    assert documented <= logged, f"in docs/security.md but never logged: {documented - logged}"
