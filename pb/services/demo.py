"""Seed the demo town: idempotent, so running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa

from pb.domain import phases
from pb.extensions import db
from pb.models import Proposal, Round, User
from pb.models.base import utcnow
from pb.services import accounts, rounds
from pb.services.demo_data import ACCOUNTS, DEMO_PASSWORD, ROUNDS


def seed() -> Iterator[str]:
    """Create what is missing of the demo town; yield lines that say what exists."""
    people = {email: _account(email, name, extra) for email, name, extra in ACCOUNTS}
    officer = people["officer@demo.example.org"]
    resident = people["resident@demo.example.org"]
    for spec in ROUNDS:
        round_, created = _round(officer, resident, *spec)
        yield f"{'Created' if created else 'Kept'} round {round_.id}: {round_.title} " \
              f"({round_.phase})"
    yield ""
    yield f"Demo logins (password for all: {DEMO_PASSWORD}):"
    for email, _name, extra in ACCOUNTS:
        yield f"  {email:<32} {', '.join(extra) or 'resident'}"


def _account(email: str, name: str, extra: tuple[str, ...]) -> User:
    return accounts.find_by_email(email) or accounts.do_register(
        email, name, DEMO_PASSWORD, extra_roles=extra)


def _round(officer: User, author: User, title: str, area: str, pounds: int, method: str,
           rule: str, phase: str, description: str,
           proposals: list[tuple[str, str, int, str, str]]) -> tuple[Round, bool]:
    existing = db.session.scalar(sa.select(Round).where(Round.title == title))
    if existing is not None:
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
    for step in phases.PHASES[1:here + 1]:
        rounds.do_change_phase(officer, round_, step)
    return round_, True
