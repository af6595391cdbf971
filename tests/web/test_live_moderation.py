"""Moderated questions and the honest reveal, on the pages (without JavaScript) and the
socket: the set-up setting, the console's question buttons, the asker's phone, and tonight's
result on the console and the projector."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.models import LiveQuestion, LiveSession
from pb.services import live
from tests.conftest import text
from tests.factories import NS, agenda_form, console, control, phone, plain_user


def test_youth_mode_holds_questions_unless_the_facilitator_says_otherwise(
        client: Any, login: Any, scoring_round: Any) -> None:
    round_ = scoring_round()
    first = round_.projects[0].id
    login(plain_user("facilitator"))
    form = text(client.get(f"/live/new?round={round_.id}"))
    assert "Held until the facilitator approves them" in form
    assert re.search(r'<input[^>]*value="held"[^>]*checked', form)
    # A browser that sends no choice (an older page) gets the default for who may join.
    client.post("/live/new", data=agenda_form(round_, {first: ("1", "3", "2")}))
    client.post("/live/new", data=agenda_form(round_, {first: ("1", "3", "2")},
                                              questions="shown"))
    client.post("/live/new", data=agenda_form(round_, {first: ("1", "3", "2")},
                                              access="accounts"))
    made = list(db.session.scalars(sa.select(LiveSession).order_by(LiveSession.id)))
    assert [s.moderated for s in made] == [True, False, False]
    edit = text(client.get(f"/live/{made[1].id}/edit"))
    assert re.search(r'<input[^>]*value="shown"[^>]*checked', edit)
    client.post(f"/live/{made[1].id}/edit", data=agenda_form(
        round_, {first: ("1", "3", "2")}, questions="held"))
    db.session.refresh(made[1])
    assert made[1].moderated is True


def moderated_evening(evening: Any) -> Any:
    evening.moderated = True
    db.session.commit()
    live.do_control(evening.officer, evening, "start")
    return evening


def test_the_asker_sees_their_question_wait_then_show_without_javascript(
        client: Any, login: Any, evening: Any, app: Any) -> None:
    moderated_evening(evening)
    code = evening.join_code
    asked = client.post(f"/live/j/{code}/ask", data={"text": "Who will run it?"})
    assert asked.status_code == 303
    page = text(client.get(asked.headers["Location"]))
    assert "The facilitator approves questions before they are shown" in page
    assert "Your question “Who will run it?” is waiting for the facilitator" in page
    assert "No questions yet" in page  # nobody else sees it yet
    other = text(app.test_client().get(f"/live/j/{code}"))
    assert "Who will run it?" not in other

    login(evening.officer)
    desk = text(client.get(f"/live/{evening.id}/console"))
    assert '<span class="status-tag">Waiting for you' in desk and 'value="approve"' in desk
    question = db.session.scalar(sa.select(LiveQuestion))
    approved = client.post(f"/live/{evening.id}/control",
                           data={"action": "approve", "question": question.id})
    assert approved.status_code == 303
    assert "Who will run it?" in text(app.test_client().get(f"/live/j/{code}"))
    desk = text(client.get(f"/live/{evening.id}/console"))
    assert '<span class="status-tag">Waiting for you' not in desk
    assert 'value="approve"' not in desk


def test_hiding_from_the_console_without_javascript_needs_a_reason(
        client: Any, login: Any, evening: Any) -> None:
    moderated_evening(evening)
    seat, _token = live.do_join(evening)
    question = live.do_ask(live.view(evening.id), seat, "Rude words")
    login(evening.officer)
    refused = client.post(f"/live/{evening.id}/control",
                          data={"action": "hide", "question": question.id, "reason": ""})
    assert refused.status_code == 400 and "Say why the question is hidden" in text(refused)
    hidden = client.post(f"/live/{evening.id}/control", data={
        "action": "hide", "question": question.id, "reason": "Not about the pitch."})
    assert hidden.status_code == 303
    db.session.refresh(question)
    assert (question.state, question.hidden_reason) == ("hidden", "Not about the pitch.")
    answered = client.post(f"/live/{evening.id}/control",
                           data={"action": "answer", "question": question.id})
    assert answered.status_code == 400 and "not open any more" in text(answered)


def test_the_console_moderates_over_the_socket_and_phones_see_only_shown_questions(
        app: Any, client: Any, login: Any, evening: Any) -> None:
    moderated_evening(evening)
    desk = console(app, client, login, evening)
    asker, _ack = phone(app, evening)
    qid = asker.emit("ask", {"text": "Where will it be?"}, namespace=NS, callback=True)["question"]
    late, joined = phone(app, evening)
    assert joined["state"]["questions"] == []
    assert joined["state"]["question_states"] == {str(qid): {"state": "waiting"}}
    seen = desk.emit("join", {"code": evening.join_code, "role": "console"}, namespace=NS,
                     callback=True)["state"]["questions"]
    assert [(q["id"], q["state"]) for q in seen] == [(qid, "pending")]
    refused = control(desk, "hide", question=qid)
    assert refused["ok"] is False and "Say why the question is hidden" in refused["error"]
    assert control(desk, "approve", question=qid)["ok"]
    _again, rejoined = phone(app, evening)
    assert [q["text"] for q in rejoined["state"]["questions"]] == ["Where will it be?"]
    assert control(desk, "hide", question=qid, reason="Asked already.")["ok"]
    _third, last = phone(app, evening)
    assert last["state"]["questions"] == []
    assert last["state"]["question_states"][str(qid)] == {"state": "hidden",
                                                          "reason": "Asked already."}


def test_the_console_and_projector_show_tonights_result_as_provisional(
        client: Any, login: Any, evening: Any) -> None:
    officer = evening.officer
    live.do_control(officer, evening, "start")
    live.do_control(officer, evening, "open_scoring_all")
    seat, _token = live.do_join(evening)
    live.do_score(live.view(evening.id), seat, {str(evening.pids[1]): 9}, "reveal-key-0001")
    login(officer)
    before = text(client.get(f"/live/{evening.id}/console"))
    assert re.search(r'<p class="notice" id="c-online-note">[^<]*takes ballots online', before)
    live.do_control(officer, evening, "close")
    live.do_control(officer, evening, "reveal")
    desk = text(client.get(f"/live/{evening.id}/console"))
    assert re.search(r'<p class="notice" id="c-provisional">Provisional', desk)
    assert f'href="/rounds/{evening.round_id}/results"' in desk
    funded = re.search(r'id="c-funded">(.*?)</ol>', desk, re.S).group(1)
    assert "Project 2" in funded and "Project 1" not in funded  # Project 1 had no scores
    handset = text(client.get(f"/live/j/{evening.join_code}"))
    assert re.search(r'<p class="notice" id="p-provisional">Provisional', handset)
    screen = text(client.get(f"/live/{evening.id}/screen"))
    assert re.search(r'id="s-provisional">Provisional: tonight’s result', screen)
    assert f"/rounds/{evening.round_id}/results" in screen


def test_each_question_control_sends_questions_and_a_state(app: Any, client: Any, login: Any,
                                                           evening: Any) -> None:
    import time

    moderated_evening(evening)
    desk = console(app, client, login, evening)
    asker, _ack = phone(app, evening)
    qid = asker.emit("ask", {"text": "Where?"}, namespace=NS, callback=True)["question"]
    deadline, held = time.monotonic() + 5, []
    while time.monotonic() < deadline and not held:
        held = [q for e in desk.get_received(NS) if e["name"] == "questions"
                for q in e["args"][0]["questions"]]
        time.sleep(0.05)
    assert held == [{"id": qid, "text": "Where?", "votes": 0, "state": "pending"}]
    for action, extra in (("approve", {}), ("hide", {"reason": "Asked already."})):
        asker.get_received(NS)
        assert control(desk, action, question=qid, **extra)["ok"]
        want = "shown" if action == "approve" else "hidden"
        deadline, names, fate = time.monotonic() + 5, set(), None
        got: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not ("state" in names and fate == want):
            got += asker.get_received(NS)
            names = {e["name"] for e in got}
            lists = [e["args"][0] for e in got if e["name"] == "questions"]
            fate = lists[-1]["question_states"][str(qid)]["state"] if lists else None
            time.sleep(0.05)
        # Lists are coalesced (a few a second), so the newest one says what happened.
        assert "state" in names and fate == want, (names, fate)
