"""Mail goes through one function: kept in the outbox always, sent over SMTP when configured."""

from __future__ import annotations

from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from pb.services.mail import send_mail
from tests.servers import free_port


class Inbox(Sink):
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp() -> Any:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_without_smtp_mail_is_kept_in_the_outbox(app: Any) -> None:
    message = send_mail("sam@example.org", "Hello", "Body text")
    assert message.id is not None and message.sent_at is None and message.error is None


def test_with_smtp_mail_is_delivered_and_marked_sent(app: Any, smtp: Any) -> None:
    controller, inbox = smtp
    app.config.update(PB_SMTP_HOST="127.0.0.1", PB_SMTP_PORT=controller.port,
                      PB_SMTP_STARTTLS=False, PB_MAIL_SENDER="pb <pb@example.org>")
    message = send_mail("sam@example.org", "Reset your password", "Open this link")
    assert message.sent_at is not None
    (envelope,) = inbox.received
    assert envelope.rcpt_tos == ["sam@example.org"]
    assert b"Subject: Reset your password" in envelope.content


def test_an_unreachable_smtp_server_keeps_the_message_with_the_error(app: Any) -> None:
    app.config.update(PB_SMTP_HOST="127.0.0.1", PB_SMTP_PORT=free_port(),
                      PB_SMTP_STARTTLS=False)
    message = send_mail("sam@example.org", "Hello", "Body")
    assert message.sent_at is None and "Connection" in (message.error or "")
