"""Payloads no real client sends: each gets an error ack saying what to send, never the
"something went wrong" of a handler that failed, and nothing odd is stored."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import LiveParticipant, LiveQuestion
from pb.services import live
from tests.factories import NS, connect, console, control, open_round, phone, socket

BROKE = "Something went wrong"
HUGE = 2**63  # past what SQLite stores; anything past 2**31 - 1 is past PostgreSQL's integer


def refused(ack: Any) -> str:
    assert isinstance(ack, dict) and ack["ok"] is False, ack
    assert BROKE not in ack["error"], ack
    return str(ack["error"])


@pytest.mark.parametrize("event", ["watch", "watch_proposal", "vote"])
def test_default_namespace_events_without_a_payload_or_with_extra_arguments(
        app: Any, event: str) -> None:
    sock = socket(app)
    assert "number" in refused(sock.emit(event, callback=True)) or event == "vote"
    refused(sock.emit(event, {"round": 1, "proposal": 1}, "extra", callback=True))
    assert sock.emit("watch_register", {}, "extra", callback=True)["ok"]


@pytest.mark.parametrize("event", ["join", "vote", "ask", "upvote", "control"])
def test_live_events_without_a_payload_or_with_extra_arguments(app: Any, evening: Any,
                                                               event: str) -> None:
    sock, _ = phone(app, evening)
    refused(sock.emit(event, namespace=NS, callback=True))
    refused(sock.emit(event, {"text": 1}, "extra", 3, namespace=NS, callback=True))
    assert sock.is_connected(NS)


def test_ids_too_big_for_the_database_are_refused(app: Any, client: Any, login: Any,
                                                  make_round: Any, make_user: Any,
                                                  evening: Any) -> None:
    round_ = open_round(make_round, make_user)
    sock = socket(app)
    for big in (HUGE, 2**31, -1, 0, True):
        assert "number" in refused(sock.emit("watch", {"round": big}, callback=True))
        assert "number" in refused(sock.emit("watch_proposal", {"proposal": big},
                                             callback=True))
        assert "number" in refused(sock.emit("vote", {"round": big, "key": "k" * 16,
                                                      "items": [round_.ids[0]]},
                                             callback=True))
    desk = console(app, client, login, evening)
    control(desk, "start")
    control(desk, "open_questions")
    one, _ = phone(app, evening)
    asked = one.emit("ask", {"text": "Who looks after it?"}, namespace=NS, callback=True)
    assert asked["ok"] and asked["question"] == 1
    for big in (HUGE, 2**31, True):  # True is not question 1
        refused(one.emit("upvote", {"question": big}, namespace=NS, callback=True))
        refused(control(desk, "answer", question=big))
    assert db.session.scalar(sa.select(LiveQuestion.state)) == "open"
    assert db.session.scalar(sa.select(LiveQuestion.votes)) == 0


def test_questions_are_stored_without_nul_or_lone_surrogates(app: Any, client: Any, login: Any,
                                                             evening: Any) -> None:
    desk = console(app, client, login, evening)
    control(desk, "start")
    control(desk, "open_questions")
    one, _ = phone(app, evening)
    ack = one.emit("ask", {"text": "Lights\x00 till \ud800 ten?"}, namespace=NS, callback=True)
    assert ack["ok"], ack
    assert db.session.scalar(sa.select(LiveQuestion.text)) == "Lights till \ufffd ten?"
    two, _ = phone(app, evening)
    assert "Type your question" in refused(two.emit("ask", {"text": "\x00\x00"}, namespace=NS,
                                                    callback=True))


def test_a_token_that_is_not_ascii_is_refused_like_any_unknown_token(app: Any,
                                                                     evening: Any) -> None:
    sock = connect(app)
    ack = sock.emit("join", {"code": evening.join_code, "participant": "\ud800" * 16},
                    namespace=NS, callback=True)
    assert "without it" in refused(ack) and ack["field"] == "participant"
    assert db.session.scalar(sa.select(sa.func.count(LiveParticipant.id))) == 0


def test_presence_goes_down_when_a_phone_leaves_and_up_when_it_returns(app: Any,
                                                                       evening: Any) -> None:
    """On every database: the count of people here is a stored counter per participant."""
    one, joined = phone(app, evening)
    phone(app, evening)
    assert live.present(evening) == 2
    one.disconnect(namespace=NS)
    db.session.expire_all()
    assert live.present(evening) == 1
    back, again = phone(app, evening, participant=joined["participant"])
    assert again["participant"] == joined["participant"]
    assert live.present(evening) == 2
    back.disconnect(namespace=NS)
    back2, _ = phone(app, evening, participant=joined["participant"])
    back2.disconnect(namespace=NS)
    assert live.present(evening) == 1  # never below zero, never counted twice
    assert db.session.scalar(sa.select(sa.func.min(LiveParticipant.online))) == 0


def test_a_phone_that_joins_another_session_leaves_the_first(app: Any, client: Any,
                                                             login: Any, evening: Any) -> None:
    other = live.do_create(evening.officer, evening.round, "Second night", "open", "scoring",
                           [(int(evening.pids[0]), 60, 30)])
    sock, _ = phone(app, evening)
    moved = sock.emit("join", {"code": other.join_code}, namespace=NS, callback=True)
    assert moved["ok"], moved
    assert live.present(evening) == 0 and live.present(other) == 1
    sock.get_received(NS)
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"]  # the first session moves on
    assert [e for e in sock.get_received(NS) if e["name"] == "state"] == []
