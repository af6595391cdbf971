"""The catalogue of Socket.IO events: every name and payload, and the only place that emits.

Documented for third-party clients in docs/realtime.md. Services call the `round_*`
functions below only after their database commit, so no client hears of rolled-back data.

| namespace | direction | event | payload |
|---|---|---|---|
| `/` | client → server | `watch` | `{"round": <id>}` → ack `{"ok": true}` or an error ack |
| `/` | server → client | `round_phase` | `{"round": <id>, "phase": "<name>", "version": <int>}` |
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
