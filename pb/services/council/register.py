"""The public register: every published recommendation, its status and reasons, and figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.domain import council as rules
from pb.domain.languages import CONTENT_LANGUAGES, DEFAULT
from pb.domain.values import spreadsheet_csv
from pb.extensions import db
from pb.models import Council, Recommendation, Referral, Response
from pb.models.base import utcnow


@dataclass(frozen=True)
class Filters:
    """What the register is narrowed to; None means everything."""

    council: int | None = None
    status: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Row:
    """One recommendation as the register shows it."""

    rec: Recommendation
    status: str
    days_overdue: int
    days_to_respond: float | None  # from publication to the first response

    @property
    def referral(self) -> Referral:
        return self.rec.referral

    @property
    def council(self) -> Council:
        return self.rec.referral.council

    @property
    def latest(self) -> Response | None:
        return self.rec.latest


def row_for(rec: Recommendation, now: datetime) -> Row:
    """Work out one published recommendation's status at `now`."""
    latest = rec.latest
    outcome = latest.outcome if latest else None
    until = latest.deferred_until if latest else None
    waited = None
    if rec.responses and rec.published_at is not None:
        seconds = (rec.responses[0].responded_at - rec.published_at).total_seconds()
        waited = round(seconds / 86400, 1)
    return Row(rec, rules.status(outcome, until, rec.response_due, now),
               rules.days_overdue(outcome, until, rec.response_due, now), waited)


def rows(filters: Filters = Filters(), now: datetime | None = None) -> list[Row]:  # noqa: B008
    """Return the published recommendations that match `filters`, newest advice first."""
    now = now or utcnow()
    query = (sa.select(Recommendation).join(Recommendation.referral)
             .where(Recommendation.published_at.is_not(None))
             .options(so.contains_eager(Recommendation.referral)
                      .joinedload(Referral.council))
             .order_by(Recommendation.published_at.desc(), Referral.id.desc(),
                       Recommendation.number))
    if filters.council is not None:
        query = query.where(Referral.council_id == filters.council)
    if filters.year is not None:
        start = datetime(filters.year, 1, 1, tzinfo=now.tzinfo)
        end = datetime(filters.year + 1, 1, 1, tzinfo=now.tzinfo)
        query = query.where(Recommendation.published_at >= start,
                            Recommendation.published_at < end)
    found = [row_for(rec, now) for rec in db.session.scalars(query).unique()]
    if filters.status is not None:
        found = [row for row in found if row.status == filters.status]
    return found


def years() -> list[int]:
    """Return the years in which advice was published, newest first."""
    stamps = db.session.scalars(sa.select(Recommendation.published_at)
                                .where(Recommendation.published_at.is_not(None)).distinct())
    return sorted({stamp.year for stamp in stamps}, reverse=True)


def figures(found: list[Row]) -> list[tuple[Council, rules.Figures]]:
    """Return each council's figures over `found`, by council name."""
    by_council: dict[int, list[Row]] = {}
    for row in found:
        by_council.setdefault(row.council.id, []).append(row)
    result = [(group[0].council, rules.figures((r.status, r.days_to_respond) for r in group))
              for group in by_council.values()]
    return sorted(result, key=lambda pair: pair[0].name)


FIELDS = ("council", "referral", "question", "number", "recommendation", "rationale",
          "published_at",
          "response_due", "status", "days_overdue", "outcome", "reasons", "deferred_until",
          "responded_by", "responded_at", "version", "url", "language",
          *(f"{name}_{lang}" for lang in CONTENT_LANGUAGES[1:] for name in
            ("question", "recommendation", "rationale", "reasons")))
# The open data's texts, by the model field each comes from.
TEXTS = {"question": ("referral", "question"), "recommendation": ("rec", "text"),
         "rationale": ("rec", "rationale"), "reasons": ("latest", "reasons")}


def as_dict(row: Row, url: str) -> dict[str, Any]:
    """Return one register row as open data (times in UTC, ISO 8601).

    The texts are in the referral's `language`; `translations` holds them in the other
    language, by the same names: {"cy": {"question": ..., "recommendation": ...}}.
    """
    rec, latest = row.rec, row.latest
    translations: dict[str, dict[str, str]] = {}
    for name, (owner, field) in TEXTS.items():
        item = getattr(row, owner)
        for lang, fields in ((item.translations or {}) if item is not None else {}).items():
            if fields.get(field):
                translations.setdefault(lang, {})[name] = fields[field]
    return {
        "council": row.council.name, "referral": row.referral.id,
        "question": row.referral.question, "number": rec.number, "recommendation": rec.text,
        "rationale": rec.rationale,
        "published_at": _iso(rec.published_at), "response_due": _iso(rec.response_due),
        "status": row.status, "days_overdue": row.days_overdue,
        "outcome": latest.outcome if latest else None,
        "reasons": latest.reasons if latest else None,
        "deferred_until": latest.deferred_until.isoformat()
        if latest and latest.deferred_until else None,
        "responded_by": latest.responded_by.display_name
        if latest and latest.responded_by else None,
        "responded_at": _iso(latest.responded_at) if latest else None,
        "version": latest.version if latest else 0, "url": url,
        "language": row.referral.language, "translations": translations,
    }


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def to_csv(items: list[dict[str, Any]]) -> str:
    """Return register rows as CSV text with a header line.

    The text columns are by language: `question` etc. in English, `question_cy` etc. in
    Cymraeg (empty where that language has no text yet); `language` says which was written
    first.
    """
    return spreadsheet_csv(FIELDS, ([_cell(item, field) for field in FIELDS]
                                    for item in items))


def _cell(item: dict[str, Any], column: str) -> Any:
    name, _sep, lang = column.rpartition("_")
    if column in TEXTS:
        name, lang = column, DEFAULT
    elif name not in TEXTS or lang not in CONTENT_LANGUAGES:
        return item.get(column)
    if lang == (item.get("language") or DEFAULT):
        return item.get(name)
    return item.get("translations", {}).get(lang, {}).get(name, "")
