"""Throttled broadcasts: however many changes arrive, at most one send per interval per key."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask, current_app

from pb.extensions import db, socketio


class Throttle:
    """Coalesce requests to send something: the first schedules a send, the rest ride on it.

    The send runs in a background task with an app context, `interval` seconds after the
    previous send of the same key at the earliest, and reads the state afresh when it runs, so
    the last change before it is always included.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._pending: set[str] = set()
        self._running = 0  # sends scheduled and not finished
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def request(self, key: str, send: Callable[[], None]) -> None:
        """Make sure `send` runs soon; return at once."""
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
            self._running += 1
            delay = max(0.0, self._last.get(key, 0.0) + self.interval - time.monotonic())
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        socketio.start_background_task(self._run, app, key, delay, send)

    def _run(self, app: Flask, key: str, delay: float, send: Callable[[], None]) -> None:
        if delay:
            socketio.sleep(delay)
        with self._lock:
            self._pending.discard(key)
            self._last[key] = time.monotonic()
        try:
            with app.app_context():
                try:
                    send()
                finally:
                    db.session.remove()
        finally:
            with self._lock:
                self._running -= 1

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every scheduled send has finished (before a shutdown, or the end of a
        test whose database goes with it); tell whether they all did within `timeout`."""
        deadline = time.monotonic() + timeout
        while self._running and time.monotonic() < deadline:
            socketio.sleep(0.02)
        return not self._running
