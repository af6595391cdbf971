"""The live-session pages: set-up form, console, projector and the phone without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Ballot, LiveQuestion, LiveSession
from pb.services import live
from pb.services.voting import codes
from tests.conftest import text
from tests.factories import agenda_form, plain_user


def test_a_facilitator_sets_up_a_session_and_sees_it_listed(client: Any, login: Any,
                                                           scoring_round: Any) -> None:
    round_ = scoring_round()
    one, two, three = (p.id for p in round_.projects)
    login(plain_user("facilitator"))
    page = client.get(f"/live/new?round={round_.id}")
    assert page.status_code == 200
    body = text(page)
    assert "Project 3" in body and "nobody gives any personal details" in body
    assert 'value="3"' in body and 'value="2"' in body  # default minutes
    sent = client.post("/live/new", data=agenda_form(
        round_, {three: ("1", "2.5", "1"), one: ("2", "3", "2")}))
    assert sent.status_code == 303
    made = db.session.scalar(sa.select(LiveSession))
    assert sent.headers["Location"].endswith(f"/live/{made.id}/console")
    assert [(i.proposal_id, i.pitch_seconds, i.question_seconds) for i in made.items] == [
        (three, 150, 60), (one, 180, 120)]
    assert two not in {i.proposal_id for i in made.items}
    listing = text(client.get("/live/"))
    assert "Pitch night" in listing and made.join_code in listing
    assert f"/live/{made.id}/console" in listing and f"/live/{made.id}/screen" in listing
    assert "New live session" in listing


@pytest.mark.parametrize("rows, message", [
    ({}, "Choose at least one project to pitch."),
    ({0: ("1", "3", "2"), 1: ("1", "3", "2")}, "Two projects have order number 1"),
    ({0: ("1", "three", "2")}, "Give the time in minutes, such as 3 or 1.5."),
    ({0: ("1", "0", "2")}, "Give times from 10 seconds to an hour."),
    ({0: ("1", "3", "600")}, "Give times from 10 seconds to an hour."),
    ({0: ("first", "3", "2")}, "Give the order as a whole number"),
])
def test_bad_set_up_forms_come_back_with_messages(client: Any, login: Any, scoring_round: Any,
                                                  rows: dict[int, Any], message: str) -> None:
    round_ = scoring_round()
    login(plain_user("facilitator"))
    data = agenda_form(round_, {round_.projects[i].id: row for i, row in rows.items()},
                       title="Keep this title")
    page = client.post("/live/new", data=data)
    assert page.status_code == 400
    body = text(page)
    assert message in body and "There is a problem" in body
    assert 'value="Keep this title"' in body  # nothing typed is lost
    for order, pitch, _ in rows.values():
        assert f'value="{pitch}"' in body and f'value="{order}"' in body
    assert db.session.scalar(sa.select(sa.func.count(LiveSession.id))) == 0


def test_a_method_that_does_not_match_the_round_is_refused(client: Any, login: Any,
                                                           scoring_round: Any) -> None:
    round_ = scoring_round()
    login(plain_user("facilitator"))
    page = client.post("/live/new", data=agenda_form(
        round_, {round_.projects[0].id: ("1", "3", "2")}, method="approval", title=""))
    assert page.status_code == 400
    body = text(page)
    assert "Give the session a title" in body


def test_a_service_refusal_shows_in_the_summary(client: Any, login: Any,
                                                scoring_round: Any) -> None:
    round_ = scoring_round()
    login(plain_user("facilitator"))
    page = client.post("/live/new", data=agenda_form(
        round_, {round_.projects[0].id: ("1", "3", "2")}, method="approval"))
    assert page.status_code == 400
    assert "choose a way of scoring that matches its ballot method" in text(page)


def test_editing_works_in_the_lobby_only(client: Any, login: Any, evening: Any) -> None:
    login(plain_user("facilitator"))
    form = text(client.get(f"/live/{evening.id}/edit"))
    assert 'value="Youth Decide night"' in form and 'value="1"' in form  # 60 s is 1 minute
    round_ = evening.round
    first = evening.pids[0]
    saved = client.post(f"/live/{evening.id}/edit", data=agenda_form(
        round_, {first: ("1", "4", "1")}, title="Renamed night"))
    assert saved.status_code == 303
    db.session.refresh(evening)
    assert evening.title == "Renamed night"
    assert [(i.proposal_id, i.pitch_seconds) for i in evening.items] == [(first, 240)]
    live.do_control(evening.officer, evening, "start")
    assert "can no longer change" in text(client.get(f"/live/{evening.id}/edit"))
    refused = client.post(f"/live/{evening.id}/edit", data=agenda_form(
        round_, {first: ("1", "5", "1")}, title="Too late"))
    assert refused.status_code == 400
    assert "The session has started" in text(refused) and 'value="Too late"' in text(refused)


def test_residents_cannot_reach_the_facilitators_pages(client: Any, login: Any,
                                                       evening: Any) -> None:
    assert client.get("/live/new").status_code == 302  # log in first
    login(plain_user("resident"))
    for url in ["/live/", "/live/new", f"/live/{evening.id}/edit",
                f"/live/{evening.id}/console"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/live/{evening.id}/control", data={"action": "start"}).status_code \
        == 403
    db.session.refresh(evening)
    assert evening.phase == "lobby"


def test_the_console_shows_the_code_and_its_buttons_work_without_script(
        client: Any, login: Any, evening: Any) -> None:
    login(plain_user("facilitator"))
    page = text(client.get(f"/live/{evening.id}/console"))
    assert evening.join_code in page and "How to run the evening" in page
    start = re.search(r'<button[^>]*value="start"[^>]*>', page).group(0)
    assert "hidden" not in start and "is-next" in start
    assert "hidden" in re.search(r'<button[^>]*value="reveal"[^>]*>', page).group(0)
    moved = client.post(f"/live/{evening.id}/control",
                        data={"action": "start", "version": str(evening.version)})
    assert moved.status_code == 303
    db.session.refresh(evening)
    assert evening.phase == "pitch"
    stale = client.post(f"/live/{evening.id}/control", data={"action": "next", "version": "1"})
    assert stale.status_code == 400 and "Another console changed the session" in text(stale)
    wrong = client.post(f"/live/{evening.id}/control", data={"action": "reveal"})
    assert wrong.status_code == 400 and "Close the session before revealing" in text(wrong)


def test_the_screen_shows_the_code_and_qr_and_no_scores_before_the_reveal(
        client: Any, evening: Any, login: Any) -> None:
    officer = evening.officer
    live.do_control(officer, evening, "start")
    live.do_control(officer, evening, "open_scoring_all")
    participant, _ = live.do_join(evening)
    live.do_score(evening, participant, {str(evening.pids[1]): 9}, "screen-key-01")
    # The screen shows the join code: only facilitators open it (ids are easy to guess).
    assert client.get(f"/live/{evening.id}/screen").status_code == 302
    login(officer)
    page = client.get(f"/live/{evening.id}/screen")
    assert page.status_code == 200
    body = text(page)
    assert evening.join_code in body and "<svg" in body and 'class="qr"' in body
    assert re.search(r'id="s-funded">\s*</ol>', body)  # no results yet
    assert "data-cell=\"total\"" not in body
    live.do_control(officer, evening, "close")
    live.do_control(officer, evening, "reveal")
    revealed = text(client.get(f"/live/{evening.id}/screen"))
    funded = re.search(r'id="s-funded">(.*?)</ol>', revealed, re.S).group(1)
    assert "Project 2" in funded
    assert "of the £1,000 budget funds these projects" in revealed


def test_the_phone_page_and_wrong_codes(client: Any, evening: Any) -> None:
    page = client.get(f"/live/j/{evening.join_code}")
    assert page.status_code == 200
    body = text(page)
    assert "Youth Decide night" in body and "Waiting for the first pitch" in body
    assert client.get(f"/live/j/{evening.join_code.lower()}").status_code == 302
    wrong = client.get("/live/j/ZZZZZZ")
    assert wrong.status_code == 404
    assert "There is no live session with that code" in text(wrong)
    assert 'name="code"' in text(wrong)
    assert 'value="ABC234"' in text(client.get("/live/join?code=ABC234"))
    typed = client.post("/live/join", data={"code": evening.join_code.lower()})
    assert typed.status_code == 303 and typed.headers["Location"].endswith(
        f"/live/j/{evening.join_code}")
    assert client.post("/live/join", data={"code": "nope"}).status_code == 400


def test_scoring_without_javascript(client: Any, evening: Any) -> None:
    code, first = evening.join_code, evening.pids[0]
    live.do_control(evening.officer, evening, "start")
    closed = client.post(f"/live/j/{code}/score",
                         data={"key": "nojs-key-0001", "proposal": first, "score": "8"})
    assert closed.status_code == 400
    assert "Scoring for that pitch is not open" in text(closed)
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0
    live.do_control(evening.officer, evening, "open_scoring")
    page = text(client.get(f"/live/j/{code}"))
    assert f'id="pitch-{first}"' in page and 'value="10"' in page
    sent = client.post(f"/live/j/{code}/score",
                       data={"key": "nojs-key-0001", "proposal": first, "score": "8"})
    assert sent.status_code == 303
    assert db.session.scalar(sa.select(Ballot.items)) == {str(first): 8}
    shown = text(client.get(sent.headers["Location"]))
    assert re.search(r"Your score of 8 for “Project 1” is in. Receipt: \w{4}-\w{4}-\w{4}", shown)
    assert 'value="8" class="score-button" aria-pressed="true"' in shown
    again = client.post(f"/live/j/{code}/score",
                        data={"key": "nojs-key-0002", "proposal": first, "score": "6"})
    assert again.status_code == 303
    assert db.session.scalar(sa.select(Ballot.items)) == {str(first): 6}  # replaced
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 1  # the same phone
    other = client.post(f"/live/j/{code}/score",
                        data={"key": "nojs-key-0003", "proposal": evening.pids[1],
                              "score": "5"})
    assert other.status_code == 400


def test_questions_without_javascript(client: Any, evening: Any) -> None:
    code = evening.join_code
    early = client.post(f"/live/j/{code}/ask", data={"text": "Too early?"})
    assert early.status_code == 400 and "Questions open during the pitches" in text(early)
    assert "Too early?" in text(early)  # the question is kept in the box
    live.do_control(evening.officer, evening, "start")
    asked = client.post(f"/live/j/{code}/ask", data={"text": "Who will run it?"})
    assert asked.status_code == 303
    question = db.session.scalar(sa.select(LiveQuestion))
    assert question.text == "Who will run it?"
    assert "Who will run it?" in text(client.get(f"/live/j/{code}"))
    hurry = client.post(f"/live/j/{code}/ask", data={"text": "And another?"})
    assert hurry.status_code == 400 and "wait a few seconds" in text(hurry)
    voted = client.post(f"/live/j/{code}/upvote", data={"question": question.id})
    assert voted.status_code == 303
    db.session.refresh(question)
    assert question.votes == 1


def test_card_sessions_ask_for_the_voting_code_first(client: Any, scoring_round: Any) -> None:
    round_ = scoring_round(eligibility="codes")
    session = live.do_create(round_.officer, round_, "Card night", "cards", "scoring",
                             [(p.id, 60, 30) for p in round_.projects])
    (card,) = codes.do_generate_codes(round_.officer, round_, 1, "Hall")
    live.do_control(round_.officer, session, "start")
    live.do_control(round_.officer, session, "open_scoring")
    page = text(client.get(f"/live/j/{session.join_code}"))
    assert 'name="card"' in page
    pid = round_.projects[0].id
    cardless = client.post(f"/live/j/{session.join_code}/score",
                           data={"key": "card-key-001", "proposal": pid, "score": "7"})
    assert cardless.status_code == 400 and "voting code from your card" in text(cardless)
    wrong = client.post(f"/live/j/{session.join_code}/enter", data={"card": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400
    assert client.post(f"/live/j/{session.join_code}/enter",
                       data={"card": card.lower()}).status_code == 303
    assert client.post(f"/live/j/{session.join_code}/score",
                       data={"key": "card-key-001", "proposal": pid,
                             "score": "7"}).status_code == 303
    ballot = db.session.scalar(sa.select(Ballot))
    assert ballot.items == {str(pid): 7} and ballot.voter_key.startswith("code:")
