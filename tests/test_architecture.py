"""The layers keep to their places: pages and socket handlers never touch the database session.

Services own the transaction (`unit_of_work` in pb/services/__init__.py): they commit, roll
back and send events after the commit. A view or a socket handler that needs data, or needs
to change it, calls a service; one that sees `db.session` could commit half a use case or
roll back someone else's. This test reads the source (it imports nothing), so it names every
offending line at once.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("pb/web", "pb/realtime")  # views and socket handlers
MENTION = re.compile(r"\bdb\s*\.\s*session\b")
ADVICE = ("call a service instead (add a function to the feature's module in pb/services if "
          "none fits); services commit with `unit_of_work()`, and error handlers use "
          "`pb.services.discard()`")


def _dotted(node: ast.expr) -> list[str]:
    """Return `a.b.c` as ["a", "b", "c"] (a call or subscript on the way counts as "?")."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "?")
    return parts[::-1]


def _extensions_names(tree: ast.AST) -> set[str]:
    """Return the names `tree` binds to the pb.extensions module itself."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname for alias in node.names
                      if alias.name == "pb.extensions" and alias.asname}
        elif isinstance(node, ast.ImportFrom) and node.module == "pb":
            names |= {alias.asname or alias.name for alias in node.names
                      if alias.name == "extensions"}
    return names


def offences(source: str) -> list[tuple[int, str]]:
    """Return (line, what) for each line of `source` that uses the database session or
    imports `db`, in its code or (for `db.session`) in its comments and strings."""
    tree = ast.parse(source)
    modules = _extensions_names(tree)
    found: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and \
                (node.module or "").rpartition(".")[2] == "extensions" and \
                any(alias.name == "db" for alias in node.names):
            found[node.lineno] = "imports db from pb.extensions"
        elif isinstance(node, ast.Attribute):
            path = _dotted(node)
            if path[-2:] == ["db", "session"]:
                found[node.lineno] = "uses db.session"
            elif path[-1] == "db" and len(path) > 1 and \
                    (path[-2] == "extensions" or path[-2] in modules):
                found.setdefault(node.lineno, "uses pb.extensions.db")
    for number, text in enumerate(source.splitlines(), start=1):
        if MENTION.search(text):
            found.setdefault(number, "mentions db.session")
    return sorted(found.items())


def layer_files() -> list[Path]:
    return sorted(path for layer in LAYERS for path in (ROOT / layer).rglob("*.py"))


def test_views_and_socket_handlers_never_touch_the_database_session() -> None:
    assert layer_files(), "no view or handler modules found: has pb/ moved?"
    problems = [f"{path.relative_to(ROOT)}:{line}: {what}"
                for path in layer_files()
                for line, what in offences(path.read_text(encoding="utf-8"))]
    assert not problems, (f"{len(problems)} place(s) in {' and '.join(LAYERS)} touch the "
                          f"database session; {ADVICE}:\n" + "\n".join(problems))


@pytest.mark.parametrize(("source", "expected"), [
    ("from pb.extensions import db\n", [(1, "imports db from pb.extensions")]),
    ("from pb.extensions import (\n    csrf,\n    db,\n)\n",
     [(1, "imports db from pb.extensions")]),
    ("from ..extensions import db as database\n", [(1, "imports db from pb.extensions")]),
    ("def f():\n    from pb.extensions import db\n    db.session.commit()\n",
     [(2, "imports db from pb.extensions"), (3, "uses db.session")]),
    ("import pb.extensions\npb.extensions.db.session.rollback()\n", [(2, "uses db.session")]),
    ("import pb.extensions as ext\nrows = ext.db.engine\n", [(2, "uses pb.extensions.db")]),
    ("x = 1  # then db.session.commit()\n", [(1, "mentions db.session")]),
])
def test_the_check_finds_the_session_however_it_is_reached(
        source: str, expected: list[tuple[int, str]]) -> None:
    assert offences(source) == expected


@pytest.mark.parametrize("source", [
    "from pb.extensions import csrf, socketio\n",
    "from flask import session\nsession.get('key')\n",
    "from pb.services import discard, unit_of_work\ndiscard()\n",
    "sidebar.session_count = 2\n",
])
def test_the_check_lets_the_rest_through(source: str) -> None:
    assert offences(source) == []
