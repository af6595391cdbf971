"""Comply or explain: the decision body responds to each published recommendation.

A response is accepted, partly accepted, not accepted, or deferred to a date; anything but
acceptance needs substantive reasons. Responding again means amending: a new version, with
the earlier ones kept and shown. Every response and amendment goes into the decision record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pb.broadcast import events
from pb.domain import council as rules
from pb.domain.errors import N_
from pb.domain.languages import DEFAULT, split
from pb.extensions import db
from pb.models import Recommendation, Response, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, on_commit, records, unit_of_work
from pb.services.council.councils import check_manages, current_members
from pb.services.council.texts import (
    Texts,
    check_lengths,
    check_original_first,
    form_field,
    plain,
    store,
)
from pb.services.notifications import announce


@dataclass
class ResponseData:
    """What the decision body decided about one recommendation, and why."""

    outcome: str
    reasons: str = ""
    deferred_until: date | None = None
    # The reasons by language ({"cy": {"reasons": ...}}), as the form's columns give them;
    # without them, `reasons` are in the referral's language.
    texts: Texts | None = None

    def by_language(self, language: str | None) -> Texts:
        return self.texts or plain(language, reasons=self.reasons)


def check_response(actor: User | None, rec: Recommendation, data: ResponseData, *,
                   amend: bool, seen_version: int | None, today: date) -> None:
    """Refuse a response from the wrong person, too early, twice, or without good reasons."""
    check_manages(actor)
    if rec.published_at is None:
        raise ServiceError(N_("This recommendation has not been published yet; the decision "
                              "body responds once the council publishes its advice."))
    current = rec.latest.version if rec.latest else 0
    if seen_version is not None and seen_version != current:
        raise ServiceError(N_("Someone else responded to this recommendation meanwhile; read "
                              "their response and amend it if you need to."))
    if current and not amend:
        raise ServiceError(N_("This recommendation already has a response. To change it, "
                              "amend the response: the earlier version stays visible."))
    if amend and not current:
        raise ServiceError(N_("There is no response to amend yet; respond first."))
    language = rec.referral.language
    texts = data.by_language(language)
    check_original_first(texts, language, ("reasons",))
    check_lengths(texts, {"reasons": rules.REASONS_MAX})
    _lang, originals, translations = split(texts, keep=language or DEFAULT)
    try:
        rules.check_response(data.outcome, originals["reasons"], data.deferred_until, today)
    except rules.ResponseError as error:  # on the column of the referral's language
        if error.field == "reasons":
            error.field = form_field("reasons", language or DEFAULT)
        raise
    latest = rec.latest
    if amend and latest is not None and (latest.outcome, latest.reasons.strip(),
                                         latest.deferred_until, latest.translations or {}) == (
            data.outcome, originals["reasons"], data.deferred_until, translations):
        raise ServiceError(N_("The amendment is the same as the current response; change the "
                              "response, the reasons or the date."))


@records.retrying
def do_respond(actor: User, rec: Recommendation, data: ResponseData, *, amend: bool = False,
               seen_version: int | None = None, now: datetime | None = None) -> Response:
    """Publish the response (or an amended version), record it, and tell the register live."""
    now = now or utcnow()
    with unit_of_work():
        check_response(actor, rec, data, amend=amend, seen_version=seen_version,
                       today=now.date())
        version = (rec.latest.version if rec.latest else 0) + 1
        response = Response(recommendation=rec, version=version, outcome=data.outcome,
                            deferred_until=data.deferred_until,
                            responded_by_id=actor.id, responded_at=now)
        store(response, data.by_language(rec.referral.language), rec.referral.language)
        db.session.add(response)
        kind = records.RESPONSE_AMENDED if amend else records.RESPONSE_PUBLISHED
        audit.record(actor, f"council.{kind}", "recommendation", rec.id, version=version,
                     outcome=data.outcome)
        _record_response(actor, rec, response, kind, now)
        announce.advice_answered(actor, rec, response, [
            m.user for m in current_members(rec.referral.council, now.date())])
        on_commit(events.register_changed, rec.referral.council_id, [rec.id], "response")
    return response


def _record_response(actor: User, rec: Recommendation, response: Response, kind: str,
                     now: datetime) -> None:
    referral = rec.referral
    council = referral.council
    records.append(kind, f"recommendation:{rec.id}", {
        "council": {"id": council.id, "name": council.name},
        "referral": referral.id, "recommendation": {"id": rec.id, "number": rec.number,
                                                    "text": rec.text,
                                                    "translations": rec.translations or {}},
        "version": response.version, "outcome": response.outcome,
        "reasons": response.reasons,
        # The language of the texts above, and the reasons in the other (since #17).
        "language": referral.language, "translations": response.translations or {},
        "deferred_until": response.deferred_until.isoformat() if response.deferred_until
        else None,
        "by": actor.display_name,
    }, actor, council_id=council.id, at=now)
