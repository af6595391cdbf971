"""The worker: sends the outbox with retries, the voting reminders and the daily digest, and
prepares photos whose re-encoding a dead process left half-done (pb.services.picture_jobs).

`pb worker` runs it on its own (one per multi-process install); `pb serve` runs it inside
the server in the embedded default (docs/deploy/worker.md).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import Flask

from pb.extensions import db
from pb.services import discard, mail, picture_jobs
from pb.services.notifications import send_digests, send_voting_reminders

log = logging.getLogger(__name__)

INTERVAL = 30.0  # seconds between passes when nothing wakes the worker


def run_once(now: datetime | None = None) -> int:
    """Make what is due (reminders, the digest), then send what waits; return emails sent.
    Photos left processing for more than a minute are prepared first."""
    try:
        picture_jobs.resume_stale(now)
    except Exception:  # a photo must never hold up the emails
        log.exception("Preparing the photos left processing failed; trying again next pass.")
        discard()
    send_voting_reminders(now)
    send_digests(now)
    return mail.deliver_due(now)


def run_forever(app: Flask, stop: threading.Event | None = None,
                interval: float = INTERVAL) -> None:
    """Run passes until `stop` is set: each in a fresh app context, woken early when this
    process commits a new email. A failing pass (the database away) is logged and tried
    again next time; nothing it did is kept half-done."""
    stop = stop or threading.Event()
    while not stop.is_set():
        with app.app_context():
            try:
                run_once()
            except Exception:  # the worker must outlive one bad pass
                log.exception("The worker's pass failed; trying again in %s s.", interval)
                discard()
            finally:
                db.session.remove()
        mail.WAKE.wait(interval)
        mail.WAKE.clear()
