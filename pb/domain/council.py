"""Comply or explain: the rules for responses to a council's recommendations, and the figures.

Pure: values in, values out. A recommendation's public status follows from its latest
response (if any), when a response was due, and the time now.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import Any

from pb.domain.errors import N_, UserError

ACCEPTED, PARTLY, NOT_ACCEPTED, DEFERRED = "accepted", "partly", "not_accepted", "deferred"
OUTCOMES: tuple[str, ...] = (ACCEPTED, PARTLY, NOT_ACCEPTED, DEFERRED)
AWAITING, OVERDUE = "awaiting", "overdue"
# Every status the register shows and filters by.
STATUSES: tuple[str, ...] = (AWAITING, OVERDUE, *OUTCOMES)
MIN_REASONS = 40     # characters: enough for a sentence that actually explains
REASONS_MAX = 5000
TEXT_MAX = 5000
NAME_MAX = 120
QUESTION_MAX = 300
BACKGROUND_MAX = 20_000
DEFAULT_RESPONSE_DAYS = 30
MAX_RESPONSE_DAYS = 365
# Who may publish a council's advice: its chair alone, or a majority of its current members.
CHAIR, MAJORITY = "chair", "majority"
PUBLISH_RULES: tuple[str, ...] = (CHAIR, MAJORITY)


def majority_of(members: int) -> int:
    """Return how many approvals make a majority of `members` (more than half)."""
    return members // 2 + 1


def draft_digest(summary: str, recommendations: Iterable[tuple[int, str, str]],
                 translations: Mapping[str, Any] | None = None) -> str:
    """Return the SHA-256 of a draft's summary and (number, text, rationale) triples, so an
    approval or a confirmation names exactly the draft that was read.

    `translations` are the draft's texts in its other language (any JSON value, e.g.
    {"summary": {"cy": "..."}, "recommendations": {"1": {"cy": {"text": "..."}}}}): a
    change to them changes the digest too. A draft without any keeps the digest it had
    before drafts had translations.
    """
    draft: dict[str, Any] = {"summary": summary,
                             "recommendations": [list(r) for r in recommendations]}
    if translations:
        draft["translations"] = translations
    payload = json.dumps(draft, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class ResponseError(UserError):
    """A response the decision body may not give as it stands, and why."""


def check_response(outcome: str, reasons: str, deferred_until: date | None,
                   today: date) -> None:
    """Require reasons for anything but acceptance, and a future date for a deferral."""
    if outcome not in OUTCOMES:
        raise ResponseError(N_("Choose a response from the list."), field="outcome")
    text = reasons.strip()
    if outcome != ACCEPTED and not text:
        raise ResponseError(N_("Give the reasons: they are required whenever advice is not "
                               "accepted in full."), field="reasons")
    if outcome != ACCEPTED and len(text) < MIN_REASONS:
        raise ResponseError(N_("Explain the reasons in at least %(n)d characters, so residents "
                               "can see why the advice was not followed in full."),
                            field="reasons", n=MIN_REASONS)
    if len(text) > REASONS_MAX:
        raise ResponseError(N_("Use at most %(max)d characters."), field="reasons",
                            max=REASONS_MAX)
    if outcome == DEFERRED:
        if deferred_until is None:
            raise ResponseError(N_("Say by which date the decision will be made."),
                                field="deferred_until")
        if deferred_until <= today:
            raise ResponseError(N_("A deferral needs a date in the future."),
                                field="deferred_until")
    elif deferred_until is not None:
        raise ResponseError(N_("Only a deferred response has a date; clear the date or choose "
                               "“deferred”."), field="deferred_until")


def status(outcome: str | None, deferred_until: date | None, due: datetime | None,
           now: datetime) -> str:
    """Return the public status: the latest outcome, or awaiting/overdue when there is none.

    A deferral whose date has passed without a newer response is overdue again.
    """
    if outcome is None:
        return OVERDUE if due is not None and now > due else AWAITING
    if outcome == DEFERRED and deferred_until is not None and now.date() > deferred_until:
        return OVERDUE
    return outcome


def days_overdue(outcome: str | None, deferred_until: date | None, due: datetime | None,
                 now: datetime) -> int:
    """Return how many whole days a response is overdue (0 when it is not)."""
    if status(outcome, deferred_until, due, now) != OVERDUE:
        return 0
    if outcome is None and due is not None:
        return max((now - due).days, 0) or 1
    assert deferred_until is not None
    return (now.date() - deferred_until).days


@dataclass(frozen=True)
class Figures:
    """How one council's advice fared: counts by status and the median days to respond."""

    total: int
    counts: dict[str, int]
    median_days: float | None

    def share(self, status_: str) -> float:
        """Return the share (0–1) of recommendations with `status_`."""
        return self.counts.get(status_, 0) / self.total if self.total else 0.0


def figures(items: Iterable[tuple[str, float | None]]) -> Figures:
    """Sum up (status, days from publication to first response or None) pairs."""
    counts = dict.fromkeys(STATUSES, 0)
    days = []
    total = 0
    for status_, waited in items:
        total += 1
        counts[status_] = counts.get(status_, 0) + 1
        if waited is not None:
            days.append(waited)
    return Figures(total, counts, median(days) if days else None)
