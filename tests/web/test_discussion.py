"""Discussion pages: posting with JavaScript off, bad input, permissions, moderation, XSS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from pb.domain import discussion as rules
from pb.extensions import db
from pb.models import Comment, Flag
from pb.services import discussion
from tests.conftest import text
from tests.factories import comment_count, key, make_proposal, post
from tests.xss_payloads import PAYLOADS, unsafe_markup


def page(proposal: Any) -> str:
    return f"/discussion/proposals/{proposal.id}"


def send(client: Any, proposal: Any, body: str = "Good idea", stance: str | None = "for",
         form_key: str | None = None, parent: Any = None) -> Any:
    data = {"body": body, "form_key": form_key or key()}
    if stance is not None:
        data["stance"] = stance
    if parent is not None:
        data["parent_id"] = str(parent)
    return client.post(f"/discussion/proposals/{proposal.id}/comments", data=data)


def test_visitors_read_the_thread_and_are_asked_to_log_in(client: Any, make_round: Any,
                                                          make_user: Any) -> None:
    proposal = make_proposal(make_round)
    post(make_user(name="Ann"), proposal, "Lovely *idea*")
    response = client.get(page(proposal))
    html = text(response)
    assert response.status_code == 200
    assert "<em>idea</em>" in html and "Log in to comment" in html
    assert 'data-count="for">1<' in html
    assert send(client, proposal).status_code == 302  # to the login page
    assert comment_count() == 1


def test_residents_post_comments_and_replies_without_javascript(client: Any, login: Any,
                                                                make_round: Any,
                                                                make_user: Any) -> None:
    proposal = make_proposal(make_round)
    login(make_user(name="Ann"))
    html = text(client.get(page(proposal)))
    assert 'name="form_key"' in html and "Post your comment" in html
    response = send(client, proposal, "First!", "question")
    assert response.status_code == 302 and "#comment-" in response.location
    first = db.session.scalar(sa.select(Comment))
    assert "Post your reply" in text(client.get(f"/discussion/comments/{first.id}/reply"))
    response = send(client, proposal, "A reply", "against", parent=first.id)
    assert response.status_code == 302
    html = text(client.get(page(proposal)))
    assert "Your comment was posted." in html
    assert f'id="replies-{first.id}"' in html and "A reply" in html
    assert 'data-count="against">1<' in html and 'data-count="question">1<' in html


def test_a_double_submit_posts_once(client: Any, login: Any, make_round: Any,
                                    make_user: Any) -> None:
    proposal = make_proposal(make_round)
    login(make_user())
    once = key()
    assert send(client, proposal, form_key=once).status_code == 302
    assert send(client, proposal, form_key=once).status_code == 302
    assert comment_count() == 1
    assert "it was not posted twice" in text(client.get(page(proposal)))


@pytest.mark.parametrize(("body", "stance", "message"), [
    ("", "for", "Write your comment before posting it."),
    ("   ", "for", "Write your comment before posting it."),
    ("x" * (rules.BODY_MAX + 1), "for", "shorten it to at most"),
    ("Fine", None, "Choose whether you are for the proposal"),
    ("Fine", "sideways", "Choose whether you are for the proposal"),
])
def test_bad_comments_show_the_form_again_with_what_was_typed(client: Any, login: Any,
                                                              make_round: Any, make_user: Any,
                                                              body: str, stance: str | None,
                                                              message: str) -> None:
    proposal = make_proposal(make_round)
    login(make_user())
    response = send(client, proposal, body, stance, form_key="k" * 32)
    html = text(response)
    assert response.status_code == 400
    assert message in html and 'role="alert"' in html
    assert 'value="' + "k" * 32 + '"' in html  # the same key: fixing and resending posts once
    if body.strip() and len(body) < 100:
        assert body in html
    assert comment_count() == 0


def test_forms_without_a_key_are_refused(client: Any, login: Any, make_round: Any,
                                         make_user: Any) -> None:
    proposal = make_proposal(make_round)
    login(make_user())
    response = client.post(f"/discussion/proposals/{proposal.id}/comments",
                           data={"body": "Hi", "stance": "for"})
    assert response.status_code == 400 and "Reload the page" in text(response)
    assert comment_count() == 0


def test_replies_to_hidden_missing_or_malformed_comments(client: Any, login: Any,
                                                         make_round: Any,
                                                         make_user: Any) -> None:
    proposal = make_proposal(make_round)
    target = post(make_user(), proposal)
    discussion.do_moderate(make_user("officer"), target, "hide", "spam")
    login(make_user())
    response = send(client, proposal, parent=target.id)
    assert response.status_code == 400 and "cannot take replies" in text(response)
    response = send(client, proposal, parent=987654)
    assert response.status_code == 400 and "no longer exists" in text(response)
    assert send(client, proposal, parent="abc").status_code == 400
    assert client.get("/discussion/comments/987654/reply").status_code == 404
    assert comment_count() == 1


@pytest.mark.parametrize(("phase", "status", "message"), [
    ("closed", "feasible", "closed phase"),
    ("results", "feasible", "results phase"),
    ("deliberation", "withdrawn", "withdrawn or merged"),
])
def test_closed_discussions_are_read_only(client: Any, login: Any, make_round: Any,
                                          make_user: Any, phase: str, status: str,
                                          message: str) -> None:
    proposal = make_proposal(make_round, phase=phase, status=status)
    login(make_user())
    html = text(client.get(page(proposal)))
    assert message in html and 'name="form_key"' not in html
    response = send(client, proposal)
    assert response.status_code == 400 and message in text(response)
    assert comment_count() == 0


def test_drafts_are_not_found(client: Any, login: Any, make_round: Any,
                              make_user: Any) -> None:
    proposal = make_proposal(make_round, phase="draft")
    assert client.get(page(proposal)).status_code == 404
    login(make_user())
    assert send(client, proposal).status_code == 404
    assert client.get("/discussion/proposals/999999").status_code == 404


def test_posting_too_fast_gets_a_clear_message(client: Any, login: Any, make_round: Any,
                                               make_user: Any) -> None:
    proposal = make_proposal(make_round)
    login(make_user())
    for n in range(rules.POST_LIMIT):
        assert send(client, proposal, f"Point {n}").status_code == 302
    response = send(client, proposal, "Just one more point")
    assert response.status_code == 400
    html = text(response)
    assert "Wait ten minutes" in html and "Just one more point" in html
    assert comment_count() == rules.POST_LIMIT


def test_authors_edit_their_own_comments_only(client: Any, login: Any, make_round: Any,
                                              make_user: Any) -> None:
    proposal = make_proposal(make_round)
    ann = make_user()
    comment = post(ann, proposal, "Speling", "for")
    login(make_user())
    assert client.get(f"/discussion/comments/{comment.id}/edit").status_code == 403
    login(ann)
    assert "Edit your comment" in text(client.get(f"/discussion/comments/{comment.id}/edit"))
    response = client.post(f"/discussion/comments/{comment.id}/edit",
                           data={"stance": "for", "body": ""})
    assert response.status_code == 400 and "Write your comment" in text(response)
    response = client.post(f"/discussion/comments/{comment.id}/edit",
                           data={"stance": "for", "body": "Spelling"})
    assert response.status_code == 302
    html = text(client.get(page(proposal)))
    assert "Spelling" in html and "Edited " in html


def test_flagging_needs_a_login_and_a_reason(client: Any, login: Any, make_round: Any,
                                             make_user: Any) -> None:
    proposal = make_proposal(make_round)
    comment = post(make_user(), proposal)
    url = f"/discussion/comments/{comment.id}/flag"
    assert client.post(url, data={"reason": "spam"}).status_code == 302
    login(make_user())
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 400 and "Give a short reason" in text(response)
    assert client.post(url, data={"reason": "spam"}).status_code == 302
    response = client.post(url, data={"reason": "spam"})
    assert response.status_code == 400 and "already flagged" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 1


@pytest.mark.parametrize("roles", [(), ("facilitator",), ("council",)])
def test_only_officers_reach_moderation_tools(client: Any, login: Any, make_round: Any,
                                              make_user: Any, roles: tuple[str, ...]) -> None:
    proposal = make_proposal(make_round)
    comment = post(make_user(), proposal)
    url = f"/discussion/comments/{comment.id}/moderate"
    assert client.get(url).status_code == 302  # visitors: log in first
    login(make_user(*roles))
    assert client.get(url).status_code == 403
    assert client.post(url, data={"action": "hide", "reason": "x y z"}).status_code == 403
    assert db.session.get(Comment, comment.id).hidden_at is None
    assert "Flags waiting" not in text(client.get("/moderation"))


def test_hidden_comments_show_the_reason_and_authors_still_see_their_text(
        client: Any, login: Any, make_round: Any, make_user: Any) -> None:
    proposal = make_proposal(make_round)
    ann, officer = make_user(name="Ann"), make_user("officer")
    comment = post(ann, proposal, "You are all fools", "against")
    discussion.do_flag(make_user(), comment, "rude")
    login(officer)
    assert "rude" in text(client.get("/moderation"))  # the queue of flags
    url = f"/discussion/comments/{comment.id}/moderate"
    response = client.post(url, data={"action": "hide", "reason": ""})
    assert response.status_code == 400 and "Give a short reason" in text(response)
    assert client.post(url, data={"action": "hide",
                                  "reason": "personal attack"}).status_code == 302
    public = text(client.get("/moderation"))
    assert "personal attack" in public and "Hidden" in public
    login(make_user())
    html = text(client.get(page(proposal)))
    assert "Hidden by a moderator: personal attack" in html
    assert "You are all fools" not in html
    assert 'data-count="against">0<' in html
    login(ann)
    html = text(client.get(page(proposal)))
    assert "Hidden by a moderator: personal attack" in html and "You are all fools" in html
    client.get("/account/logout")
    log = text(client.get("/moderation"))
    assert "personal attack" in log and "by a moderator (officer)" in log
    assert officer.display_name not in log or officer.display_name == "Test Person"


def test_officers_show_comments_again_and_dismiss_flags(client: Any, login: Any,
                                                        make_round: Any,
                                                        make_user: Any) -> None:
    proposal = make_proposal(make_round)
    officer = make_user("officer")
    hidden = post(make_user(), proposal)
    flagged = post(make_user(), proposal)
    discussion.do_moderate(officer, hidden, "hide", "spam")
    discussion.do_flag(make_user(), flagged, "I disagree")
    login(officer)
    response = client.post(f"/discussion/comments/{hidden.id}/moderate",
                           data={"action": "unhide", "reason": "not spam after all"})
    assert response.status_code == 302 and db.session.get(Comment, hidden.id).hidden_at is None
    response = client.post(f"/discussion/comments/{flagged.id}/moderate",
                           data={"action": "dismiss"})
    assert response.status_code == 302 and discussion.open_flags() == []
    assert "Shown again" in text(client.get("/moderation"))


def test_script_never_survives_a_comment(client: Any, login: Any, make_round: Any,
                                         make_user: Any) -> None:
    proposal = make_proposal(make_round)
    ann = login(make_user())
    start = discussion.utcnow()
    for n, payload in enumerate(PAYLOADS):
        # Three minutes apart, so the posting limit does not get in the way.
        with freeze_time(start + timedelta(minutes=3 * n)):
            assert send(client, proposal, payload).status_code == 302, payload
    login(ann)  # the session was last seen in the frozen future: start afresh
    stored = db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()
    # Stored as written (Markdown source); sanitised every time it is shown.
    assert [c.body for c in stored] == [p.strip() for p in PAYLOADS]
    html = client.get(page(proposal)).get_data(as_text=True)
    thread = html[html.index('id="comment-list"'):html.index('href="/moderation"')]
    assert unsafe_markup(thread) == []
    for comment, payload in zip(stored, PAYLOADS, strict=True):
        item = thread[thread.index(f'id="comment-{comment.id}"'):]
        assert unsafe_markup(item[:item.index("comment-actions")]) == [], payload
        if "7*7" in payload:  # user text is shown as text, never run as a template
            assert "{{ 7*7 }}" in item[:item.index("comment-actions")]
        reply = client.get(f"/discussion/comments/{comment.id}/reply").get_data(as_text=True)
        quote = reply[reply.index("quoted-comment"):reply.index("</blockquote>")]
        assert unsafe_markup(quote) == [], payload
    assert len(PAYLOADS) >= 50
