"""Proposals: write, save as a draft, submit, edit with revisions, withdraw, review, list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pb.domain import places
from pb.domain import proposals as rules
from pb.domain.errors import N_
from pb.domain.languages import CONTENT_LANGUAGES, check_languages, split
from pb.extensions import db
from pb.models import (
    Proposal,
    ProposalCoauthor,
    ProposalEvent,
    ProposalPicture,
    ProposalRevision,
    Round,
    User,
)
from pb.models.base import utcnow
from pb.services import ServiceError, audit, unit_of_work
from pb.services.accounts import find_by_email
from pb.services.notifications import announce
from pb.services.proposal_listing import (  # noqa: F401 - the listing, where callers look
    PER_PAGE,
    Listing,
    ListingQuery,
    listing,
    values_in_use,
)

STALE = N_("Someone changed this proposal meanwhile; reload the page, check it and try again.")


@dataclass
class ProposalData:
    """What an author writes in a proposal."""

    title: str
    summary: str
    body: str
    cost_minor: int
    category: str = ""
    area: str = ""
    language: str | None = None
    coauthors: list[str] = field(default_factory=list)  # email addresses
    latitude: float | None = None
    longitude: float | None = None
    place: str = ""
    # The texts by language, {"cy": {"title": ...}}, from a form's side-by-side columns; when
    # given, `title`, `summary`, `body` and `language` are not used (the columns say it).
    texts: dict[str, dict[str, str]] | None = None

    def values(self, keep: str | None = None, kept: Any = None) -> dict[str, Any]:
        """Return the revised fields as they are stored, with `translations`.

        `keep` is the row's language so far (it stays while it has text); without `texts`,
        the row's translations so far (`kept`) stay as they are."""
        if self.texts is None:
            language, translations = self.language, dict(kept or {})
            title, summary, body = self.title.strip(), self.summary.strip(), self.body.rstrip()
        else:
            language, originals, translations = split(
                {k: v for k, v in self.texts.items() if k in CONTENT_LANGUAGES}, keep)
            check_languages(translations, rules.TEXT_FIELDS)
            title, summary, body = (originals.get(n, "") for n in rules.TEXT_FIELDS)
        return {"title": title, "summary": summary, "body": body,
                "cost_minor": self.cost_minor, "category": self.category.strip(),
                "area": self.area.strip(), "language": language, "latitude": self.latitude,
                "longitude": self.longitude, "place": self.place.strip(),
                "translations": translations or None}


def check_proposal_data(actor: User, round_: Round, data: ProposalData,
                        enforce: bool = True) -> list[User]:
    """Refuse incomplete or out-of-bounds proposals; return the co-authors' accounts.

    A round published in both languages wants every text in each, but only once the
    proposal is submitted (`enforce`): a draft may be half-translated."""
    if data.texts is None:
        rules.check_text(data.title, data.summary, data.body)
    else:
        rules.check_texts(data.texts, enforce and round_.both_languages,
                          [lang for lang in CONTENT_LANGUAGES if lang in data.texts])
    rules.check_cost(data.cost_minor, round_.budget_minor)
    rules.check_choice(data.category.strip(), round_.categories or [], "category")
    rules.check_choice(data.area.strip(), round_.areas or [], "area")
    places.check_place(data.latitude, data.longitude, data.place.strip())
    if len(data.coauthors) > rules.COAUTHORS_MAX:
        raise ServiceError(N_("Name at most %(max)d co-authors."), field="coauthors",
                           max=rules.COAUTHORS_MAX)
    people = []
    for email in data.coauthors:
        person = find_by_email(email)
        if person is None:
            raise ServiceError(N_("No one has an account with the address %(email)s; ask them "
                                  "to register first."), field="coauthors", email=email)
        if person.id != actor.id and person not in people:
            people.append(person)
    return people


def do_create(actor: User, round_: Round, data: ProposalData, *, submit: bool,
              form_key: str | None = None) -> tuple[Proposal, bool]:
    """Save a new proposal as a draft or submitted; return it and whether it is new.

    A form sent twice (same `form_key`) returns the proposal the first sending made.
    """
    try:
        with unit_of_work():
            return _create(actor, round_, data, submit, form_key)
    except IntegrityError:  # the same form, sent twice at once: the other sending won
        existing = _replayed(actor, form_key)
        if existing is None:
            raise
        return existing, False


def _replayed(actor: User, form_key: str | None) -> Proposal | None:
    """Return the proposal an earlier sending of the same form made, if it was `actor`'s."""
    if not form_key:
        return None
    existing = db.session.scalar(sa.select(Proposal).where(Proposal.form_key == form_key))
    if existing is not None and existing.author_id != actor.id:
        raise ServiceError(N_("This form was already used; reload the page and start again."))
    return existing


def _create(actor: User, round_: Round, data: ProposalData, submit: bool,
            form_key: str | None) -> tuple[Proposal, bool]:
    existing = _replayed(actor, form_key)
    if existing is not None:
        return existing, False
    rules.check_can_submit(round_.phase)
    people = check_proposal_data(actor, round_, data, enforce=submit)
    status = "submitted" if submit else "draft"
    proposal = Proposal(round_id=round_.id, author_id=actor.id, form_key=form_key,
                        status=status, version=1, updated_at=utcnow(), **data.values())
    db.session.add(proposal)
    db.session.flush()
    _set_coauthors(proposal, people)
    _event(actor, proposal, None, status)
    announce.proposal_written(actor, proposal)
    audit.record(actor, f"proposal.{status}", "proposal", proposal.id, round=round_.id,
                 title=proposal.title)
    return proposal, True


def do_edit(actor: User, proposal: Proposal, data: ProposalData, *,
            expected_version: int | None, submit: bool = False) -> Proposal:
    """Change a draft or submitted proposal, keeping a revision of what changed."""
    with unit_of_work():
        round_ = proposal.round
        rules.check_can_edit(round_.phase, proposal.status)
        old_status = proposal.status
        people = check_proposal_data(actor, round_, data,
                                     enforce=submit or old_status != "draft")
        before = {name: getattr(proposal, name) for name in rules.REVISED_FIELDS}
        after = data.values(keep=proposal.language, kept=proposal.translations)
        changed = {**rules.changes(before, after),
                   **rules.translation_changes(proposal.translations, after["translations"])}
        status = "submitted" if submit else old_status
        _compare_and_set(proposal, expected_version, status=status, **after)
        if changed and old_status != "draft":  # a draft's edits are its author's business
            _revise(actor, proposal, changed)
        if status != old_status:
            _event(actor, proposal, old_status, status)
            audit.record(actor, "proposal.submitted", "proposal", proposal.id, round=round_.id,
                         title=after["title"])
        _set_coauthors(proposal, people)
    db.session.refresh(proposal)
    return proposal


def _revise(actor: User, proposal: Proposal, changed: dict[str, Any]) -> None:
    number = 1 + (db.session.scalar(sa.select(sa.func.count()).where(
        ProposalRevision.proposal_id == proposal.id)) or 0)
    # Which photos it showed then, so the revision can be read as it was.
    photos = list(db.session.scalars(sa.select(ProposalPicture.id).where(
        ProposalPicture.proposal_id == proposal.id, ProposalPicture.removed_at.is_(None))
        .order_by(ProposalPicture.position, ProposalPicture.id)))
    db.session.add(ProposalRevision(proposal_id=proposal.id, number=number,
                                    author_id=actor.id, changes=changed, pictures=photos))
    audit.record(actor, "proposal.edited", "proposal", proposal.id, fields=sorted(changed))


def do_withdraw(actor: User, proposal: Proposal, reason: str, *,
                expected_version: int | None) -> Proposal:
    """Withdraw a proposal, publishing the author's reason."""
    with unit_of_work():
        rules.check_can_withdraw(proposal.round.phase, proposal.status, reason)
        old_status = proposal.status
        _compare_and_set(proposal, expected_version, status="withdrawn",
                         status_note=reason.strip())
        _event(actor, proposal, old_status, "withdrawn", note=reason.strip())
        audit.record(actor, "proposal.withdrawn", "proposal", proposal.id,
                     reason=reason.strip())
    db.session.refresh(proposal)
    return proposal


def do_review(actor: User, proposal: Proposal, outcome: str, note: str = "", *,
              cost_minor: int | None = None, merged_into_id: int | None = None,
              expected_version: int | None) -> Proposal:
    """Record an officer's decision on a proposal, publish its note and log it."""
    with unit_of_work():
        round_ = proposal.round
        new_cost = proposal.cost_minor if cost_minor is None else cost_minor
        rules.check_review(outcome, note, round_.phase, proposal.status,
                           new_cost != proposal.cost_minor, merged_into_id)
        if outcome != "adjusted":
            new_cost = proposal.cost_minor  # only an adjustment changes the cost
        else:
            rules.check_cost(new_cost, round_.budget_minor)
        target = _merge_target(proposal, merged_into_id) if outcome == "merged" else None
        old_status, old_cost = proposal.status, proposal.cost_minor
        status = rules.OUTCOME_STATUS[outcome]
        merged = target.id if target else None
        _compare_and_set(proposal, expected_version, status=status, status_note=note.strip(),
                         cost_minor=new_cost, merged_into_id=merged)
        _event(actor, proposal, old_status, status, outcome=outcome, note=note.strip(),
               cost_before=old_cost, cost_after=new_cost, merged_into_id=merged)
        audit.record(actor, "proposal.reviewed", "proposal", proposal.id, before=old_status,
                     after=status, outcome=outcome, note=note.strip(), cost_before=old_cost,
                     cost_after=new_cost, merged_into=merged)
        announce.proposal_reviewed(actor, proposal, outcome, note.strip())
    db.session.refresh(proposal)
    return proposal


def _merge_target(proposal: Proposal, merged_into_id: int | None) -> Proposal:
    target = db.session.get(Proposal, merged_into_id)
    if target is None or target.round_id != proposal.round_id or target.id == proposal.id or \
            target.status not in rules.REVIEWABLE:
        raise ServiceError(N_("Choose another proposal of this round, still under "
                              "consideration, to merge into."), field="merged_into")
    return target


def _compare_and_set(proposal: Proposal, expected_version: int | None, **values: Any) -> None:
    """Write `values` only if nobody changed the proposal since its form was shown."""
    seen = proposal.version if expected_version is None else expected_version
    db.session.flush()
    moved = db.session.execute(
        sa.update(Proposal).where(Proposal.id == proposal.id, Proposal.version == seen)
        .values(version=seen + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:  # the unit of work rolls back
        raise ServiceError(STALE)
    db.session.expire(proposal)


def _event(actor: User | None, proposal: Proposal, before: str | None, after: str,
           outcome: str | None = None, **detail: Any) -> None:
    db.session.add(ProposalEvent(proposal_id=proposal.id, actor_id=actor.id if actor else None,
                                 from_status=before, to_status=after,
                                 outcome=outcome or after, **detail))


def _set_coauthors(proposal: Proposal, people: list[User]) -> None:
    wanted = {p.id for p in people}
    current = coauthors(proposal)
    for row in current:
        if row.user_id not in wanted:
            db.session.delete(row)
    have = {row.user_id for row in current}
    for person_id in wanted - have:
        db.session.add(ProposalCoauthor(proposal_id=proposal.id, user_id=person_id))


def coauthors(proposal: Proposal) -> list[ProposalCoauthor]:
    """Return the proposal's co-authors, in the order they were added."""
    return list(db.session.scalars(sa.select(ProposalCoauthor).where(
        ProposalCoauthor.proposal_id == proposal.id).order_by(ProposalCoauthor.id)))


def is_author(viewer: Any, proposal: Proposal) -> bool:
    """Tell whether `viewer` wrote the proposal or is one of its co-authors."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id == proposal.author_id or any(
        row.user_id == viewer.id for row in coauthors(proposal))


def get_proposal(proposal_id: int, viewer: Any) -> Proposal | None:
    """Return the proposal if `viewer` may see it (a draft: its authors and officers only)."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    manages = bool(viewer is not None and getattr(viewer, "is_authenticated", False)
                   and viewer.manages_rounds)
    if proposal.round.phase == "draft" and not manages:
        return None
    if proposal.status == "draft" and not (manages or is_author(viewer, proposal)):
        return None
    return proposal


def events(proposal: Proposal) -> list[ProposalEvent]:
    """Return the proposal's status history, oldest first."""
    return list(db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)))


def revisions(proposal: Proposal) -> list[ProposalRevision]:
    """Return the proposal's revisions, newest first."""
    return list(db.session.scalars(sa.select(ProposalRevision).where(
        ProposalRevision.proposal_id == proposal.id).order_by(ProposalRevision.id.desc())))


def merged_from(proposal: Proposal) -> list[Proposal]:
    """Return the proposals merged into this one."""
    return list(db.session.scalars(sa.select(Proposal).where(
        Proposal.merged_into_id == proposal.id, Proposal.status == "merged")
        .order_by(Proposal.id)))


def merge_targets(proposal: Proposal) -> list[Proposal]:
    """Return the proposals of the same round that this one could be merged into."""
    return list(db.session.scalars(sa.select(Proposal).where(
        Proposal.round_id == proposal.round_id, Proposal.id != proposal.id,
        Proposal.status.in_(rules.REVIEWABLE)).order_by(Proposal.title)))


def do_set_place(actor: User, proposal: Proposal, latitude: float | None,
                 longitude: float | None, place: str, *,
                 expected_version: int | None) -> Proposal:
    """Set where a proposal would happen (an officer's correction), keeping a revision."""
    with unit_of_work():
        places.check_place(latitude, longitude, place.strip())
        after = {"place": place.strip(), "latitude": latitude, "longitude": longitude}
        before = {name: getattr(proposal, name) for name in after}
        changed = {name: {"before": before[name], "after": after[name]}
                   for name in after if before[name] != after[name]}
        _compare_and_set(proposal, expected_version, **after)
        if changed:
            _revise(actor, proposal, changed)
    db.session.refresh(proposal)
    return proposal
