"""The Socket.IO message queue, with the live namespace's events kept in one order.

Socket.IO's Redis manager sends an event to this process's clients at once and to the other
processes through Redis, so a client on process B could get B's event before an earlier one
from process A that is still on its way. For the live namespace this manager sends every
event only through Redis, to this process's clients too (they get it back from the channel,
as every other process's clients do): with `pb.broadcast.turns` holding the room's turn
until the event is published, each client gets a session's events in `seq` order. Other
namespaces, and events a process sends only to its own clients (`ignore_queue`), are sent
as Socket.IO does.
"""

from __future__ import annotations

from typing import Any

import socketio

LIVE = "/live"
STREAM = "pb-stream"  # the sender of events every process, this one too, delivers


class OrderedRedisManager(socketio.RedisManager):  # type: ignore[misc]
    """Socket.IO's Redis manager, with the live namespace's events sent only through Redis."""

    def emit(self, event: str, data: Any, namespace: str | None = None, room: Any = None,
             skip_sid: Any = None, callback: Any = None, to: Any = None,
             **kwargs: Any) -> Any:
        if namespace != LIVE or kwargs.get("ignore_queue") or callback is not None:
            return super().emit(event, data, namespace=namespace, room=room,
                                skip_sid=skip_sid, callback=callback, to=to, **kwargs)
        # Not handled here first: this process's listener delivers it with everyone else's.
        # The `host_id` is nobody's, so every listener (this one too) handles it.
        self._publish({"method": "emit", "event": event,
                       "data": list(data) if isinstance(data, tuple) else [data],
                       "binary": False, "namespace": namespace, "room": to or room,
                       "skip_sid": skip_sid, "callback": None, "host_id": STREAM})
        return None


def client_manager(url: str | None) -> OrderedRedisManager | None:
    """Return the manager for message queue `url` (Redis), or None to let Socket.IO choose
    (no queue, or another kind)."""
    if not url or not url.startswith(("redis://", "rediss://")):
        return None
    return OrderedRedisManager(url, channel="flask-socketio")
