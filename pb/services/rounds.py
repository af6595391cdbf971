"""Budget rounds: create, edit, move between phases (by hand or on schedule), list."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.broadcast import events
from pb.domain import ballots, eligibility, phases
from pb.domain.errors import N_
from pb.domain.languages import (
    CONTENT_LANGUAGES,
    DEFAULT,
    NAMES,
    by_language,
    form_field,
    split,
    unpaired,
)
from pb.domain.money import MAX_MAJOR_UNITS, is_currency, to_major
from pb.domain.proposals import check_choices
from pb.domain.rounds import BALLOT_METHODS, TALLY_RULES
from pb.domain.values import is_id
from pb.extensions import db
from pb.models import AuditEntry, Certification, PhaseStart, Proposal, Round, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, counting, on_commit, unit_of_work, voting
from pb.services.notifications import announce

PHASE_CHANGED = "round.phase_changed"
# Once voting starts, changing what is being voted on (or how it is counted) would be unfair.
_FROZEN_FROM = phases.index("voting")
_FROZEN_FIELDS = ("budget_minor", "currency", "ballot_method", "tally_rule", "ballot_limit",
                  "ballot_points", "ballot_max_points", "min_spend_percent", "eligibility",
                  "verified_only", "census_check", "double_entry")
_VOTING_FIELDS = ("ballot_limit", "ballot_points", "ballot_max_points", "min_spend_percent",
                  "eligibility", "verified_only", "census_check", "double_entry",
                  "running_totals", "show_thumbnails")


@dataclass
class RoundData:
    """What an officer sets on a round."""

    title: str
    area: str
    budget_minor: int
    currency: str
    ballot_method: str
    tally_rule: str
    description: str = ""
    # The language of `title` and `description` (None: not stated); the same texts in other
    # languages go in `translations`, {"cy": {"title": ..., "description": ...}}.
    language: str | None = None
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    # Published in both languages: every text must be written in each (pb.domain.languages).
    both_languages: bool = False
    starts: dict[str, datetime] = field(default_factory=dict)
    # What proposals choose from; empty lets authors type their own category or area.
    categories: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    # Each category's name in other languages, keyed by the category as in `categories`
    # (written in `language`): {"Parks": {"cy": "Parciau"}}.
    category_names: dict[str, dict[str, str]] = field(default_factory=dict)
    # Voting (see pb.domain.ballots and pb.domain.eligibility).
    ballot_limit: int | None = None
    ballot_points: int | None = None
    ballot_max_points: int | None = None
    min_spend_percent: int = 0
    eligibility: str = "accounts"
    verified_only: bool = False
    census_check: str | None = None
    double_entry: bool = False
    running_totals: bool = False
    # Photo thumbnails on the listing and the ballot (docs/proposals.md, "Photos").
    show_thumbnails: bool = True


def check_round_data(data: RoundData, current: Round | None = None) -> None:
    """Refuse round settings that are incomplete, inconsistent, or too late to change."""
    _check_texts(data)
    if not data.area.strip():
        raise ServiceError(N_("Say which area the round is for."))
    if not is_currency(data.currency):
        raise ServiceError(N_("“%(code)s” is not a currency code; use one such as GBP or EUR."),
                           code=data.currency)
    if data.budget_minor <= 0:
        raise ServiceError(N_("The budget must be more than zero."))
    if to_major(data.budget_minor, data.currency) > MAX_MAJOR_UNITS:
        raise ServiceError(N_("That amount is too large; check the number of zeros."))
    if data.ballot_method not in BALLOT_METHODS:
        raise ServiceError(N_("Choose a ballot method from the list."))
    if data.tally_rule not in TALLY_RULES:
        raise ServiceError(N_("Choose a counting rule from the list."))
    if data.eligibility not in eligibility.MODES:
        raise ServiceError(N_("Choose who may vote from the list."), field="eligibility")
    if data.eligibility == "census" and data.census_check not in eligibility.CENSUS_CHECKS:
        raise ServiceError(N_("Choose the second detail census voters give."),
                           field="census_check")
    ballots.check_settings(data.ballot_method, limit=data.ballot_limit,
                           points=data.ballot_points, max_points=data.ballot_max_points,
                           min_spend=data.min_spend_percent)
    phases.check_schedule(data.starts)
    check_choices(data.categories, "categories")
    check_choices(data.areas, "areas")
    _check_category_names(data)
    if current is not None and phases.index(current.phase) >= _FROZEN_FROM:
        changed = [f for f in _FROZEN_FIELDS if getattr(current, f) != getattr(data, f)]
        if changed:
            raise ServiceError(N_("The budget, the ballot and who may vote, and the counting "
                                  "rule cannot change once voting has started."))


_TEXTS = ("title", "description")
# The messages naming a text missing in one language of a round published in both.
_UNPAIRED = {"title": N_("Write the title in %(language)s too: this round is published in "
                         "both languages."),
             "description": N_("Write the description in %(language)s too: this round is "
                               "published in both languages.")}
def texts_of(data: RoundData) -> dict[str, dict[str, str]]:
    """Return the round's title and description in every language given, by language."""
    return by_language({name: getattr(data, name) or "" for name in _TEXTS}, data.language,
                       data.translations or {})


def _check_texts(data: RoundData) -> None:
    if data.language not in (None, *CONTENT_LANGUAGES) or \
            any(lang not in CONTENT_LANGUAGES for lang in data.translations or {}):
        raise ServiceError(N_("Choose the language of the text from the list."),
                           field="language")
    texts = texts_of(data)
    if not any(values.get("title", "").strip() for values in texts.values()):
        raise ServiceError(N_("Give the round a title, in English or Cymraeg."), field="title")
    if data.both_languages:
        for name, lang in unpaired(texts, _TEXTS, CONTENT_LANGUAGES):
            raise ServiceError(_UNPAIRED[name], field=form_field(name, lang),
                               language=NAMES.get(lang, lang))


def _check_category_names(data: RoundData) -> None:
    """Refuse names of categories the round does not have, and, in a round published in both
    languages, a category without a name in each."""
    for category, names in (data.category_names or {}).items():
        if category not in data.categories:
            raise ServiceError(N_("Name only the round's own categories in other languages."),
                               field="categories")
        check_choices([n for n in names.values() if n], "categories")
    if data.both_languages:
        own = data.language or DEFAULT
        for lang in CONTENT_LANGUAGES:
            if lang != own and any(not (data.category_names or {}).get(c, {}).get(lang)
                                   for c in data.categories):
                raise ServiceError(N_("Name every category in %(language)s too: this round "
                                      "is published in both languages."),
                                   field=form_field("categories", lang),
                                   language=NAMES.get(lang, lang))


def _set_texts(round_: Round, data: RoundData) -> dict[str, object]:
    """Store the texts by language: the originals in the language the officer wrote first
    (`data.language`), the others as translations, and the categories' other names."""
    changes: dict[str, object] = {}
    texts = texts_of(data)
    if data.language is None and not data.translations:  # not stated: kept as before
        language, originals, translations = None, texts[DEFAULT], {}
    else:
        language, originals, translations = split(texts, keep=data.language)
    names = {c: {lang: n.strip() for lang, n in (data.category_names or {}).get(c, {}).items()
                 if n.strip()} for c in data.categories}
    values = {**originals, "language": language, "translations": translations or None,
              "categories": data.categories,
              "category_names": {c: n for c, n in names.items() if n} or None}
    values["title"] = values["title"].strip()
    for name, value in values.items():
        if name == "categories" and not value and not round_.categories:
            continue  # no list before, none now: nothing changed
        if getattr(round_, name, None) != value:
            changes[name] = value
            setattr(round_, name, value)
    return changes


def _apply(round_: Round, data: RoundData) -> dict[str, object]:
    changes = _set_texts(round_, data)
    for name in ("both_languages", "area", "budget_minor", "currency",
                 "ballot_method", "tally_rule", "areas", *_VOTING_FIELDS):
        value = getattr(data, name)
        if name == "areas" and not value and not getattr(round_, name, None):
            continue  # no list before, none now: nothing changed
        value = value.strip() if isinstance(value, str) else value
        if getattr(round_, name, None) != value:
            changes[name] = value
            setattr(round_, name, value)
    if round_.starts != data.starts:
        changes["schedule"] = {p: t.isoformat() for p, t in data.starts.items()}
        _set_schedule(round_, data.starts)
    return changes


def _set_schedule(round_: Round, starts: dict[str, datetime]) -> None:
    # Change the rows in place, by phase: assigning a new list would insert the new rows
    # before deleting the old ones, and a phase kept would break the unique (round, phase).
    rows = {row.phase: row for row in round_.schedule}
    for phase, row in rows.items():
        if phase not in starts:
            round_.schedule.remove(row)
    for phase, when in starts.items():
        if phase in rows:
            rows[phase].starts_at = when
        else:
            round_.schedule.append(PhaseStart(phase=phase, starts_at=when))


def do_create_round(actor: User, data: RoundData) -> Round:
    """Create a round in the draft phase."""
    with unit_of_work():
        check_round_data(data)
        round_ = Round(phase="draft", created_by_id=actor.id)
        _apply(round_, data)
        db.session.add(round_)
        db.session.flush()
        audit.record(actor, "round.created", "round", round_.id, title=round_.title)
    return round_


def do_update_round(actor: User, round_: Round, data: RoundData) -> Round:
    """Change a round's settings, recording what changed."""
    with unit_of_work():
        check_round_data(data, current=round_)
        changes = _apply(round_, data)
        if changes:
            changes.pop("description", None)  # long text: the log says it changed, not how
            audit.record(actor, "round.updated", "round", round_.id,
                         fields=sorted(changes) if changes else ["description"])
    return round_


def check_change_phase(round_: Round, target: str, reason: str = "",
                       expected: str | None = None) -> None:
    """Refuse a move the phase rules forbid, one from a phase the person no longer sees, and
    taking certified results back to voting (the certified count is final)."""
    current = round_.phase
    if expected is not None and expected != current:
        raise ServiceError(N_("Someone else changed the phase meanwhile; check the "
                              "timeline and try again."))
    phases.check_transition(current, target, reason)
    if phases.index(target) < counting.RESULTS_FROM <= phases.index(current) and \
            db.session.scalar(sa.select(Certification.id).where(
                Certification.round_id == round_.id)) is not None:
        raise ServiceError(N_("The results of this round are certified, so it cannot go back "
                              "to voting. Publish any change to what is funded as a departure "
                              "from the vote, with its reasons."))


@dataclass(frozen=True)
class GoingBack:
    """What moving a round back a phase does, for the page that asks the officer to confirm."""

    current: str
    target: str
    ballots: dict[str, int]  # by source: online, paper, import
    proposals: int


def going_back(round_: Round, target: str) -> GoingBack | None:
    """Describe a move back to `target`, or return None if `target` is not earlier."""
    if phases.index(target) >= phases.index(round_.phase):
        return None
    return GoingBack(round_.phase, target, voting.counts(round_), len(proposals(round_)))


def do_change_phase(actor: User | None, round_: Round, target: str, reason: str = "",
                    expected: str | None = None) -> Round:
    """Move a round to `target`, log who did it and why, then (once committed) announce it
    live.

    `expected` is the phase the person saw; if the round moved meanwhile, nothing changes.
    """
    with unit_of_work():
        current = round_.phase
        check_change_phase(round_, target, reason, expected)
        # Compare-and-set, so two officers clicking at once cannot both move the round.
        moved = db.session.execute(
            sa.update(Round).where(Round.id == round_.id, Round.phase == current)
            .values(phase=target, updated_at=utcnow())).rowcount
        if moved != 1:
            raise ServiceError(N_("Someone else changed the phase meanwhile; check the "
                                  "timeline and try again."))
        audit.record(actor, PHASE_CHANGED, "round", round_.id, before=current, after=target,
                     reason=reason.strip(), scheduled=actor is None)
        announce.phase_changed(actor, round_, target)
        on_commit(events.round_phase_changed, round_)
    db.session.refresh(round_)
    if counting.counted(round_):
        _count_quietly(round_)
    return round_


def _count_quietly(round_: Round) -> None:
    """Count as results open, so the first visitor does not wait for a large count."""
    with suppress(ServiceError):  # nothing to count yet: the results page says so
        counting.do_count(round_)


def do_advance_due(now: datetime | None = None) -> list[Round]:
    """Move every round whose next planned phase start has passed; return the rounds moved."""
    now = now or utcnow()
    moved = []
    for round_ in db.session.scalars(sa.select(Round).where(Round.phase != "closed")):
        due = phases.due_phase(round_.phase, round_.starts, now)
        if due is not None:
            moved.append(do_change_phase(None, round_, due, expected=round_.phase))
    return moved


@dataclass
class TimelineStep:
    """One phase of a round as the public timeline shows it."""

    phase: str
    state: str  # "done", "current" or "upcoming"
    planned: datetime | None
    started: AuditEntry | None  # the latest change into this phase


def timeline(round_: Round) -> list[TimelineStep]:
    """Return every public phase with its planned start and when it actually started."""
    changes = audit.entries("round", round_.id, action=PHASE_CHANGED, limit=500)
    latest: dict[str, AuditEntry] = {}
    for entry in reversed(changes):  # oldest first, so later changes overwrite earlier ones
        latest[entry.detail.get("after")] = entry
    here = phases.index(round_.phase)
    steps = []
    for phase in phases.PUBLIC_PHASES:
        i = phases.index(phase)
        state = "done" if i < here else "current" if i == here else "upcoming"
        steps.append(TimelineStep(phase, state, round_.starts.get(phase), latest.get(phase)))
    return steps


def phase_log(round_: Round) -> list[AuditEntry]:
    """Return every phase change of the round, newest first."""
    return audit.entries("round", round_.id, action=PHASE_CHANGED, limit=500)


def proposals(round_: Round) -> list[Proposal]:
    """Return the round's public proposals (not drafts), cheapest first: a neutral order."""
    return list(db.session.scalars(sa.select(Proposal).where(Proposal.round_id == round_.id,
                                                             Proposal.status != "draft")
                                   .order_by(Proposal.cost_minor, Proposal.id)))


def get_round(round_id: int, viewer: User | None) -> Round | None:
    """Return the round if `viewer` may see it (drafts are for round managers only).

    `viewer` may be Flask-Login's `current_user` itself: it is only asked about for drafts,
    so a public page does not load the account. The phase schedule loads when first used.
    """
    if not is_id(round_id):
        return None
    round_ = db.session.get(Round, round_id, options=_LAZY_SCHEDULE)
    if round_ is None or not may_see(round_.phase, viewer):
        return None
    return round_


_LAZY_SCHEDULE = [so.lazyload(Round.schedule)]


def may_see(phase: str, viewer: User | None) -> bool:
    """Tell whether `viewer` may see a round in `phase` (drafts are for round managers)."""
    return phase != "draft" or _manages(viewer)


def list_rounds(viewer: User | None) -> list[Round]:
    """Return the rounds `viewer` may see: current ones first, then drafts, then closed."""
    stmt = sa.select(Round)
    if not _manages(viewer):
        stmt = stmt.where(Round.phase != "draft")
    order = sa.case((Round.phase == "closed", 2), (Round.phase == "draft", 1), else_=0)
    return list(db.session.scalars(stmt.order_by(order, Round.updated_at.desc(),
                                                 Round.id.desc())))


def _manages(viewer: User | None) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.manages_rounds)
