"""Mail goes through a durable outbox: written in the caller's transaction, sent only by the
worker, tried again with growing waits, so an SMTP outage delays mail and loses none."""

from __future__ import annotations

import threading
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from pb.extensions import db
from pb.models import OutboxMessage
from pb.models.base import utcnow
from pb.services import unit_of_work
from pb.services.mail import deliver_due, send_mail, waiting
from tests.servers import free_port


class Inbox(Sink):
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(envelope)
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(message_from_bytes(e.content, policy=policy.default)["Subject"])
                for e in self.received]


def start(port: int, handler: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture()
def smtp(app: Any) -> Any:
    inbox = Inbox()
    controller = start(free_port(), inbox)
    app.config.update(PB_SMTP_HOST="127.0.0.1", PB_SMTP_PORT=controller.port,
                      PB_SMTP_STARTTLS=False, PB_MAIL_SENDER="pb <pb@example.org>")
    yield controller, inbox
    controller.stop()


def later(minutes: int = 120) -> Any:
    return utcnow() + timedelta(minutes=minutes)


def test_without_smtp_mail_is_kept_in_the_outbox(app: Any) -> None:
    message = send_mail("sam@example.org", "Hello", "Body text")
    assert deliver_due() == 0
    assert message.id is not None and message.sent_at is None and message.error is None


def test_mail_is_sent_by_the_worker_not_by_the_request(app: Any, smtp: Any) -> None:
    _controller, inbox = smtp
    message = send_mail("sam@example.org", "Reset your password", "Open this link")
    assert message.sent_at is None and inbox.received == []  # the request only writes it
    assert deliver_due() == 1
    assert message.sent_at is not None and message.next_attempt_at is None
    (envelope,) = inbox.received
    assert envelope.rcpt_tos == ["sam@example.org"]
    assert b"Subject: Reset your password" in envelope.content
    assert deliver_due() == 0  # sent once


def test_mail_is_written_in_the_callers_transaction(app: Any) -> None:
    with pytest.raises(RuntimeError), unit_of_work():
        send_mail("sam@example.org", "About work that fails", "Body")
        raise RuntimeError("the change that caused the mail is rolled back")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_an_unreachable_server_delays_the_message_then_it_is_sent(app: Any) -> None:
    port = free_port()
    app.config.update(PB_SMTP_HOST="127.0.0.1", PB_SMTP_PORT=port, PB_SMTP_STARTTLS=False)
    message = send_mail("sam@example.org", "Hello", "Body")
    assert deliver_due() == 0
    assert message.sent_at is None and "Connection" in (message.error or "")
    assert message.attempts == 1 and message.next_attempt_at > utcnow()
    assert deliver_due() == 0 and message.attempts == 1  # not before its time
    assert deliver_due(later(2)) == 0 and message.attempts == 2  # still down: waits longer
    assert message.next_attempt_at - utcnow() > timedelta(minutes=3)
    inbox = Inbox()
    controller = start(port, inbox)  # the server is back
    try:
        assert deliver_due(later()) == 1
    finally:
        controller.stop()
    assert message.sent_at is not None and message.error is None
    assert inbox.subjects() == ["Hello"]


class Outage(Inbox):
    """Takes the first messages, then goes down in the middle of the third: it refuses the
    message's data and stops the whole server."""

    def __init__(self, take: int) -> None:
        super().__init__()
        self.take, self.stopping = take, threading.Event()
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if len(self.received) >= self.take:
            self.stopping.set()
            threading.Thread(target=self.controller.stop).start()  # type: ignore[union-attr]
            return "421 Service not available, closing transmission channel"
        return await super().handle_DATA(server, session, envelope)


def test_stopping_the_smtp_server_mid_send_loses_no_message(app: Any) -> None:
    port = free_port()
    outage = Outage(take=2)
    outage.controller = start(port, outage)
    app.config.update(PB_SMTP_HOST="127.0.0.1", PB_SMTP_PORT=port, PB_SMTP_STARTTLS=False)
    subjects = [f"Message {n}" for n in range(1, 8)]
    for subject in subjects:
        send_mail("sam@example.org", subject, "Body")
    deliver_due()  # the server goes down during the third message
    assert outage.stopping.wait(5)
    assert waiting() >= len(subjects) - 2
    deliver_due(later(1))  # the server is down: nothing is lost, nothing is sent
    back = Inbox()
    controller = start(port, back)
    try:
        for minutes in (120, 240, 360):
            deliver_due(later(minutes))
    finally:
        controller.stop()
    assert waiting() == 0
    delivered = outage.subjects() + back.subjects()
    assert sorted(delivered) == sorted(subjects)  # every message, each exactly once


def test_an_email_has_plain_text_html_and_one_click_unsubscribe(app: Any, smtp: Any) -> None:
    _controller, inbox = smtp
    send_mail("sam@example.org", "News", "Plain words", html="<p>Plain words</p>",
              unsubscribe_url="https://pb.test/unsubscribe/abc")
    deliver_due()
    email = message_from_bytes(inbox.received[0].content, policy=policy.default)
    assert email["List-Unsubscribe"] == "<https://pb.test/unsubscribe/abc>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.get_body(("plain",)).get_content().strip() == "Plain words"
    assert "<p>Plain words</p>" in email.get_body(("html",)).get_content()
