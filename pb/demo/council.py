"""Seed the demo town's citizens' council with a history of advice and responses (idempotent)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pb.demo.data import COUNCIL, DEMO_PASSWORD, REFERRALS
from pb.domain import roles
from pb.extensions import db
from pb.models import Council, User
from pb.models.base import utcnow
from pb.services import accounts
from pb.services.council import councils as councils
from pb.services.council.responses import ResponseData, do_respond


def seed_council(officer: User) -> str:
    """Create the demo council unless it exists; return a line saying what happened."""
    existing = db.session.scalar(sa.select(Council).where(Council.name == COUNCIL["name"]))
    if existing is not None:
        return f"Kept council {existing.id}: {existing.name}"
    now = utcnow().replace(second=0, microsecond=0)
    council = councils.do_create_council(officer, councils.CouncilData(
        COUNCIL["name"], COUNCIL["remit"], COUNCIL["response_days"]))
    drafter = None
    for email, name, started, ended in COUNCIL["members"]:
        person = accounts.find_by_email(email) or accounts.do_register(
            email, name, DEMO_PASSWORD, extra_roles=(roles.COUNCIL,))
        councils.do_add_member(officer, council, person, (now - timedelta(days=started)).date(),
                               (now - timedelta(days=ended)).date() if ended else None)
        if ended is None and drafter is None:
            drafter = person
    assert drafter is not None
    councils.do_update_council(officer, council, councils.CouncilData(
        COUNCIL["name"], COUNCIL["remit"], COUNCIL["response_days"], chair_id=drafter.id))
    for question, background, referred, published, recs in REFERRALS:
        asked = now - timedelta(days=referred)
        referral = councils.do_refer(officer, council, councils.ReferralData(
            question, (asked + timedelta(days=30)).date(), background), now=asked)
        for text, rationale, _responses in recs:
            councils.do_add_recommendation(drafter, referral, text, rationale)
        if published is None:
            continue
        at = now - timedelta(days=published)
        councils.do_publish_advice(drafter, referral, now=at)
        # In the order they happened, so the decision record reads as a timeline.
        steps = sorted([(after, version, rec, outcome, reasons, until)
                        for rec, (_text, _why, responses) in
                        zip(referral.recommendations, recs, strict=True)
                        for version, (after, outcome, reasons, until) in
                        enumerate(responses, start=1)], key=lambda step: step[:2])
        for after, version, rec, outcome, reasons, until in steps:
            do_respond(officer, rec, ResponseData(
                outcome, reasons, (now + timedelta(days=until)).date() if until else None),
                amend=version > 1, now=at + timedelta(days=after))
    return f"Created council {council.id}: {council.name}"
