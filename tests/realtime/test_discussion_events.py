"""Live discussion: new comments reach readers of that proposal once, after the commit."""

from __future__ import annotations

from typing import Any

import pytest

from pb.domain.discussion import DiscussionError
from pb.extensions import socketio
from pb.services import discussion
from tests.factories import BROWSER, make_proposal, post
from tests.xss_payloads import unsafe_markup


def reader(app: Any, proposal_id: int, client: Any = None) -> Any:
    sock = socketio.test_client(app, flask_test_client=client, headers=BROWSER)
    ack = sock.emit("watch_proposal", {"proposal": proposal_id}, callback=True)
    assert ack["ok"] is True, ack
    sock.get_received()
    return sock


def test_readers_of_a_proposal_receive_its_new_comments_once(app: Any, make_round: Any,
                                                             make_user: Any) -> None:
    proposal = make_proposal(make_round)
    other = make_proposal(make_round, round_=proposal.round, title="Other")
    here, there = reader(app, proposal.id), reader(app, other.id)
    ann = make_user(name="Ann Example")
    comment = post(ann, proposal, "Yes, **please**", "for")
    (event,) = here.get_received()
    assert event["name"] == "comment_added"
    payload = event["args"][0]
    assert payload["comment"] == comment.id and payload["parent"] is None
    assert payload["counts"] == {"for": 1, "against": 0, "question": 0}
    assert set(payload["html"]) == {"en", "cy"}
    assert f'id="comment-{comment.id}"' in payload["html"]["en"]
    assert "<strong>please</strong>" in payload["html"]["en"]
    assert "Ann Example" in payload["html"]["en"]
    assert there.get_received() == []
    reply = post(make_user(), proposal, "Why?", "question", parent=comment)
    (event,) = here.get_received()
    assert event["args"][0]["parent"] == comment.id and event["args"][0]["comment"] == reply.id


def test_refused_comments_and_replays_are_not_announced(app: Any, make_round: Any,
                                                        make_user: Any) -> None:
    proposal = make_proposal(make_round)
    sock = reader(app, proposal.id)
    ann = make_user()
    with pytest.raises(DiscussionError):
        discussion.do_post(ann, proposal, discussion.PostData("for", "", "k" * 32))
    assert sock.get_received() == []
    data = discussion.PostData("for", "Once", "q" * 32)
    discussion.do_post(ann, proposal, data)
    assert len(sock.get_received()) == 1
    discussion.do_post(ann, proposal, data)  # the same form again
    assert sock.get_received() == []


def test_the_event_is_sent_only_after_the_commit(app: Any, make_round: Any, make_user: Any,
                                                 monkeypatch: Any) -> None:
    from pb.broadcast import events
    from pb.extensions import db

    proposal = make_proposal(make_round)
    committed_when_sent = []
    original = events.comment_added

    def spy(comment: Any, counts: Any) -> None:
        committed_when_sent.append(not db.session.new and not db.session.dirty)
        original(comment, counts)

    monkeypatch.setattr(events, "comment_added", spy)
    post(make_user(), proposal)
    assert committed_when_sent == [True]


def test_hiding_and_edits_update_readers(app: Any, make_round: Any, make_user: Any) -> None:
    proposal = make_proposal(make_round)
    ann = make_user()
    comment = post(ann, proposal, "First", "for")
    sock = reader(app, proposal.id)
    discussion.do_edit(ann, comment, "against", "First, changed")
    (event,) = sock.get_received()
    assert event["name"] == "stance_counts"
    assert event["args"][0]["counts"] == {"for": 0, "against": 1, "question": 0}
    discussion.do_moderate(make_user("officer"), comment, "hide", "personal attack")
    (event,) = sock.get_received()
    assert event["name"] == "comment_hidden"
    assert event["args"][0]["reason"] == "personal attack"
    assert event["args"][0]["counts"]["against"] == 0


def test_xss_in_a_live_comment_is_sanitised(app: Any, make_round: Any, make_user: Any) -> None:
    proposal = make_proposal(make_round)
    sock = reader(app, proposal.id)
    post(make_user(), proposal, '<img src=x onerror=alert(1)> [x](javascript:alert(1))')
    (event,) = sock.get_received()
    for html in event["args"][0]["html"].values():
        assert unsafe_markup(html) == []


def test_bad_watch_requests_get_an_error_ack(app: Any, make_round: Any) -> None:
    hidden = make_proposal(make_round, phase="draft")
    sock = socketio.test_client(app)
    for payload in (None, "3", {"proposal": "3"}, {"proposal": True}, {"proposal": 99999},
                    {"proposal": hidden.id}):
        ack = sock.emit("watch_proposal", payload, callback=True)
        assert ack["ok"] is False and ack["error"], payload
    assert sock.is_connected()


def test_watchers_of_a_round_do_not_hear_comments(app: Any, make_round: Any,
                                                  make_user: Any) -> None:
    proposal = make_proposal(make_round)
    sock = socketio.test_client(app)
    sock.emit("watch", {"round": proposal.round_id}, callback=True)
    sock.get_received()
    post(make_user(), proposal)
    assert sock.get_received() == []
