"""Send email through one function: SMTP when configured, the in-app outbox always."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from pb.extensions import db
from pb.models import OutboxMessage
from pb.models.base import utcnow

log = logging.getLogger(__name__)


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Keep the message in the outbox, then deliver it over SMTP if a server is configured."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.commit()
    config = current_app.config
    if not config["PB_SMTP_HOST"]:
        log.warning("No SMTP server configured; email kept in the outbox.\nTo: %s\n"
                    "Subject: %s\n\n%s", recipient, subject, body)
        return message
    try:
        _deliver(recipient, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        message.error = f"{type(exc).__name__}: {exc}"
        log.error("Could not send email %s to %s: %s", message.id, recipient, exc)
    else:
        message.sent_at = utcnow()
    db.session.commit()
    return message


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
