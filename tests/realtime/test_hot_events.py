"""The hall's hot events (`vote`, `ask`, `upvote`) run without a request context, and still
answer in the phone's language and with an error ack when something fails."""

from __future__ import annotations

from typing import Any

import flask
import pytest
import sqlalchemy as sa

from pb.extensions import db, socketio
from pb.models import Ballot
from pb.services import live
from tests.factories import BROWSER, NS, console, control

WELSH_JOIN_FIRST = "Ymunwch â'r sesiwn gyda chod y sesiwn yn gyntaf."
ENGLISH_JOIN_FIRST = "Join the session with its code first."
ENGLISH = {"vote": ENGLISH_JOIN_FIRST,
           "join": "There is no live session with that code. Check the code on the screen and "
                   "try again."}


def phone_in(app: Any, language: str) -> Any:
    """A phone whose browser asks for `language`, not yet joined."""
    return socketio.test_client(app, namespace=NS,
                                headers={**BROWSER, "Accept-Language": language})


@pytest.mark.parametrize("event", ["vote", "ask", "upvote"])
def test_a_phone_hears_refusals_in_the_language_it_connected_in(app: Any, evening: Any,
                                                                event: str) -> None:
    welsh, english = phone_in(app, "cy-GB,cy;q=0.9"), phone_in(app, "en-GB")
    assert welsh.emit(event, {}, namespace=NS, callback=True)["error"] == WELSH_JOIN_FIRST
    assert english.emit(event, {}, namespace=NS, callback=True)["error"] == ENGLISH_JOIN_FIRST


def test_a_score_runs_in_an_app_context_without_a_request(app: Any, client: Any, login: Any,
                                                          evening: Any,
                                                          monkeypatch: Any) -> None:
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"] and control(desk, "open_scoring")["ok"]
    seen: list[tuple[bool, bool]] = []
    do_score = live.do_score

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append((flask.has_app_context(), flask.has_request_context()))
        return do_score(*args, **kwargs)

    monkeypatch.setattr(live, "do_score", watched)
    sock = phone_in(app, "en-GB")
    assert sock.emit("join", {"code": evening.join_code}, namespace=NS, callback=True)["ok"]
    ack = sock.emit("vote", {"key": "hot-path-0001", "items": {evening.pids[0]: 7}},
                    namespace=NS, callback=True)
    assert ack["ok"], ack
    assert seen == [(True, False)]


def test_a_hot_event_that_fails_gets_an_error_ack_and_the_next_is_served(
        app: Any, client: Any, login: Any, evening: Any, monkeypatch: Any,
        caplog: Any) -> None:
    desk = console(app, client, login, evening)
    assert control(desk, "start")["ok"] and control(desk, "open_scoring")["ok"]
    sock = phone_in(app, "cy")
    assert sock.emit("join", {"code": evening.join_code}, namespace=NS, callback=True)["ok"]
    do_score = live.do_score

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(live, "do_score", broken)
    ack = sock.emit("vote", {"key": "hot-path-0002", "items": {evening.pids[0]: 7}},
                    namespace=NS, callback=True)
    assert ack == {"ok": False,
                   "error": "Aeth rhywbeth o'i le ar ein hochr ni. Rhowch gynnig arall arni."}
    assert "the disk caught fire" in caplog.text
    monkeypatch.setattr(live, "do_score", do_score)
    ack = sock.emit("vote", {"key": "hot-path-0002", "items": {evening.pids[0]: 7}},
                    namespace=NS, callback=True)
    assert ack["ok"], ack
    assert sock.is_connected(NS)
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 1


@pytest.mark.parametrize("event", ["vote", "join"])
def test_the_language_cookie_chooses_the_refusals_language(app: Any, client: Any,
                                                           evening: Any, event: str) -> None:
    payload = {"code": "ZZZZZZ"} if event == "join" else {}

    def refusal(sock: Any) -> str:
        # The tests' app context outlives a request and would keep the language of the last
        # one (a server pushes one per request or event): forget it, as a server does.
        flask.g.pop("_flask_babel", None)
        ack = sock.emit(event, payload, namespace=NS, callback=True)
        assert ack["ok"] is False
        return str(ack["error"])

    client.set_cookie("pb_lang", "cy", domain="pb.test")
    welsh = refusal(socketio.test_client(app, namespace=NS, flask_test_client=client,
                                         headers={**BROWSER, "Accept-Language": "en-GB"}))
    english = refusal(phone_in(app, "en-GB"))
    assert english == ENGLISH[event] and welsh != english, welsh
    if event == "vote":
        assert welsh == WELSH_JOIN_FIRST
