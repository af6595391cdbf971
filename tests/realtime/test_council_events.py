"""Live register updates: sent after the commit, only for what was published."""

from __future__ import annotations

from typing import Any

import pytest

from pb.domain.errors import UserError
from pb.extensions import socketio
from pb.services.council import councils as councils
from pb.services.council.responses import ResponseData, do_respond
from tests.factories import REASONS, make_setup, publish


def watcher(app: Any) -> Any:
    client = socketio.test_client(app)
    assert client.emit("watch_register", {}, callback=True) == {"ok": True}
    client.get_received()
    return client


def test_register_readers_hear_of_advice_and_responses(app: Any, make_user: Any) -> None:
    s = make_setup(make_user)
    reader = watcher(app)
    councils.do_add_recommendation(s.member, s.referral, "Plant trees", "")
    assert reader.get_received() == []  # drafts are private
    councils.do_publish_advice(s.member, s.referral)
    (event,) = reader.get_received()
    rec = s.referral.recommendations[0]
    assert event["name"] == "register_changed"
    assert event["args"][0]["change"] == "advice"
    assert event["args"][0]["recommendations"] == [rec.id]
    first_version = event["args"][0]["version"]
    do_respond(s.officer, rec, ResponseData("not_accepted", REASONS))
    (event,) = reader.get_received()
    payload = event["args"][0]
    assert payload == {"council": s.council.id, "recommendations": [rec.id],
                       "change": "response", "version": payload["version"],
                       "seq": payload["seq"]}
    assert payload["version"] >= first_version


def test_refused_responses_are_not_announced(app: Any, make_user: Any) -> None:
    s = make_setup(make_user)
    (rec, *_rest) = publish(s)
    reader = watcher(app)
    with pytest.raises(UserError):
        do_respond(s.officer, rec, ResponseData("not_accepted", "short"))
    with pytest.raises(UserError):
        do_respond(s.member, rec, ResponseData("accepted"))
    assert reader.get_received() == []


def test_round_watchers_do_not_hear_register_events(app: Any, make_user: Any,
                                                    make_round: Any) -> None:
    round_ = make_round("proposals")
    viewer = socketio.test_client(app)
    viewer.emit("watch", {"round": round_.id}, callback=True)
    viewer.get_received()
    s = make_setup(make_user)
    publish(s)
    assert viewer.get_received() == []
    assert watcher(app).emit("watch_register", None, callback=True) == {"ok": True}
