"""Live phase announcements: sent after the commit, only to people watching that round."""

from __future__ import annotations

from typing import Any

import pytest

from pb.services import ServiceError, rounds
from tests.factories import socket


def test_watchers_hear_about_phase_changes(app: Any, make_round: Any, make_user: Any) -> None:
    officer = make_user("officer")
    watched, other = make_round("proposals", officer=officer), make_round("proposals")
    viewer = socket(app)
    assert viewer.emit("watch", {"round": watched.id}, callback=True) == {"ok": True}
    viewer.get_received()
    rounds.do_change_phase(officer, other, "review")
    assert viewer.get_received() == []
    rounds.do_change_phase(officer, watched, "review")
    (event,) = viewer.get_received()
    assert event["name"] == "round_phase"
    assert event["args"][0]["round"] == watched.id and event["args"][0]["phase"] == "review"


def test_refused_phase_changes_are_not_announced(app: Any, make_round: Any,
                                                 make_user: Any) -> None:
    round_ = make_round("proposals")
    viewer = socket(app)
    viewer.emit("watch", {"round": round_.id}, callback=True)
    viewer.get_received()
    with pytest.raises(ServiceError):
        rounds.do_change_phase(make_user("officer"), round_, "review", expected="draft")
    assert viewer.get_received() == []


def test_bad_watch_requests_get_an_error_ack(app: Any, make_round: Any) -> None:
    draft = make_round("draft")
    viewer = socket(app)
    for payload in (None, "3", {"round": "3"}, {"round": True}, {"round": 99999},
                    {"round": draft.id}):
        ack = viewer.emit("watch", payload, callback=True)
        assert ack["ok"] is False and ack["error"], payload
    assert viewer.is_connected()


def test_officers_may_watch_drafts(app: Any, make_round: Any, make_user: Any,
                                   login: Any, client: Any) -> None:
    draft = make_round("draft")
    login(make_user("officer"))
    client.get("/")  # the session cookie the socket connection carries
    viewer = socket(app, client)
    assert viewer.emit("watch", {"round": draft.id}, callback=True) == {"ok": True}
