"""The demo town behind `pb demo`: seed it, idempotently, so running it twice changes nothing.

One module per part of the town (proposals, discussion, voting, live, council, outcomes; the
Welsh of two rounds, places on the map, pictures drawn by `drawing`), each written through
the services like a real user's actions where a service does it; `data` holds its text. It
may import services, models and the domain; only the `pb demo` command imports it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa

from pb.demo import (
    council,
    discussion,
    live,
    notices,
    outcomes,
    pictures,
    places,
    proposals,
    sortition,
    voting,
    welsh,
)
from pb.demo.data import ACCOUNTS, DEMO_PASSWORD, ROUNDS
from pb.domain import phases
from pb.extensions import db
from pb.models import Ballot, Proposal, Round, User
from pb.models.base import utcnow
from pb.services import accounts, counting, rounds


def seed() -> Iterator[str]:
    """Create what is missing of the demo town; yield lines that say what exists."""
    people = {email: _account(email, name, extra) for email, name, extra in ACCOUNTS}
    officer = people["officer@demo.example.org"]
    resident = people["resident@demo.example.org"]
    for spec in ROUNDS:
        yield _announce(*_round(officer, resident, *spec))
    codes_round, created, voting_lines = voting.seed_voting(officer, resident)
    yield _announce(codes_round, created)
    yield proposals.seed_proposals(officer, resident)
    yield places.seed_places()
    yield pictures.seed_pictures(officer)
    yield council.seed_council(officer)
    yield sortition.seed_recruitment(officer)
    yield outcomes.seed_outcomes(officer)
    yield discussion.seed_discussion(officer)
    yield notices.seed_notifications(resident)
    live_line = live.seed_live(people[live.FACILITATOR])
    yield ""
    yield f"Demo logins (password for all: {DEMO_PASSWORD}):"
    for email, _name, extra in ACCOUNTS:
        yield f"  {email:<32} {', '.join(extra) or 'resident'}"
    yield ""
    yield from voting_lines
    yield ""
    yield live_line


def _announce(round_: Round, created: bool) -> str:
    """Say which round the demo made or kept, and its phase."""
    return f"{'Created' if created else 'Kept'} round {round_.id}: {round_.title} " \
           f"(phase: {round_.phase})"


def _account(email: str, name: str, extra: tuple[str, ...]) -> User:
    return accounts.find_by_email(email) or accounts.do_register(
        email, name, DEMO_PASSWORD, extra_roles=extra)


def _round(officer: User, author: User, title: str, area: str, pounds: int, method: str,
           rule: str, phase: str, description: str,
           proposals: list[tuple[str, str, int, str, str]]) -> tuple[Round, bool]:
    existing = db.session.scalar(sa.select(Round).where(Round.title == title))
    if existing is not None:
        welsh.add_welsh(existing)
        return existing, False
    now = utcnow().replace(second=0, microsecond=0)
    here = phases.index(phase)
    # Phases already passed started in the past, a week apart; later ones are planned ahead.
    starts = {p: now + timedelta(days=7 * (phases.index(p) - here))
              for p in phases.PUBLIC_PHASES}
    round_ = rounds.do_create_round(officer, rounds.RoundData(
        title=title, area=area, budget_minor=pounds * 100, currency="GBP",
        ballot_method=method, tally_rule=rule, description=description, language="en",
        starts=starts if phase != "draft" else {}))
    for p_title, summary, cost, category, status in proposals:
        db.session.add(Proposal(round_id=round_.id, author_id=author.id, title=p_title,
                                summary=summary, cost_minor=cost * 100, category=category,
                                area=area, status=status, language="en"))
    db.session.commit()
    welsh.add_welsh(round_)  # before the phases move on, as officers would write it
    if here >= phases.index("voting"):
        _ballots(round_)
    for step in phases.PHASES[1:here + 1]:
        rounds.do_change_phase(officer, round_, step)
    return round_, True


def _ballots(round_: Round, voters: int = 180) -> None:
    """Cast made-up but plausible ballots: some projects are clearly more popular."""
    draw = random.Random(f"demo:{round_.title}")  # the same town every time
    on_ballot = counting.ballot_proposals(round_)
    weights = [len(on_ballot) - i + draw.random() for i in range(len(on_ballot))]
    rows = []
    for voter in range(voters):
        picked: list[Proposal] = []
        spent = 0
        for proposal in draw.choices(on_ballot, weights, k=3):
            if proposal not in picked and spent + proposal.cost_minor <= round_.budget_minor:
                picked.append(proposal)
                spent += proposal.cost_minor
        rows.append(Ballot(round_id=round_.id, voter_key=f"demo:{voter}",
                           items=[str(p.id) for p in picked],
                           source="paper" if voter % 5 == 0 else "online"))
    db.session.add_all(rows)
    db.session.commit()

