"""Citizens' councils: create them, set members and terms, refer questions, draft and publish.

Officers and admins run councils and make referrals; members of a council (the council role
plus a current term on that council) draft advice together and publish it as numbered
recommendations. Publishing is a public decision, so it goes into the decision record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from pb.broadcast import events
from pb.domain import council as rules
from pb.domain import roles
from pb.domain.errors import N_
from pb.domain.languages import DEFAULT, split
from pb.domain.values import is_id
from pb.extensions import db
from pb.models import AdviceApproval, Council, CouncilMember, Recommendation, Referral, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, on_commit, records, unit_of_work
from pb.services.council.publishing import Publication, publication
from pb.services.council.texts import (
    Texts,
    check_lengths,
    check_original_first,
    form_field,
    in_each,
    plain,
    referral_language,
    store,
)
from pb.services.notifications import announce


@dataclass
class CouncilData:
    """What an officer sets on a council."""

    name: str
    remit: str = ""
    response_days: int = rules.DEFAULT_RESPONSE_DAYS
    publish_rule: str = rules.CHAIR
    chair_id: int | None = None  # a current member's user id


@dataclass
class ReferralData:
    """A question put to a council, its background papers and when advice is wanted.

    `texts` are the question and background by language ({"cy": {"question": ...}}), as the
    form's columns give them; without them, `question` and `background` are English.
    """

    question: str
    advice_due: date
    background: str = ""
    texts: Texts | None = None

    def by_language(self) -> Texts:
        return self.texts or plain(None, question=self.question, background=self.background)


def manages(user: User | None) -> bool:
    """Tell whether `user` may run councils, refer questions and respond (officers, admins)."""
    return bool(user is not None and user.is_authenticated and user.has_role(*roles.ROUND_MANAGERS))


def check_manages(actor: User | None) -> None:
    """Refuse anyone who is not an officer or admin."""
    if not manages(actor):
        raise ServiceError(N_("Only officers of the decision body can do this; ask an admin for "
                              "the officer role."))


def is_member(user: User | None, council: Council, today: date | None = None) -> bool:
    """Tell whether `user` holds the council role and a current term on `council`."""
    if user is None or not user.is_authenticated or not user.has_role(roles.COUNCIL):
        return False
    today = today or utcnow().date()
    return any(m.user_id == user.id and m.serves_on(today) for m in council.members)


def current_members(council: Council, today: date | None = None) -> list[CouncilMember]:
    """Return the terms that cover `today`, by start date."""
    today = today or utcnow().date()
    return [m for m in council.members if m.serves_on(today)]


def check_council_data(data: CouncilData, current: Council | None = None) -> None:
    """Refuse a council without a name, with a taken name, or with a silly response period."""
    name = data.name.strip()
    if not name:
        raise ServiceError(N_("Give the council a name."), field="name")
    if len(name) > rules.NAME_MAX:
        raise ServiceError(N_("Use at most %(max)d characters."), field="name",
                           max=rules.NAME_MAX)
    taken = db.session.scalar(sa.select(Council.id).where(Council.name == name))
    if taken is not None and (current is None or taken != current.id):
        raise ServiceError(N_("There is already a council called “%(name)s”; choose another "
                              "name."), field="name", name=name)
    if not 1 <= data.response_days <= rules.MAX_RESPONSE_DAYS:
        raise ServiceError(N_("The response period must be between 1 and %(max)d days."),
                           field="response_days", max=rules.MAX_RESPONSE_DAYS)
    if data.publish_rule not in rules.PUBLISH_RULES:
        raise ServiceError(N_("Choose who may publish the council’s advice."),
                           field="publish_rule")
    serving = {m.user_id for m in current_members(current)} if current is not None else set()
    if data.chair_id is not None and data.chair_id not in serving:
        raise ServiceError(N_("Choose the chair from the council’s current members."),
                           field="chair_id")


def do_create_council(actor: User, data: CouncilData) -> Council:
    """Create a council (officers and admins)."""
    with unit_of_work():
        check_manages(actor)
        check_council_data(data)
        council = Council(name=data.name.strip(), remit=data.remit,
                          response_days=data.response_days, publish_rule=data.publish_rule,
                          created_by_id=actor.id)
        db.session.add(council)
        db.session.flush()
        audit.record(actor, "council.created", "council", council.id, name=council.name)
    return council


def do_update_council(actor: User, council: Council, data: CouncilData) -> Council:
    """Change a council's name, remit, response period (for advice published later), chair,
    or who may publish its advice."""
    with unit_of_work():
        check_manages(actor)
        check_council_data(data, current=council)
        council.name, council.remit = data.name.strip(), data.remit
        council.response_days = data.response_days
        council.publish_rule, council.chair_id = data.publish_rule, data.chair_id
        audit.record(actor, "council.updated", "council", council.id,
                     publish_rule=data.publish_rule, chair=data.chair_id)
    return council


def do_add_member(actor: User, council: Council, user: User | None, term_start: date,
                  term_end: date | None) -> CouncilMember:
    """Give `user` a term on the council; they must hold the council role."""
    with unit_of_work():
        person = check_term(actor, council, user, term_start, term_end)
        member = CouncilMember(council=council, user_id=person.id, term_start=term_start,
                               term_end=term_end)
        db.session.add(member)
        db.session.flush()
        audit.record(actor, "council.member_added", "council", council.id, user=person.id,
                     term_start=term_start.isoformat(),
                     term_end=term_end.isoformat() if term_end else None)
    return member


def check_term(actor: User, council: Council, user: User | None, term_start: date,
               term_end: date | None) -> User:
    """Refuse a term for someone without an account or the council role, or one that is
    backwards or overlaps a term they already have; return the person."""
    check_manages(actor)
    if user is None:
        raise ServiceError(N_("There is no account with that email address; the person must "
                              "register first."), field="email")
    if not user.has_role(roles.COUNCIL):
        raise ServiceError(N_("%(name)s does not have the council member role; an admin can "
                              "give it under People and roles."), field="email",
                           name=user.display_name)
    if term_end is not None and term_end < term_start:
        raise ServiceError(N_("The term must end on or after the day it starts."),
                           field="term_end")
    for term in council.members:
        if term.user_id == user.id and _overlaps(term, term_start, term_end):
            raise ServiceError(N_("%(name)s already has a term on this council at that time."),
                               field="email", name=user.display_name)
    return user


def _overlaps(term: CouncilMember, start: date, end: date | None) -> bool:
    return (term.term_end is None or start <= term.term_end) and \
        (end is None or term.term_start <= end)


def do_end_term(actor: User, member: CouncilMember, end: date) -> CouncilMember:
    """End a member's term on `end` (it stays on the public page as a past term)."""
    with unit_of_work():
        check_manages(actor)
        if end < member.term_start:
            raise ServiceError(N_("The term must end on or after the day it starts."),
                               field="term_end")
        member.term_end = end
        audit.record(actor, "council.term_ended", "council", member.council_id,
                     user=member.user_id, term_end=end.isoformat())
    return member


def do_refer(actor: User, council: Council, data: ReferralData,
             now: datetime | None = None) -> Referral:
    """Put a question to the council, with background papers and a date for its advice."""
    now = now or utcnow()
    with unit_of_work():
        check_referral(actor, data, now.date())
        language, originals, translations = split(data.by_language(),
                                                  keep=referral_language(data.by_language()))
        referral = Referral(council_id=council.id, question=originals["question"],
                            background=originals.get("background", ""), language=language,
                            translations=translations or None, advice_due=data.advice_due,
                            referred_by_id=actor.id, created_at=now)
        db.session.add(referral)
        db.session.flush()
        audit.record(actor, "council.referred", "referral", referral.id, council=council.id)
        announce.question_referred(actor, referral,
                                   [m.user for m in current_members(council, now.date())])
    return referral


def check_referral(actor: User, data: ReferralData, today: date) -> None:
    """Refuse a referral by a non-officer, without a question in any language, with a text
    too long, or with advice due already."""
    check_manages(actor)
    texts = data.by_language()
    if not in_each(texts, "question"):
        raise ServiceError(N_("Write the question you are putting to the council."),
                           field="question")
    check_lengths(texts, {"question": rules.QUESTION_MAX, "background": rules.BACKGROUND_MAX})
    check_original_first(texts, referral_language(texts), ("background",))
    if data.advice_due <= today:
        raise ServiceError(N_("Ask for the advice by a date in the future."),
                           field="advice_due")


def check_can_draft(actor: User | None, referral: Referral) -> None:
    """Let only the council's current members change advice, and only before it is published."""
    if not is_member(actor, referral.council):
        raise ServiceError(N_("Only current members of this council can draft its advice."))
    if referral.published_at is not None:
        raise ServiceError(N_("This advice has been published and cannot be changed. The "
                              "decision body’s responses can be amended; new advice needs a "
                              "new referral."))


def _check_text(texts: Texts, language: str | None) -> None:
    """Refuse a recommendation without text, too long, or not in the referral's language."""
    if not in_each(texts, "text"):
        raise ServiceError(N_("Write the recommendation."),
                           field=form_field("text", language or DEFAULT))
    check_lengths(texts, {"text": rules.TEXT_MAX, "rationale": rules.TEXT_MAX})
    check_original_first(texts, language, ("text", "rationale"))


def do_add_recommendation(actor: User, referral: Referral, text: str = "", rationale: str = "",
                          *, texts: Texts | None = None) -> Recommendation:
    """Add a draft recommendation at the end of the advice (`texts` by language, or `text`
    and `rationale` in the referral's language)."""
    texts = texts or plain(referral.language, text=text, rationale=rationale)
    with unit_of_work():
        check_can_draft(actor, referral)
        _check_text(texts, referral.language)
        number = max((r.number for r in referral.recommendations), default=0) + 1
        rec = Recommendation(referral=referral, number=number, created_by_id=actor.id)
        store(rec, texts, referral.language)
        db.session.add(rec)
    return rec


def do_edit_recommendation(actor: User, rec: Recommendation, text: str = "",
                           rationale: str = "", *, texts: Texts | None = None
                           ) -> Recommendation:
    """Change a draft recommendation in any language; a published one cannot change."""
    language = rec.referral.language
    texts = texts or plain(language, text=text, rationale=rationale)
    with unit_of_work():
        check_can_draft(actor, rec.referral)
        _check_text(texts, language)
        store(rec, texts, language)
    return rec


def do_remove_recommendation(actor: User, rec: Recommendation) -> None:
    """Remove a draft recommendation and number the rest without gaps."""
    with unit_of_work():
        referral = rec.referral
        check_can_draft(actor, referral)
        referral.recommendations.remove(rec)
        db.session.flush()
        for number, other in enumerate(referral.recommendations, start=1):
            if other.number != number:
                other.number = number
                db.session.flush()  # one at a time: the numbers are unique per referral


def do_save_summary(actor: User, referral: Referral, summary: str = "", *,
                    texts: Texts | None = None) -> Referral:
    """Save the council's draft covering summary of its advice (in any language)."""
    texts = texts or plain(referral.language, summary=summary)
    with unit_of_work():
        check_can_draft(actor, referral)
        check_lengths(texts, {"summary": rules.BACKGROUND_MAX})
        check_original_first(texts, referral.language, ("summary",))
        store(referral, texts, referral.language)
    return referral


def check_publish(actor: User | None, referral: Referral, seen: str | None) -> Publication:
    """Refuse to publish or approve advice that is empty, that changed since `seen` (the
    draft's digest on the page the member checked), or that `actor` may not publish."""
    check_can_draft(actor, referral)
    if not referral.recommendations:
        raise ServiceError(N_("Add at least one recommendation before publishing the "
                              "advice."))
    state = publication(referral)
    if seen is not None and seen != state.digest:
        raise ServiceError(N_("The draft changed after you checked it. Check it again: "
                              "nothing was published."))
    if state.rule == rules.CHAIR and state.chair is None:
        raise ServiceError(N_("Only the council’s chair can publish its advice, and the "
                              "council has no chair serving. Ask an officer to name one, or to "
                              "let a majority of members publish."))
    if state.rule == rules.CHAIR and not state.may_publish(actor):
        raise ServiceError(N_("Only the council’s chair, %(name)s, can publish its advice."),
                           name=state.chair.display_name)
    if state.rule == rules.MAJORITY and state.has_approved(actor):
        raise ServiceError(N_("You have already approved this draft. It is published once "
                              "%(needed)d members have approved it."), needed=state.needed)
    return state


@records.retrying
def do_publish_advice(actor: User, referral: Referral, now: datetime | None = None,
                      seen: str | None = None) -> Referral:
    """Publish the advice as the chair, or approve it as a member under the majority rule
    (publishing it once a majority has approved the same draft): number it, start the
    response clock, and record it publicly.

    `seen` is the digest of the draft the member checked; if the draft changed meanwhile,
    nothing happens. Whether the advice was published shows in `referral.published_at`.
    """
    with unit_of_work():
        state = check_publish(actor, referral, seen)
        now = now or utcnow()
        approvers: list[User] = []
        if state.rule == rules.MAJORITY:
            mine = next((a for a in referral.approvals if a.user_id == actor.id), None)
            if mine is None:
                mine = AdviceApproval(referral=referral, user_id=actor.id, user=actor)
                db.session.add(mine)
            mine.draft_sha256, mine.approved_at = state.digest, now
            approvers = [a.user for a in state.approved] + [actor]
            audit.record(actor, "council.advice_approved", "referral", referral.id,
                         approvals=len(approvers), needed=state.needed)
            if len(approvers) < state.needed:
                return referral
        recs = referral.recommendations
        due = now + timedelta(days=referral.council.response_days)
        for rec in recs:
            rec.published_at, rec.response_due = now, due
        referral.published_at, referral.published_by_id = now, actor.id
        audit.record(actor, "council.advice_published", "referral", referral.id,
                     recommendations=len(recs))
        _record_advice(actor, referral, due, now, approvers)
        on_commit(events.register_changed, referral.council_id, [r.id for r in recs], "advice")
    return referral


def _record_advice(actor: User, referral: Referral, due: datetime, now: datetime,
                   approvers: list[User]) -> None:
    council = referral.council
    body = {
        "council": {"id": council.id, "name": council.name},
        "referral": referral.id, "question": referral.question, "summary": referral.summary,
        "recommendations": [{"id": r.id, "number": r.number, "text": r.text,
                             "rationale": r.rationale, "translations": r.translations or {}}
                            for r in referral.recommendations],
        # The language of the texts above, and the same texts in the other (since #17).
        "language": referral.language, "translations": {
            lang: kept for lang, fields in (referral.translations or {}).items()
            if (kept := {k: v for k, v in fields.items() if k in ("question", "summary")})},
        "response_due": due.isoformat(), "by": actor.display_name,
    }
    if approvers:  # published by a majority: who approved it is part of the decision
        body["approved_by"] = [person.display_name for person in approvers]
    records.append(records.ADVICE_PUBLISHED, f"referral:{referral.id}", body, actor,
                   council_id=council.id, at=now)


def list_councils() -> list[Council]:
    """Return every council by name."""
    return list(db.session.scalars(sa.select(Council).order_by(Council.name)))


def get_council(council_id: int) -> Council | None:
    """Return the council, if it exists (councils are public)."""
    return db.session.get(Council, council_id) if is_id(council_id) else None


def get_member(member_id: int) -> CouncilMember | None:
    """Return a council member's term, if it exists (terms are public)."""
    return db.session.get(CouncilMember, member_id) if is_id(member_id) else None


def get_referral(referral_id: int) -> Referral | None:
    """Return the referral, if it exists (its question is public; drafts are not)."""
    return db.session.get(Referral, referral_id) if is_id(referral_id) else None


def get_recommendation(rec_id: int, viewer: User | None) -> Recommendation | None:
    """Return a recommendation `viewer` may see: published ones, or drafts to members."""
    rec = db.session.get(Recommendation, rec_id) if is_id(rec_id) else None
    if rec is None or (rec.published_at is None and not is_member(viewer, rec.referral.council)):
        return None
    return rec
