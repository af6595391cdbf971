"""An honest reveal: tonight's result is the agenda's pitches, scored by tonight's phones and
paper, kept as revealed, and provisional while the round still votes online."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.domain import live as rules
from pb.extensions import db
from pb.models import AuditEntry, Proposal
from pb.services import live, rounds, voting
from pb.services.live.store import cache
from tests.factories import add_projects, open_round, plain_user


@pytest.fixture()
def hall(app: Any, make_round: Any) -> Any:
    """A £1,000 greedy scoring round with four projects (£400, £500, £300, £100), three of
    them on a session's agenda (not the £300 one), scoring open for all."""
    round_ = open_round(make_round, officer=plain_user("officer"), ballot_method="scoring")
    fourth = add_projects(round_, [10_000])[0]
    fourth.title = "Project 4"
    db.session.commit()
    one, two, three = round_.projects
    session = live.do_create(round_.officer, round_, "Youth night", "open", "scoring",
                             [(p.id, 60, 30) for p in (one, two, fourth)])
    live.do_control(round_.officer, session, "start")
    live.do_control(round_.officer, session, "open_scoring_all")
    session.officer, session.round_ = round_.officer, round_
    session.one, session.two, session.three, session.four = one, two, three, fourth
    return session


def score(session: Any, scores: dict[Proposal, int], n: int = 1) -> None:
    view = live.view(session.id)
    for i in range(n):
        seat, _token = live.do_join(view)
        live.do_score(view, seat, {str(p.id): s for p, s in scores.items()},
                      f"phone-{id(scores)}-{i}-key")


def online(session: Any, who: str, scores: dict[Proposal, int]) -> None:
    round_ = voting.ballot_box(session.round_id)
    voting.do_cast(round_, voting.Voter(session.round_id, f"user:{who}"),
                   {str(p.id): s for p, s in scores.items()}, f"online-{who}-key-0001")


def reveal(session: Any) -> dict[str, Any]:
    live.do_control(session.officer, live.get(session.id), "close")
    live.do_control(session.officer, live.get(session.id), "reveal")
    return live.snapshot(live.view(session.id))["results"]


def titles(results: dict[str, Any]) -> list[str]:
    return [p["title"] for p in results["funded"]]


def test_a_pitch_nobody_scored_is_never_funded_and_off_agenda_projects_are_out(
        hall: Any) -> None:
    # £900 of £1,000 goes to the two pitches scored; £100 is left, which the £100 pitch
    # (on the agenda, never scored) and nothing else would fit. Nor does the £300 project
    # that never pitched come in, whatever it got online.
    score(hall, {hall.one: 8, hall.two: 6})
    online(hall, "a", {hall.three: 10})
    results = reveal(hall)
    assert titles(results) == ["Project 1", "Project 2"]
    assert results["budget"] == 100_000 and results["ballots"] == 1


def test_a_later_online_ballot_cannot_reorder_what_was_revealed(hall: Any) -> None:
    score(hall, {hall.one: 8, hall.two: 6}, n=2)
    before = titles(reveal(hall))
    assert before == ["Project 1", "Project 2"]
    for who in "abcde":  # online voters who put Project 2 first, well after the reveal
        online(hall, who, {hall.two: 10})
    cache().results.clear()  # as another server process, or a moment later, would read it
    after = live.snapshot(live.view(hall.id))["results"]
    assert titles(after) == before
    assert titles(live.tonights_result(live.view(hall.id))) == before  # online is not tonight


def test_the_revealed_result_is_kept_logged_and_forgotten_when_taken_off(hall: Any) -> None:
    score(hall, {hall.one: 8})
    results = reveal(hall)
    session = live.get(hall.id)
    db.session.refresh(session)
    assert session.revealed_result == results
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "live.control").order_by(AuditEntry.id.desc()))
    assert entry.detail == {"control": "reveal", "funded": [hall.one.id], "provisional": True}
    live.do_control(hall.officer, session, "hide_results")
    db.session.refresh(session)
    assert session.revealed_result is None


def test_paper_cards_counted_tonight_are_in_tonights_result(hall: Any) -> None:
    from pb.services.voting import paper

    score(hall, {hall.one: 8, hall.two: 6})
    round_ = hall.round_
    batch = paper.do_create_batch(hall.officer, round_, 1, "Scorecards table 1", 1)
    paper.do_enter(hall.officer, round_, batch, 1, 1, {str(hall.four.id): 3}, spoilt=False)
    paper.do_count(hall.officer, round_, batch)
    assert titles(reveal(hall)) == ["Project 1", "Project 2", "Project 4"]


def test_the_result_is_provisional_only_while_the_round_votes_online(hall: Any) -> None:
    score(hall, {hall.one: 8})
    results = reveal(hall)
    assert results["provisional"] is True and results["round"] == hall.round_id
    live.do_control(hall.officer, live.get(hall.id), "hide_results")
    rounds.do_change_phase(hall.officer, hall.round_, "results")
    live.do_control(hall.officer, live.get(hall.id), "reveal")
    assert live.snapshot(live.view(hall.id))["results"]["provisional"] is False


def test_nothing_scored_tonight_says_so(hall: Any) -> None:
    online(hall, "a", {hall.one: 10})
    results = reveal(hall)
    assert results["funded"] == [] and results["error"]


def test_tonights_ballots_are_cut_to_the_agenda() -> None:
    ballots = [{"1": 8, "3": 10}, {"3": 9}, ["1", "3"], {"2": 0}, "junk"]
    assert rules.tonights_ballots(ballots, ["1", "2"]) == [{"1": 8}, ["1"]]
    assert rules.scored_pitches([{"1": 8}, ["2"]]) == {"1", "2"}
