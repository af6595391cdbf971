"""A live room's turn across server processes, and one counter of phone tallies per session.

With several server processes sharing rooms through Redis, each process ordering its own
events (`events.in_order`) is not enough: process A may take `seq` 10 and still be reading
while process B takes 11 and sends, and a client then drops A's event as stale. So while a
process holds a room's turn it also holds a Redis lock for the room, takes `seq` from a
counter in Redis, and publishes before letting go; `pb.broadcast.queue` sends every live
event through Redis, to this process's clients too. The room's events then enter, and leave,
the one Redis channel in `seq` order, whichever process sends them (docs/realtime.md,
"Ordering events").

A lease (`holds_lease`) picks one process to count a session's phone tallies, so phones get
one stream of tallies however many processes serve them.

Without Redis (one process) every function here does nothing. Imports redis only when a
Redis URL is configured (the server extra).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOCK_SECONDS = 5.0  # a process that dies holding a turn frees it after this
WAIT_SECONDS = 5.0  # how long to wait for a turn before sending anyway (logged)
# The next `seq` of a room: at least the caller's candidate, and above the last one given.
_NEXT_SEQ = """local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local seq = math.max(tonumber(ARGV[1]), last + 1)
redis.call('SET', KEYS[1], string.format('%.0f', seq), 'EX', 86400)
return seq"""
# Take the lease if free, or renew it if this process holds it.
_LEASE = """if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0"""

_log = logging.getLogger("pb.live")
_me = uuid.uuid4().hex  # this process, as lease holder
_redis: Any = None
_scripts: dict[str, Any] = {}
_held = threading.local()  # per thread (per greenlet under gevent): {room: lock or None}


def configure(url: str | None) -> None:
    """Share turns through the Redis at `url` (the Socket.IO message queue), or not."""
    global _redis
    if not url or not url.startswith(("redis://", "rediss://")):
        _redis = None
        return
    import redis  # noqa: PLC0415  (the server extra; only with several processes)
    _redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    _scripts["seq"] = _redis.register_script(_NEXT_SEQ)
    _scripts["lease"] = _redis.register_script(_LEASE)


def shared() -> bool:
    """Tell whether turns are shared with other processes through Redis."""
    return _redis is not None


def _rooms() -> dict[str, Any]:
    rooms = getattr(_held, "rooms", None)
    if rooms is None:
        rooms = _held.rooms = {}
    return rooms


@contextmanager
def across_processes(room: str) -> Iterator[None]:
    """Hold `room`'s Redis lock (re-entrant within a thread) while the block runs.

    If Redis does not answer, or the lock is not free within `WAIT_SECONDS`, the block runs
    anyway and it is logged: events may then cross, but none is held back."""
    rooms = _rooms()
    if _redis is None or room in rooms:
        yield
        return
    lock = _redis.lock(f"pb:turn:{room}", timeout=LOCK_SECONDS,
                       blocking_timeout=WAIT_SECONDS, thread_local=False)
    try:
        got = bool(lock.acquire())
    except Exception:  # noqa: BLE001 - Redis away: send unordered rather than not at all
        _log.warning("could not take the turn of %s in Redis", room, exc_info=True)
        got = False
    if not got:
        _log.warning("sending in %s without its turn (Redis lock not free)", room)
    rooms[room] = lock if got else None
    try:
        yield
    finally:
        del rooms[room]
        if got:
            try:
                lock.release()
            except Exception:  # noqa: BLE001 - expired while held: the next one goes on
                _log.warning("the turn of %s ran out while held", room, exc_info=True)


def next_seq(room: str, candidate: int) -> int:
    """Return `room`'s next `seq` from Redis (at least `candidate`) while this thread holds
    the room's turn, else `candidate`."""
    if _redis is None or _rooms().get(room) is None:
        return candidate
    try:
        return int(_scripts["seq"](keys=[f"pb:seq:{room}"], args=[candidate]))
    except Exception:  # noqa: BLE001
        _log.warning("could not take a seq for %s from Redis", room, exc_info=True)
        return candidate


def holds_lease(name: str, seconds: float) -> bool:
    """Take or renew lease `name` for `seconds`; tell whether this process holds it.

    Without Redis the one process always holds it; if Redis does not answer, nobody does."""
    if _redis is None:
        return True
    try:
        return bool(_scripts["lease"](keys=[f"pb:lease:{name}"],
                                      args=[_me, int(seconds * 1000)]))
    except Exception:  # noqa: BLE001
        _log.warning("could not renew the lease %s", name, exc_info=True)
        return False
