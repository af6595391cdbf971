"""Paper ballots through the services: batches, two-person entry, resolving, counting."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.domain.errors import UserError
from pb.domain.paper import SPOILT
from pb.extensions import db
from pb.models import AuditEntry, Ballot, PaperEntry, Proposal
from pb.services import outcomes, rounds
from pb.services.voting import paper


def ballot_rows(round_: Any) -> list[Ballot]:
    return list(db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)
                                   .order_by(Ballot.voter_key)))


def actions(name: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == name)))


@pytest.fixture()
def officers(make_user: Any) -> tuple[Any, Any, Any]:
    return (make_user("officer", name="Ann"), make_user("officer", name="Bob"),
            make_user("officer", name="Cy"))


@pytest.fixture()
def setup(make_round: Any, officers: Any) -> Any:
    """Return a function making a round in a phase with two projects on its ballot."""

    def make(phase: str = "voting", double_entry: bool = True) -> tuple[Any, list[str]]:
        round_ = make_round("review", officer=officers[0], double_entry=double_entry,
                            ballot_method="scoring")
        projects = [Proposal(round_id=round_.id, title=t, summary="", cost_minor=100_00,
                             status="feasible") for t in ("Benches", "Bins")]
        db.session.add_all(projects)
        db.session.commit()
        for step in ("deliberation", "voting", "results")[:("deliberation", "voting",
                                                            "results").index(phase) + 1]:
            rounds.do_change_phase(officers[0], round_, step)
        return round_, [str(p.id) for p in projects]

    return make


def enter_all(round_: Any, batch: Any, who: Any, pass_no: int, papers: list[Any]) -> None:
    for position, raw in enumerate(papers, start=1):
        if raw == SPOILT:
            paper.do_enter(who, round_, batch, pass_no, position, {}, spoilt=True)
        else:
            paper.do_enter(who, round_, batch, pass_no, position, raw)


def test_batches_take_the_next_free_number(setup: Any, officers: Any) -> None:
    ann = officers[0]
    round_, _ = setup()
    assert paper.next_number(round_) == 1
    batch = paper.do_create_batch(ann, round_, 1, " Ward 3 ballot box ", 50)
    assert (batch.label, batch.size, batch.state) == ("Ward 3 ballot box", 50, "entering")
    assert paper.next_number(round_) == 2
    with pytest.raises(UserError, match="Batch 1 already exists.*next free number, 2"):
        paper.do_create_batch(ann, round_, 1, "", 10)
    with pytest.raises(UserError, match="from 1 to 1000 ballots"):
        paper.do_create_batch(ann, round_, 2, "", 1001)
    assert len(actions("paper.batch_created")) == 1


def test_only_officers_and_only_while_voting_or_counting(setup: Any, make_user: Any,
                                                         make_round: Any) -> None:
    round_, _ = setup()
    with pytest.raises(UserError, match="Only officers"):
        paper.do_create_batch(make_user(), round_, 1, "", 5)
    early = make_round("deliberation")
    with pytest.raises(UserError, match="once voting has opened"):
        paper.do_create_batch(make_user("officer"), early, 1, "", 5)


def test_double_entry_needs_two_people_and_counts_agreeing_papers(setup: Any,
                                                                  officers: Any) -> None:
    ann, bob, _cy = officers
    round_, (p1, p2) = setup()
    batch = paper.do_create_batch(ann, round_, 7, "", 3)
    papers = [{p1: "7", p2: ""}, SPOILT, {p1: 3, p2: 10}]
    enter_all(round_, batch, ann, 1, papers)
    with pytest.raises(UserError, match="someone else must enter this one"):
        paper.do_enter(ann, round_, batch, 2, 1, {p1: "7"})
    with pytest.raises(UserError, match="is not complete yet"):
        paper.do_count(ann, round_, batch)
    enter_all(round_, batch, bob, 2, papers)
    assert paper.progress(round_, batch).ready and batch.state == "entering"
    paper.do_count(bob, round_, batch)
    rows = ballot_rows(round_)
    assert [(r.voter_key, r.items, r.source) for r in rows] == [
        (f"paper:{batch.id}:1", {p1: 7}, "paper"), (f"paper:{batch.id}:3", {p1: 3, p2: 10},
                                                    "paper")]
    assert batch.state == "counted" and batch.counted_at is not None
    assert paper.round_totals(round_) == {"counted": 2, "spoilt": 1}


def test_counting_twice_adds_nothing(setup: Any, officers: Any) -> None:
    ann, bob, _cy = officers
    round_, (p1, _p2) = setup(double_entry=False)
    batch = paper.do_create_batch(ann, round_, 1, "", 2)
    enter_all(round_, batch, bob, 1, [{p1: 5}, {p1: 6}])
    paper.do_count(ann, round_, batch)
    paper.do_count(ann, round_, batch)
    paper.do_count(bob, round_, batch)
    assert len(ballot_rows(round_)) == 2 and len(actions("paper.batch_counted")) == 1
    with pytest.raises(UserError, match="Batch 1 has been counted"):
        paper.do_enter(bob, round_, batch, 1, 1, {p1: 9})


def test_single_entry_rounds_count_after_the_first_pass(setup: Any, officers: Any) -> None:
    ann = officers[0]
    round_, (p1, p2) = setup(double_entry=False)
    batch = paper.do_create_batch(ann, round_, 1, "", 3)
    with pytest.raises(UserError, match="entered once"):
        paper.do_enter(ann, round_, batch, 2, 1, {p1: 5})
    enter_all(round_, batch, ann, 1, [{p1: 5}, {p2: 1}, SPOILT])
    paper.do_count(ann, round_, batch)
    assert len(ballot_rows(round_)) == 3 - 1


def test_a_mismatch_is_resolved_by_an_officer_and_logged(setup: Any, officers: Any) -> None:
    ann, bob, cy = officers
    round_, (p1, p2) = setup()
    batch = paper.do_create_batch(ann, round_, 2, "", 2)
    enter_all(round_, batch, ann, 1, [{p1: 7}, {p2: 4}])
    enter_all(round_, batch, bob, 2, [{p1: 1}, {p2: 4}])
    assert batch.state == "mismatch"
    [mismatch] = paper.mismatches(round_, batch)
    assert (mismatch.position, mismatch.first.items, mismatch.check.items) == (1, {p1: 7},
                                                                              {p1: 1})
    with pytest.raises(UserError, match="disagree"):
        paper.do_count(ann, round_, batch)
    with pytest.raises(UserError, match="nothing to resolve"):
        paper.do_resolve(cy, round_, batch, 2, pick=1)
    paper.do_resolve(cy, round_, batch, 1, pick=2)
    paper.do_resolve(cy, round_, batch, 1, pick=2)  # the button pressed twice
    assert batch.state == "entering" and paper.progress(round_, batch).ready
    [logged] = actions("paper.mismatch_resolved")
    assert logged.actor_id == cy.id
    assert logged.detail["chosen"] == {p1: 1} and logged.detail["how"] == "check"
    # Changing one's mind before the count: type the paper as marked instead.
    paper.do_resolve(cy, round_, batch, 1, raw={p1: "8"})
    paper.do_count(cy, round_, batch)
    assert sorted(str(r.items) for r in ballot_rows(round_)) == sorted(
        [str({p1: 8}), str({p2: 4})])


def test_correcting_your_own_entry_replaces_it_and_drops_a_stale_resolution(
        setup: Any, officers: Any) -> None:
    ann, bob, cy = officers
    round_, (p1, _p2) = setup()
    batch = paper.do_create_batch(ann, round_, 1, "", 1)
    paper.do_enter(ann, round_, batch, 1, 1, {p1: 2})
    paper.do_enter(bob, round_, batch, 2, 1, {p1: 3})
    paper.do_resolve(cy, round_, batch, 1, pick=2)
    paper.do_enter(ann, round_, batch, 1, 1, {p1: 4})  # Ann fixes her typing
    assert [e.items for e in batch.entries] == [{p1: 4}, {p1: 3}]  # the resolution is gone
    assert batch.state == "mismatch"
    [corrected] = actions("paper.entry_corrected")
    assert corrected.detail["before"] == {p1: 2} and corrected.detail["after"] == {p1: 4}
    with pytest.raises(UserError, match="by Ann, and only they can correct it"):
        paper.do_enter(cy, round_, batch, 1, 1, {p1: 3})


def test_a_double_submitted_paper_is_stored_once(setup: Any, officers: Any,
                                                 monkeypatch: Any) -> None:
    ann, bob, _cy = officers
    round_, (p1, _p2) = setup()
    batch = paper.do_create_batch(ann, round_, 1, "", 2)
    first = paper.do_enter(ann, round_, batch, 1, 1, {p1: "5"})
    again = paper.do_enter(ann, round_, batch, 1, 1, {p1: "5"})
    assert first.id == again.id and not actions("paper.entry_corrected")
    # The second submit raced the first past the checks: the unique slot catches it.
    monkeypatch.setattr(paper, "check_entry", lambda *args: None)
    assert paper.do_enter(ann, round_, batch, 1, 1, {p1: 5}).id == first.id
    with pytest.raises(UserError, match="entered by someone else a moment ago"):
        paper.do_enter(bob, round_, batch, 1, 1, {p1: 6})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaperEntry)) == 1


def test_invalid_papers_are_refused_unless_marked_spoilt(setup: Any, officers: Any) -> None:
    ann = officers[0]
    round_, (p1, _p2) = setup()
    batch = paper.do_create_batch(ann, round_, 1, "", 2)
    with pytest.raises(UserError, match="Scores go from 1 to 10.*tick “Spoilt or blank"):
        paper.do_enter(ann, round_, batch, 1, 1, {p1: "12"})
    with pytest.raises(UserError, match="Nothing is marked"):
        paper.do_enter(ann, round_, batch, 1, 1, {p1: ""})
    assert paper.do_enter(ann, round_, batch, 1, 1, {p1: "12"}, spoilt=True).items == SPOILT


def test_nothing_changes_once_the_results_are_certified(setup: Any, officers: Any) -> None:
    ann, bob, _cy = officers
    round_, (p1, _p2) = setup("results")
    late = paper.do_create_batch(ann, round_, 1, "Posted ballots", 1)  # arrived after the close
    paper.do_enter(ann, round_, late, 1, 1, {p1: 5})
    paper.do_enter(bob, round_, late, 2, 1, {p1: 5})
    paper.do_count(ann, round_, late)
    waiting = paper.do_create_batch(ann, round_, 2, "", 1)
    paper.do_enter(ann, round_, waiting, 1, 1, {p1: 5})
    paper.do_enter(bob, round_, waiting, 2, 1, {p1: 5})
    outcomes.do_certify(ann, round_)
    for attempt in (lambda: paper.do_create_batch(ann, round_, 3, "", 1),
                    lambda: paper.do_enter(ann, round_, waiting, 1, 1, {p1: 6}),
                    lambda: paper.do_count(ann, round_, waiting)):
        with pytest.raises(UserError, match="certified"):
            attempt()
    assert len(ballot_rows(round_)) == 1
