"""Build councils, referrals and published advice through the services, for the council tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from pb.extensions import db
from pb.models import (
    AuditEntry,
    Council,
    CouncilMember,
    Recommendation,
    RecordEntry,
    Referral,
    Response,
    User,
)
from pb.services import council as councils

REASONS = "The budget for this year is already committed to the flood defences on the river."


@dataclass
class Setup:
    """An officer, a council with one member, and a referral."""

    officer: User
    member: User
    council: Council
    referral: Referral


def make_setup(make_user: Callable[..., User], response_days: int = 30,
               name: str = "Afonbridge Citizens’ Council") -> Setup:
    """Create an officer, a council with one current member, and a referral to it."""
    officer = make_user("officer", name="Olu Officer")
    member = make_user("council", name="Carys Council")
    council = councils.do_create_council(officer, councils.CouncilData(
        name, "Advises on **the budget**.", response_days))
    councils.do_add_member(officer, council, member, date.today() - timedelta(days=30), None)
    referral = councils.do_refer(officer, council, councils.ReferralData(
        "How should the parks budget be spent?", date.today() + timedelta(days=60),
        "The parks budget is £200,000."))
    return Setup(officer, member, council, referral)


def publish(setup: Setup, texts: tuple[str, ...] = ("Plant trees", "Open toilets", "Add bins"),
            now: datetime | None = None) -> list[Recommendation]:
    """Draft recommendations as the member and publish them; return them in order."""
    for text in texts:
        councils.do_add_recommendation(setup.member, setup.referral, text, f"Because {text}.")
    councils.do_publish_advice(setup.member, setup.referral, now=now)
    return list(setup.referral.recommendations)


def counts() -> dict[str, int]:
    """Return how many rows each council table and the record hold."""
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Council, CouncilMember, Referral, Recommendation, Response,
                          RecordEntry, AuditEntry)}
