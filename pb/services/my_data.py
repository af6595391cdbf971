"""What pb holds about one person: the lists on their account page and the "Download my data"
file (docs/accounts.md).

The file is built from sections, each a function of the account registered with `section`, so
another feature adds what it keeps about people (follows, notification settings) by
registering one more: `@my_data.section("follows")`.

How someone voted is never in it, nor on the account page: only which rounds they voted in,
when, and their receipt. A downloaded file may be seen by someone else (a shared computer,
someone who insists on seeing how you voted), and the secret ballot must hold there too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pb.domain.eligibility import show_code
from pb.extensions import db
from pb.models import (
    AccountSession,
    Ballot,
    Comment,
    CouncilMember,
    Follow,
    Notification,
    NotificationPreference,
    Proposal,
    ProposalCoauthor,
    Round,
    User,
)
from pb.models.base import utcnow
from pb.services.voting.identify import Voter
from pb.services.voting.receipts import receipt_for

FORMAT = "pb-my-data/1"
Section = Callable[[User], Any]
SECTIONS: dict[str, Section] = {}


def section(name: str) -> Callable[[Section], Section]:
    """Register `name` as a part of the download, filled by the decorated function."""

    def register(build: Section) -> Section:
        SECTIONS[name] = build
        return build

    return register


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# The account page's lists ------------------------------------------------------------------

def proposals_of(user: User) -> list[Proposal]:
    """Return the proposals `user` wrote or co-wrote, newest first."""
    coauthored = sa.select(ProposalCoauthor.proposal_id).where(
        ProposalCoauthor.user_id == user.id)
    return list(db.session.scalars(
        sa.select(Proposal).where(sa.or_(Proposal.author_id == user.id,
                                         Proposal.id.in_(coauthored)))
        .order_by(Proposal.id.desc())))


def comments_of(user: User) -> list[Comment]:
    """Return the comments `user` wrote, newest first."""
    return list(db.session.scalars(sa.select(Comment).where(Comment.author_id == user.id)
                                   .order_by(Comment.id.desc())))


@dataclass(frozen=True)
class Vote:
    """That someone voted in a round (never how): when first and last, and the receipt."""

    round: Round
    cast_at: datetime
    updated_at: datetime
    receipt: str | None


def votes_of(user: User) -> list[Vote]:
    """Return the rounds `user` voted in with their account, newest first."""
    key = f"user:{user.id}"
    rows = db.session.execute(
        sa.select(Ballot.round_id, Ballot.cast_at, Ballot.updated_at, Ballot.submission_key,
                  Round).join(Round, Round.id == Ballot.round_id)
        .where(Ballot.voter_key == key).order_by(Ballot.cast_at.desc())).all()
    return [Vote(row.Round, row.cast_at, row.updated_at,
                 show_code(receipt_for(Voter(row.round_id, key), row.submission_key))
                 if row.submission_key else None) for row in rows]


# The download ------------------------------------------------------------------------------

@section("account")
def _account(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "display_name": user.display_name,
            "created_at": _when(user.created_at),
            "email_confirmed_at": _when(user.email_verified_at),
            "email_changed_at": _when(user.email_changed_at), "language": user.locale,
            "roles": [{"role": r.role, "granted_at": _when(r.granted_at)} for r in user.roles],
            "two_factor_login": user.two_factor_enabled}


@section("sessions")
def _sessions(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(sa.select(AccountSession).where(AccountSession.user_id == user.id)
                              .order_by(AccountSession.id))
    return [{"browser": s.browser, "system": s.system, "started_at": _when(s.created_at),
             "last_seen_at": _when(s.last_seen_at), "ended_at": _when(s.ended_at)}
            for s in rows]


@section("proposals")
def _proposals(user: User) -> list[dict[str, Any]]:
    return [{"id": p.id, "round": p.round_id, "round_title": p.round.title,
             "title": p.title, "summary": p.summary, "body": p.body,
             "language": p.language, "translations": p.translations or {},
             "cost_minor": p.cost_minor, "currency": p.round.currency,
             "category": p.category, "area": p.area, "status": p.status,
             "you_are": "author" if p.author_id == user.id else "co-author",
             "created_at": _when(p.created_at), "updated_at": _when(p.updated_at)}
            for p in proposals_of(user)]


@section("comments")
def _comments(user: User) -> list[dict[str, Any]]:
    return [{"id": c.id, "proposal": c.proposal_id, "proposal_title": c.proposal.title,
             "reply_to": c.parent_id, "stance": c.stance, "body": c.body,
             "created_at": _when(c.created_at), "edited_at": _when(c.edited_at),
             "hidden_at": _when(c.hidden_at), "hidden_reason": c.hidden_reason}
            for c in comments_of(user)]


@section("voted_in")
def _votes(user: User) -> list[dict[str, Any]]:
    return [{"round": v.round.id, "round_title": v.round.title,
             "first_cast_at": _when(v.cast_at), "last_changed_at": _when(v.updated_at),
             "receipt": v.receipt} for v in votes_of(user)]


@section("council_terms")
def _terms(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(sa.select(CouncilMember).where(CouncilMember.user_id == user.id))
    return [{"council": m.council_id, "council_name": m.council.name,
             "term_start": m.term_start.isoformat(),
             "term_end": m.term_end.isoformat() if m.term_end else None} for m in rows]


@section("follows")
def _follows(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(sa.select(Follow).where(Follow.user_id == user.id)
                              .order_by(Follow.id))
    return [{"round": f.round_id, "proposal": f.proposal_id, "following": f.active,
             "since": _when(f.created_at)} for f in rows]


@section("notification_settings")
def _settings(user: User) -> dict[str, str]:
    rows = db.session.scalars(sa.select(NotificationPreference)
                              .where(NotificationPreference.user_id == user.id))
    return {p.kind: p.delivery for p in rows}


@section("notifications")
def _notifications(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id))
    return [{"kind": n.kind, "about": n.params, "link": n.url, "delivery": n.delivery,
             "created_at": _when(n.created_at), "read_at": _when(n.read_at),
             "emailed_at": _when(n.emailed_at)} for n in rows]


def collect(user: User) -> dict[str, Any]:
    """Return everything pb holds about `user`, ready to write as JSON."""
    data: dict[str, Any] = {"format": FORMAT, "made_at": _when(utcnow())}
    for name, build in SECTIONS.items():
        data[name] = build(user)
    return data
