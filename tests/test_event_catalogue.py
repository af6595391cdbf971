"""The public Socket.IO protocol has one source, `pb.broadcast.events.CATALOGUE`, and the
documents third parties build against (docs/realtime.md, docs/live.md) list exactly it."""

from __future__ import annotations

import re
from pathlib import Path

from flask_socketio import SocketIO

from pb.broadcast import events
from pb.extensions import socketio

DOCS = Path(__file__).resolve().parent.parent / "docs"
ROW = re.compile(r"^\| (client|server|console) → (client|server) \| `([a-z_]+)` \|")
NAMESPACE = re.compile(r"^## .*namespace `(/[a-z]*)`", re.IGNORECASE)


def documented(text: str) -> set[tuple[str, str, str]]:
    """Return (namespace, direction, event) for every row of the document's event tables."""
    found, namespace = set(), None
    for line in text.splitlines():
        heading = NAMESPACE.match(line)
        if heading:
            namespace = heading.group(1)
        row = ROW.match(line)
        if row and namespace:
            found.add((namespace, f"{row.group(1)} → {row.group(2)}", row.group(3)))
    return found


def test_the_documents_list_exactly_the_catalogue() -> None:
    docs = documented((DOCS / "realtime.md").read_text()) | \
        documented((DOCS / "live.md").read_text())
    assert docs == set(events.CATALOGUE)


def test_the_parser_sees_a_missing_or_extra_event() -> None:
    text = "## Namespace `/`: x\n| server → client | `round_phase` | {} |\n"
    assert documented(text) == {("/", "server → client", "round_phase")}
    assert documented(text.replace("round_phase", "round_phased")) != \
        {("/", "server → client", "round_phase")}


def test_every_event_sent_to_the_server_has_a_handler(app: object) -> None:
    assert isinstance(socketio, SocketIO)
    handled = {(namespace, name) for namespace, handlers in socketio.server.handlers.items()
               for name in handlers}
    incoming = {(ns, name) for ns, direction, name in events.CATALOGUE
                if direction.endswith("→ server")}
    assert incoming <= handled, incoming - handled
