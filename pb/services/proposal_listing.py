"""The listing of a round's proposals: filtered, searched in every language, sorted."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pb.domain import proposals as rules
from pb.extensions import db
from pb.models import Proposal, Round

PER_PAGE = 20


@dataclass
class ListingQuery:
    """What a visitor asked the listing for."""

    category: str = ""
    area: str = ""
    status: str = ""
    q: str = ""
    sort: str = "random"
    page: int = 1


@dataclass
class Listing:
    """One page of a round's proposals, with the counts the page shows."""

    items: list[Proposal]
    total: int  # proposals matching the filters
    page: int
    pages: int
    by_status: dict[str, int]  # every public proposal of the round, by status
    drafts: list[Proposal]  # the viewer's own drafts, shown only to them
    # Every proposal matching the filters that has a point, on every page: the map's pins.
    located: list[Proposal] = field(default_factory=list)


def listing(round_: Round, viewer: Any, query: ListingQuery, seed: str) -> Listing:
    """Return one page of the round's public proposals, filtered, searched and sorted.

    A round has at most a few hundred proposals, so sorting happens here, where the
    visitor's stable random order can be computed.
    """
    stmt = sa.select(Proposal).where(Proposal.round_id == round_.id,
                                     Proposal.status.in_(rules.PUBLIC_STATUSES))
    by_status = dict(db.session.execute(
        sa.select(Proposal.status, sa.func.count()).where(
            Proposal.round_id == round_.id, Proposal.status.in_(rules.PUBLIC_STATUSES))
        .group_by(Proposal.status)).all())
    if query.category:
        stmt = stmt.where(Proposal.category == query.category)
    if query.area:
        stmt = stmt.where(Proposal.area == query.area)
    if query.status:
        stmt = stmt.where(Proposal.status == query.status)
    found = list(db.session.scalars(stmt))
    words = query.q.strip().casefold()
    if words:  # in Python: the texts in other languages are inside a JSON column
        found = [p for p in found if matches(p, words)]
    found.sort(key=_SORT_KEYS.get(query.sort, _SORT_KEYS["random"])(seed))
    pages = max(1, math.ceil(len(found) / PER_PAGE))
    page = min(max(1, query.page), pages)
    drafts = []
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        drafts = list(db.session.scalars(sa.select(Proposal).where(
            Proposal.round_id == round_.id, Proposal.status == "draft",
            Proposal.author_id == viewer.id).order_by(Proposal.id)))
    return Listing(found[(page - 1) * PER_PAGE:page * PER_PAGE], len(found), page, pages,
                   by_status, drafts,
                   located=[p for p in found if p.latitude is not None
                            and p.longitude is not None])


def matches(proposal: Proposal, words: str) -> bool:
    """Tell whether `words` (case-folded) is in the proposal's title, summary or full
    description, in any language it is written in."""
    return any(words in text.casefold() for texts in proposal.texts().values()
               for text in texts.values() if text)


_SORT_KEYS: dict[str, Any] = {
    "random": lambda seed: lambda p: rules.order_key(seed, p.id),
    "newest": lambda seed: lambda p: (-p.created_at.timestamp(), -p.id),
    "discussed": lambda seed: lambda p: (-p.comment_count, -p.id),
    "cost_low": lambda seed: lambda p: (p.cost_minor, p.id),
    "cost_high": lambda seed: lambda p: (-p.cost_minor, p.id),
}


def values_in_use(round_: Round, name: str) -> list[str]:
    """Return the distinct categories (or areas) the round's public proposals use."""
    column = Proposal.category if name == "category" else Proposal.area
    return [v for v in db.session.scalars(sa.select(column).distinct().where(
        Proposal.round_id == round_.id, Proposal.status.in_(rules.PUBLIC_STATUSES))
        .order_by(column)) if v]
