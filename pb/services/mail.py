"""Send email through a durable outbox: `send_mail` writes the message in the caller's
transaction; only the worker (`deliver_due`, run by `pb worker` or inside `pb serve`) sends it,
trying again with growing waits until the SMTP server takes it (docs/deploy/worker.md).

A message is claimed for sending with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so
several workers never send one twice; SQLite runs one worker (the embedded default).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from pb.domain.notifications import retry_delay
from pb.extensions import db
from pb.models import OutboxMessage
from pb.models.base import utcnow
from pb.services import on_commit, unit_of_work

log = logging.getLogger(__name__)

# Set when a message is committed, so a waiting worker in this process sends it at once.
WAKE = threading.Event()


def send_mail(recipient: str, subject: str, body: str, *, html: str | None = None,
              unsubscribe_url: str | None = None) -> OutboxMessage:
    """Put a message in the outbox, in the caller's unit of work when there is one (so mail
    about work that was rolled back is never sent), for the worker to deliver."""
    with unit_of_work():
        message = OutboxMessage(recipient=recipient, subject=subject[:200], body=body,
                                html=html, unsubscribe_url=unsubscribe_url,
                                next_attempt_at=utcnow())
        db.session.add(message)
        on_commit(WAKE.set)
    return message


def outbox(limit: int = 100) -> list[OutboxMessage]:
    """Return the latest messages of the outbox, newest first."""
    return list(db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))


def waiting() -> int:
    """Count the messages the worker has still to send."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.sent_at.is_(None))) or 0


def deliver_due(now: datetime | None = None, limit: int = 200) -> int:
    """Send the messages that are due, one transaction each; return how many were sent.

    A failure keeps the message with its error and a later `next_attempt_at`; a failure to
    reach the server ends this pass (the next pass tries again), so an outage costs one
    connection attempt per pass, not one per message.
    """
    if not current_app.config["PB_SMTP_HOST"]:
        return 0  # kept in the outbox for admins (docs/deploy/worker.md)
    sent = 0
    for _ in range(limit):
        with unit_of_work():
            message = _claim(now or utcnow())
            if message is None:
                break
            try:
                _deliver(message)
            except (OSError, smtplib.SMTPException) as exc:
                _failed(message, exc, now or utcnow())
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    break
            else:
                message.sent_at, message.error, message.next_attempt_at = utcnow(), None, None
                sent += 1
    return sent


def _claim(now: datetime) -> OutboxMessage | None:
    """Lock the next due message for this transaction (other workers skip it)."""
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1).with_for_update(skip_locked=True)).first()


def _failed(message: OutboxMessage, exc: BaseException, now: datetime) -> None:
    message.attempts += 1
    message.error = f"{type(exc).__name__}: {exc}"[:2000]
    message.next_attempt_at = now + retry_delay(message.attempts)
    log.warning("Could not send email %s to %s (try %d, next at %s): %s", message.id,
                message.recipient, message.attempts, message.next_attempt_at, exc)


def as_email(message: OutboxMessage) -> EmailMessage:
    """Return the email for an outbox message: plain text, HTML as an alternative when there
    is one, and RFC 8058 one-click unsubscribe headers when it names an address."""
    email = EmailMessage()
    email["From"] = current_app.config["PB_MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


def _deliver(message: OutboxMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["PB_SMTP_HOST"], config["PB_SMTP_PORT"], timeout=10) as smtp:
        if config["PB_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["PB_SMTP_USER"]:
            smtp.login(config["PB_SMTP_USER"], config["PB_SMTP_PASSWORD"] or "")
        smtp.send_message(as_email(message))
