"""Send email through one function: SMTP when configured, the in-app outbox always."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from pb.extensions import db
from pb.models import OutboxMessage
from pb.models.base import utcnow
from pb.services import on_commit, unit_of_work

log = logging.getLogger(__name__)


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Keep the message in the outbox; once that is committed, deliver it over SMTP if a
    server is configured (so mail about work that was rolled back is never sent)."""
    with unit_of_work():
        message = OutboxMessage(recipient=recipient, subject=subject, body=body)
        db.session.add(message)
        on_commit(_send_kept, message, recipient, subject, body)
    return message


def _send_kept(message: OutboxMessage, recipient: str, subject: str, body: str) -> None:
    if not current_app.config["PB_SMTP_HOST"]:
        log.warning("No SMTP server configured; email kept in the outbox.\nTo: %s\n"
                    "Subject: %s\n\n%s", recipient, subject, body)
        return
    try:
        _deliver(recipient, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        with unit_of_work():
            message.error = f"{type(exc).__name__}: {exc}"
            log.error("Could not send email %s to %s: %s", message.id, recipient, exc)
    else:
        with unit_of_work():
            message.sent_at = utcnow()


def outbox(limit: int = 100) -> list[OutboxMessage]:
    """Return the latest messages of the outbox, newest first."""
    return list(db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))


def _deliver(recipient: str, subject: str, body: str) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["PB_MAIL_SENDER"]
    email["To"] = recipient
    email["Subject"] = subject
    email.set_content(body)
    with smtplib.SMTP(config["PB_SMTP_HOST"], config["PB_SMTP_PORT"], timeout=10) as smtp:
        if config["PB_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["PB_SMTP_USER"]:
            smtp.login(config["PB_SMTP_USER"], config["PB_SMTP_PASSWORD"] or "")
        smtp.send_message(email)
