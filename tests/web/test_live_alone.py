"""A facilitator runs the whole evening alone (issue #15): the console opens the round for
voting, its banner follows the round's phase, and its link leads to the paper scorecards,
which facilitators may enter for a round with a live session."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.models import AuditEntry, Ballot, LiveSession, Round, User
from pb.services import live, rounds
from pb.services.rounds import PHASE_CHANGED
from tests.conftest import text
from tests.factories import add_projects, enter_url, new_batch, plain_user


def deliberating_session(make_round: Any) -> tuple[Round, LiveSession, User]:
    """A scoring round still in deliberation, with a session a facilitator set up."""
    round_ = make_round("deliberation", ballot_method="scoring", budget_minor=100_000)
    projects = add_projects(round_, [40_000, 50_000, 30_000])
    facilitator = plain_user("facilitator")
    session = live.do_create(facilitator, round_, "Youth Decide night", "open", "scoring",
                             [(p.id, 60, 30) for p in projects])
    return round_, session, facilitator


def banner_shown(page: str) -> bool:
    found = re.search(r'<div class="notice console-round-note" id="c-round-note"( hidden)?>',
                      page)
    assert found, "the console has no round-phase banner"
    return found.group(1) is None


def test_a_facilitator_opens_the_round_for_voting_from_the_console(
        client: Any, login: Any, make_round: Any) -> None:
    round_, session, facilitator = deliberating_session(make_round)
    login(facilitator)
    console = client.get(f"/live/{session.id}/console").get_data(as_text=True)
    assert banner_shown(console)
    assert f'href="/live/{session.id}/open-voting"' in console

    check = client.get(f"/live/{session.id}/open-voting")
    assert check.status_code == 200
    page = text(check)
    assert "Open “Test round” for voting" in page
    assert "moves from deliberation to voting, not just tonight’s session" in page
    assert "online ballot opens as well" in page
    assert db.session.get(Round, round_.id).phase == "deliberation"  # a look changes nothing

    done = client.post(f"/live/{session.id}/open-voting")
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/live/{session.id}/console")
    db.session.expire_all()
    assert db.session.get(Round, round_.id).phase == "voting"
    change = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == PHASE_CHANGED, AuditEntry.subject_id == round_.id)
        .order_by(AuditEntry.id.desc()))
    assert change.actor_id == facilitator.id
    assert change.detail["after"] == "voting"
    assert "Youth Decide night" in change.detail["reason"]
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "live.opened_voting")).actor_id == facilitator.id

    console = client.get(f"/live/{session.id}/console", follow_redirects=True)
    assert "“Test round” is open for voting" in text(console)
    assert not banner_shown(console.get_data(as_text=True))
    session = db.session.get(LiveSession, session.id)
    live.do_control(facilitator, session, "start")
    live.do_control(facilitator, session, "open_scoring")  # refused before: round not voting
    assert db.session.get(LiveSession, session.id).scoring == "current"


def test_opening_voting_twice_is_explained(client: Any, login: Any, make_round: Any) -> None:
    round_, session, facilitator = deliberating_session(make_round)
    rounds.do_change_phase(plain_user("officer"), round_, "voting")
    login(facilitator)
    again = client.post(f"/live/{session.id}/open-voting")
    assert again.status_code == 400
    assert "The round is already open for voting, so scoring can open." in text(again)


def test_residents_cannot_open_voting(client: Any, login: Any, make_round: Any) -> None:
    round_, session, _facilitator = deliberating_session(make_round)
    login(plain_user())
    assert client.post(f"/live/{session.id}/open-voting").status_code == 403
    assert db.session.get(Round, round_.id).phase == "deliberation"


def test_every_state_says_the_rounds_phase(make_round: Any) -> None:
    round_, session, facilitator = deliberating_session(make_round)
    assert live.snapshot(session, console=True)["round_phase"] == "deliberation"
    assert live.snapshot(live.view(session.id))["round_phase"] == "deliberation"
    live.do_open_voting(facilitator, session)
    assert live.snapshot(live.get(session.id), console=True)["round_phase"] == "voting"
    assert live.snapshot(live.view(session.id))["round_phase"] == "voting"


def test_the_next_state_shows_a_round_an_officer_moved(make_round: Any) -> None:
    round_, session, _facilitator = deliberating_session(make_round)
    rounds.do_change_phase(plain_user("officer"), round_, "voting")
    assert live.snapshot(live.view(session.id))["round_phase"] == "voting"
    assert live.snapshot(live.get(session.id), console=True)["round_phase"] == "voting"


def test_a_facilitator_enters_paper_scorecards_from_the_console(
        client: Any, login: Any, scoring_round: Any) -> None:
    round_ = scoring_round()
    facilitator = plain_user("facilitator")
    session = live.do_create(facilitator, round_, "Youth Decide night", "open", "scoring",
                             [(p.id, 60, 30) for p in round_.projects])
    login(facilitator)
    console = client.get(f"/live/{session.id}/console").get_data(as_text=True)
    assert f'href="/rounds/{round_.id}/paper"' in console
    assert "Enter paper scorecards" in console

    assert client.get(f"/rounds/{round_.id}/paper").status_code == 200
    assert new_batch(client, round_, size=1).status_code == 302
    p1 = round_.ids[0]
    assert client.post(enter_url(round_, 1, 1), data={f"points-{p1}": "9"}).status_code == 302
    counted = client.post(f"/rounds/{round_.id}/paper/1/count", follow_redirects=True)
    assert "Batch 1 is counted. Ballots added: 1." in text(counted)
    assert [(b.items, b.source) for b in db.session.scalars(sa.select(Ballot))] == [
        ({p1: 9}, "paper")]
    assert live.snapshot(live.get(session.id), fresh=True)["paper"] == 1


def test_facilitators_enter_paper_only_for_rounds_with_a_live_session(
        client: Any, login: Any, scoring_round: Any) -> None:
    round_ = scoring_round()
    login(plain_user("facilitator"))
    assert client.get(f"/rounds/{round_.id}/paper").status_code == 403
    assert client.post(f"/rounds/{round_.id}/paper", data={"number": "1", "size": "1"}
                       ).status_code == 403
    login(plain_user())
    assert client.get(f"/rounds/{round_.id}/paper").status_code == 403


def test_the_demo_evening_runs_with_the_facilitator_login_only(app: Any, client: Any,
                                                               login: Any) -> None:
    seeded = app.test_cli_runner().invoke(args=["demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "Move Youth Decide 2026 to voting" not in seeded.output
    assert "Open the round for voting" in seeded.output
    facilitator = db.session.scalar(sa.select(User).where(
        User.email == "facilitator@demo.example.org"))
    assert not facilitator.manages_rounds  # no officer or admin role: a facilitator only
    session = db.session.scalar(sa.select(LiveSession).where(
        LiveSession.title == "Youth Decide night at the Town Hall"))
    login(facilitator)
    console = f"/live/{session.id}/console"
    assert client.get(console).status_code == 200
    assert client.post(f"/live/{session.id}/open-voting").status_code == 303

    def press(action: str) -> None:
        version = live.get(session.id).version
        db.session.expire_all()
        pressed = client.post(f"/live/{session.id}/control",
                              data={"action": action, "version": str(version)})
        assert pressed.status_code == 303, text(pressed)

    seat, _token = live.do_join(live.view(session.id))
    press("start")
    pids = [i.proposal_id for i in live.get(session.id).items]
    for position, pid in enumerate(pids):
        press("open_questions")
        press("open_scoring")
        live.do_score(live.view(session.id), seat, {str(pid): 8 - position}, uuid.uuid4().hex)
        press("next" if position < len(pids) - 1 else "close")

    round_id = live.get(session.id).round_id
    round_ = db.session.get(Round, round_id)
    assert new_batch(client, round_, size=1).status_code == 302
    card = client.post(enter_url(round_, 1, 1), data={f"points-{pids[0]}": "10"})
    assert card.status_code == 302
    assert client.post(f"/rounds/{round_id}/paper/1/count").status_code == 302

    press("reveal")
    state = live.snapshot(live.get(session.id), fresh=True)
    assert state["phase"] == "revealed" and state["paper"] == 1
    assert state["results"]["funded"]
    assert not db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.actor_id != facilitator.id,
        AuditEntry.action.in_(("live.control", "live.opened_voting", PHASE_CHANGED)),
        AuditEntry.at >= live.get(session.id).created_at)).all()
