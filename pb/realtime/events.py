"""The catalogue of Socket.IO events: every name and payload, and the only place that emits.

Documented for third-party clients in docs/realtime.md. Services call the `round_*`
functions below only after their database commit, so no client hears of rolled-back data.

| namespace | direction | event | payload |
|---|---|---|---|
| `/` | client → server | `watch` | `{"round": <id>}` → ack `{"ok": true}` or an error ack |
| `/` | server → client | `round_phase` | `{"round": <id>, "phase": "<name>", "version": <int>}` |
| `/` | client → server | `watch_register` | `{}` → ack `{"ok": true}` |
| `/` | server → client | `register_changed` | `{"council": <id>, "recommendations": [...],`
|   |   |   | `"change": "advice" or "response", "version": <int>}` |
"""

from __future__ import annotations

from typing import Any

from pb.extensions import socketio

WATCH = "watch"
ROUND_PHASE = "round_phase"


def round_room(round_id: int) -> str:
    """Return the room of people watching one round's public page."""
    return f"round:{round_id}"


def round_phase_payload(round_: Any) -> dict[str, Any]:
    """Build the `round_phase` payload; `version` lets clients drop stale updates."""
    return {"round": round_.id, "phase": round_.phase,
            "version": int(round_.updated_at.timestamp() * 1000)}


def round_phase_changed(round_: Any) -> None:
    """Tell everyone watching the round that its phase changed."""
    socketio.emit(ROUND_PHASE, round_phase_payload(round_), to=round_room(round_.id),
                  namespace="/")


def ack_error(message: str) -> dict[str, Any]:
    """Build the acknowledgement of a refused request."""
    return {"ok": False, "error": message}


def ack_ok(**extra: Any) -> dict[str, Any]:
    """Build the acknowledgement of an accepted request."""
    return {"ok": True, **extra}


# The public register of council recommendations (namespace "/").
# | `/` | client → server | `watch_register` | `{}` → ack `{"ok": true}` |
# | `/` | server → client | `register_changed` | `{"council": <id>, "recommendations": [<id>...],
#   "change": "advice" or "response", "version": <int>}` |
WATCH_REGISTER = "watch_register"
REGISTER_CHANGED = "register_changed"
REGISTER_ROOM = "register"


def register_changed_payload(council_id: int, recommendation_ids: list[int],
                             change: str) -> dict[str, Any]:
    """Build the `register_changed` payload; `version` lets clients drop stale updates."""
    import time

    return {"council": council_id, "recommendations": list(recommendation_ids),
            "change": change, "version": time.time_ns() // 1_000_000}


def register_changed(council_id: int, recommendation_ids: list[int], change: str) -> None:
    """Tell everyone reading the register that advice or a response was published."""
    socketio.emit(REGISTER_CHANGED,
                  register_changed_payload(council_id, recommendation_ids, change),
                  to=REGISTER_ROOM, namespace="/")
