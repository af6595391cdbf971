"""Selecting a council by lot: publish the fair selection, draw from the public seed,
invite the panel, seat those who accept, and replace those who drop out.

1. `do_publish`: once volunteering has closed, the LEXIMIN distribution over panels and its
   lottery are computed (in a child process: `pb.domain.sortition.solve`) and published,
   with every volunteer's chance under their number; the files' hashes go into the
   decision record. The pool is fixed from then on.
2. `do_enter_seed`: two different officers each type the seed announced in advance; when
   the second entry matches the first, the panel is drawn (`draw.draw_number`) and recorded.
   Entries that differ are both discarded and nothing is drawn.
3. Invitations go to the panel (the outbox); `do_answer` seats a volunteer who accepts as a
   council member for the recruitment's term (with an account made for them if they have
   none); `do_replace` draws a replacement for one who declines or leaves, by the rule in
   `draw.replacement`, and records it.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from pb.domain import roles
from pb.domain.errors import N_
from pb.domain.sortition import draw
from pb.domain.sortition.quotas import Shortfall, SortitionError
from pb.domain.sortition.quotas import Volunteer as PoolMember
from pb.extensions import db
from pb.models import CouncilMember, Recruitment, SeedEntry, User, UserRole, Volunteer
from pb.models.base import utcnow
from pb.services import ServiceError, audit, records, unit_of_work
from pb.services.accounts import find_by_email, hasher, make_reset_token
from pb.services.council.councils import check_manages
from pb.services.council.recruitment import new_key, pool, quotas_of
from pb.services.mail import send_mail

PUBLISHED = "sortition.published"
DRAWN = "sortition.drawn"
REPLACED = "sortition.replaced"
ALGORITHM = "LEXIMIN (sortition-algorithms, HiGHS); lottery by pipage rounding"


def files(recruitment: Recruitment) -> dict[str, str]:
    """Return the published files, by name (empty before publication)."""
    if recruitment.published_at is None:
        return {}
    return {"quotas.csv": recruitment.published_quotas_csv or "",
            "pool.csv": recruitment.pool_csv or "",
            "probabilities.csv": recruitment.probabilities_csv or "",
            "panels.csv": recruitment.panels_csv or ""}


def _solve(request: dict[str, object], time_limit: bool) -> dict[str, object]:
    """Run the solver in a child process and return its answer."""
    timeout = current_app.config["PB_SORTITION_TIMEOUT"] if time_limit else None
    try:
        done = subprocess.run([sys.executable, "-m", "pb.domain.sortition.solve"],
                              input=json.dumps(request), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ServiceError(N_("Computing the selection took longer than %(seconds)d seconds, "
                              "so it was stopped and nothing was published. Run “pb "
                              "sortition publish” on the server, which has no time limit."),
                           seconds=int(timeout or 0)) from None
    if done.returncode != 0:
        current_app.logger.error("The sortition solver failed:\n%s", done.stderr[-4000:])
        raise ServiceError(N_("The selection could not be computed (the solver stopped with "
                              "an error, now in the server's log); nothing was published."))
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def _raise_solver_error(error: dict[str, object]) -> None:
    lines = [Shortfall(**line) for line in error.get("lines", [])]  # type: ignore[union-attr, arg-type]
    if lines:
        raise SortitionError(lines)
    raise SortitionError(str(error["template"]), **dict(error.get("params") or {}))  # type: ignore[call-overload]


@records.retrying
def do_publish(actor: User, recruitment: Recruitment, greedy_runs: int = 200, *,
               time_limit: bool = True) -> Recruitment:
    """Compute and publish the selection of a closed recruitment (within
    PB_SORTITION_TIMEOUT seconds, unless `time_limit` is off: the command line's way)."""
    check_manages(actor)
    if recruitment.published_at is not None:
        raise ServiceError(N_("The selection has already been published."))
    if recruitment.is_open(utcnow()):
        raise ServiceError(N_("Volunteering is still open until %(closes)s; close it first."),
                           closes=recruitment.closes_at.strftime("%Y-%m-%d %H:%M UTC"))
    members = pool(recruitment)
    answer = _solve({
        "quotas": recruitment.quotas_csv, "seats": recruitment.seats,
        "pool": [[v.number, v.categories] for v in members],
        "panels": recruitment.panel_count, "seed": f"recruitment:{recruitment.id}",
        "greedy_runs": greedy_runs}, time_limit)
    if "error" in answer:
        _raise_solver_error(answer["error"])  # type: ignore[arg-type]
    published: dict[str, str] = answer["files"]  # type: ignore[assignment]
    with unit_of_work():
        now = utcnow()
        if _pool_numbers(recruitment) != [v.number for v in members]:
            raise ServiceError(N_("A volunteer confirmed or withdrew while the selection was "
                                  "being computed, so nothing was published. Publish again."))
        _claim(recruitment, Recruitment.published_at, now,
               N_("The selection has already been published."))
        recruitment.published_quotas_csv = published["quotas.csv"]
        recruitment.pool_csv = published["pool.csv"]
        recruitment.probabilities_csv = published["probabilities.csv"]
        recruitment.panels_csv = published["panels.csv"]
        for name in ("smallest", "mean", "largest_gap", "greedy_smallest", "greedy_never"):
            setattr(recruitment, name, answer[name])
        recruitment.greedy_runs = greedy_runs
        records.append(PUBLISHED, f"recruitment:{recruitment.id}", {
            "council": recruitment.council_id, "recruitment": recruitment.id,
            "title": recruitment.title, "seats": recruitment.seats,
            "volunteers": len(members), "panels": recruitment.panel_count,
            "files": {name: draw.sha256(text) for name, text in published.items()},
            "smallest": round(float(answer["smallest"]), 6),  # type: ignore[arg-type]
            "seed_source": recruitment.seed_source, "algorithm": ALGORITHM,
            "by": actor.display_name}, actor, council_id=recruitment.council_id, at=now)
        audit.record(actor, "recruitment.published", "recruitment", recruitment.id)
    return recruitment


def _pool_numbers(recruitment: Recruitment) -> list[int]:
    """Return the pool's numbers as the database has them now (not as this session saw them)."""
    return list(db.session.scalars(
        sa.select(Volunteer.number)
        .where(Volunteer.recruitment_id == recruitment.id, Volunteer.confirmed_at.is_not(None),
               Volunteer.withdrawn_at.is_(None)).order_by(Volunteer.number)))


def _claim(recruitment: Recruitment, column: sa.orm.InstrumentedAttribute[datetime | None],
           now: datetime, taken: str) -> None:
    """Set a step's time only if no one has yet: two officers clicking at once cannot both
    publish or both draw, as the database lets one update through."""
    done = db.session.execute(sa.update(Recruitment)
                              .where(Recruitment.id == recruitment.id, column.is_(None))
                              .values({column: now}))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ServiceError(taken)
    setattr(recruitment, column.key, now)


# The seed, entered twice ---------------------------------------------------------------------

@dataclass(frozen=True)
class SeedOutcome:
    """What entering the seed did: "waiting" for a second officer, "differs", or "drawn"."""

    outcome: str


@records.retrying
def do_enter_seed(actor: User, recruitment: Recruitment, seed: str,
                  invite_link: Callable[[str], str]) -> SeedOutcome:
    """Take one officer's entry of the seed; draw when a second officer's entry agrees."""
    with unit_of_work():
        check_manages(actor)
        if recruitment.published_at is None:
            raise ServiceError(N_("Publish the selection first: the panels must be public "
                                  "before the seed is entered."))
        if recruitment.drawn_at is not None:
            raise ServiceError(N_("The panel has already been drawn."))
        seed = draw.normalise_seed(seed)
        first = db.session.scalar(sa.select(SeedEntry)
                                  .where(SeedEntry.recruitment_id == recruitment.id)
                                  .order_by(SeedEntry.id).limit(1))
        if first is None:
            db.session.add(SeedEntry(recruitment_id=recruitment.id, officer_id=actor.id,
                                     seed=seed))
            audit.record(actor, "recruitment.seed_entered", "recruitment", recruitment.id)
            return SeedOutcome("waiting")
        if first.officer_id == actor.id:
            raise ServiceError(N_("You have entered the seed already: a second officer must "
                                  "enter it too."))
        if first.seed != seed:
            db.session.delete(first)
            audit.record(actor, "recruitment.seed_mismatch", "recruitment", recruitment.id)
            return SeedOutcome("differs")
        _draw(actor, recruitment, seed, first, invite_link)
    return SeedOutcome("drawn")


def _draw(actor: User, recruitment: Recruitment, seed: str, first: SeedEntry,
          invite_link: Callable[[str], str]) -> None:
    panels = draw.parse_panels(recruitment.panels_csv or "")
    panels_hash = draw.sha256(recruitment.panels_csv or "")
    number = draw.draw_number(seed, panels_hash, len(panels))
    chosen = sorted(panels[number - 1])
    now = utcnow()
    _claim(recruitment, Recruitment.drawn_at, now, N_("The panel has already been drawn."))
    recruitment.seed, recruitment.panel_number = seed, number
    by_number = {v.number: v for v in recruitment.volunteers}
    for n in chosen:
        _invite(recruitment, by_number[n], invite_link)
    officers = [u.display_name for u in (db.session.get(User, first.officer_id), actor) if u]
    records.append(DRAWN, f"recruitment:{recruitment.id}", {
        "council": recruitment.council_id, "recruitment": recruitment.id, "seed": seed,
        "panels_sha256": panels_hash, "panel_number": number, "panel": chosen,
        "seed_entered_by": officers}, actor, council_id=recruitment.council_id, at=now)
    audit.record(actor, "recruitment.drawn", "recruitment", recruitment.id, panel=number)


# Invitations and seats -----------------------------------------------------------------------

def _invite(recruitment: Recruitment, volunteer: Volunteer,
            invite_link: Callable[[str], str]) -> None:
    key, volunteer.key_hash = new_key()
    volunteer.invitation, volunteer.invited_at = "invited", utcnow()
    term = recruitment.term_start.isoformat() + (
        f" – {recruitment.term_end.isoformat()}" if recruitment.term_end else "")
    body = _("Hello %(name)s,\n\nYou have been drawn by lot, as volunteer %(number)d, to "
             "serve on %(council)s (term: %(term)s). To accept or decline, open this link:"
             "\n\n%(link)s\n\nIf you accept, you become a member for the term, and we send "
             "you a link to set a password for your pb account.",
             name=volunteer.name, number=volunteer.number, council=recruitment.council.name,
             term=term, link=invite_link(key))
    send_mail(volunteer.email, _("You have been drawn to serve on %(council)s",
                                 council=recruitment.council.name), body)


def seated(recruitment: Recruitment) -> list[Volunteer]:
    """Return the volunteers drawn (at the draw or as replacements) who still hold a place:
    invited or accepted."""
    return [v for v in recruitment.volunteers if v.invitation in ("invited", "accepted")]


def do_answer(volunteer: Volunteer, accept: bool, reset_link: Callable[[str], str],
              invite_link: Callable[[str], str]) -> Volunteer:
    """Accept (become a council member for the term) or decline an invitation; a decline
    draws a replacement at once."""
    recruitment = volunteer.recruitment
    with unit_of_work():
        if volunteer.invitation != "invited":
            raise ServiceError(N_("This invitation has already been answered."))
        volunteer.answered_at = utcnow()
        if not accept:
            volunteer.invitation = "declined"
            audit.record(None, "recruitment.declined", "recruitment", recruitment.id,
                         number=volunteer.number)
            _replace(None, recruitment, volunteer, "declined", invite_link)
            return volunteer
        user, new = _account_for(volunteer)
        member = CouncilMember(council_id=recruitment.council_id, user_id=user.id,
                               term_start=recruitment.term_start, term_end=recruitment.term_end)
        db.session.add(member)
        db.session.flush()
        volunteer.invitation, volunteer.member_id = "accepted", member.id
        audit.record(user, "council.member_added", "council", recruitment.council_id,
                     user=user.id, term_start=recruitment.term_start.isoformat(),
                     by_lot=recruitment.id)
        _send_welcome_member(recruitment, volunteer, user, new, reset_link)
    return volunteer


def _account_for(volunteer: Volunteer) -> tuple[User, bool]:
    """Return the volunteer's account (made now if they have none) with the council role."""
    user = find_by_email(volunteer.email)
    new = user is None
    if user is None:
        user = User(email=volunteer.email, display_name=volunteer.name,
                    password_hash=hasher.hash(secrets.token_urlsafe(32)))
        user.roles = [UserRole(role=roles.RESIDENT)]
        db.session.add(user)
        db.session.flush()
        audit.record(user, "user.registered", "user", user.id, by_lot=volunteer.recruitment_id)
    if roles.COUNCIL not in user.role_names:
        user.roles.append(UserRole(role=roles.COUNCIL))
        audit.record(None, "user.role_granted", "user", user.id, role=roles.COUNCIL,
                     by_lot=volunteer.recruitment_id)
    return user, new


def _send_welcome_member(recruitment: Recruitment, volunteer: Volunteer, user: User,
                         new: bool, reset_link: Callable[[str], str]) -> None:
    body = _("Hello %(name)s,\n\nWelcome to %(council)s: your term starts on %(start)s.",
             name=volunteer.name, council=recruitment.council.name,
             start=recruitment.term_start.isoformat())
    if new:
        body += "\n\n" + _("We made a pb account for you with this email address. Choose "
                           "its password here within %(minutes)d minutes:\n\n%(link)s\n\n"
                           "Later, use “Forgot your password?” on the login page with this "
                           "email address.", link=reset_link(make_reset_token(user)),
                           minutes=current_app.config["PB_RESET_TOKEN_MAX_AGE"] // 60)
    send_mail(volunteer.email, _("Welcome to %(council)s", council=recruitment.council.name),
              body)


@records.retrying
def do_leave(actor: User, volunteer: Volunteer, invite_link: Callable[[str], str],
             today: date | None = None) -> Volunteer | None:
    """Record that a seated member dropped out (ending their term today, or taking away a
    term not yet started) and draw their replacement; return the replacement, or None if
    nobody can take the seat."""
    with unit_of_work():
        check_manages(actor)
        if volunteer.invitation not in ("invited", "accepted"):
            raise ServiceError(N_("Only someone drawn who has not left can drop out."))
        member = db.session.get(CouncilMember, volunteer.member_id) \
            if volunteer.member_id is not None else None
        day = today or utcnow().date()
        if member is not None and day < member.term_start:
            db.session.delete(member)        # a term that never started is taken away
            volunteer.member_id = None
        elif member is not None:
            member.term_end = day if member.term_end is None else min(member.term_end, day)
        volunteer.invitation = "left"
        audit.record(actor, "recruitment.left", "recruitment", volunteer.recruitment_id,
                     number=volunteer.number)
        return _replace(actor, volunteer.recruitment, volunteer, "left", invite_link)


def _replace(actor: User | None, recruitment: Recruitment, leaving: Volunteer, reason: str,
             invite_link: Callable[[str], str]) -> Volunteer | None:
    quotas = quotas_of(recruitment)
    candidates = draw.parse_pool(quotas, recruitment.pool_csv or "")   # as published
    drawn_before = [v.number for v in recruitment.volunteers if v.invitation is not None]
    still = [v.number for v in seated(recruitment)]
    number = draw.replacement(quotas, candidates, still + [leaving.number],
                              leaving.number, drawn_before, recruitment.seed or "",
                              draw.sha256(recruitment.panels_csv or ""))
    by_number = {v.number: v for v in recruitment.volunteers}
    chosen = by_number.get(number) if number is not None else None
    if chosen is not None:
        chosen.replaces_number = leaving.number
        _invite(recruitment, chosen, invite_link)
    records.append(REPLACED, f"recruitment:{recruitment.id}", {
        "council": recruitment.council_id, "recruitment": recruitment.id,
        "leaving": leaving.number, "reason": reason,
        "replacement": chosen.number if chosen else None,
        "rule": "same categories, else keeps the quotas; sha256 of seed, panels and number"},
        actor, council_id=recruitment.council_id)
    return chosen



# What the public sees ------------------------------------------------------------------------

@dataclass(frozen=True)
class CompositionRow:
    """One category: its quota, its share of the population, and the seats it holds."""

    feature: str
    category: str
    minimum: int
    maximum: int
    population: float | None
    seated: int


def composition(recruitment: Recruitment) -> list[CompositionRow]:
    """Return the drawn panel (as it stands, replacements included) against the quotas."""
    panel = seated(recruitment)
    quotas = quotas_of(recruitment)
    counted = quotas.counts(PoolMember(v.number, v.categories) for v in panel)
    return [CompositionRow(c.feature, c.name, c.minimum, c.maximum, c.population,
                           counted[(c.feature, c.name)]) for c in quotas.categories()]


def chances(recruitment: Recruitment) -> dict[int, float]:
    """Return every published volunteer's chance of selection, by number."""
    return draw.parse_probabilities(recruitment.probabilities_csv or "") \
        if recruitment.published_at else {}


def manifest(recruitment: Recruitment) -> dict[str, object]:
    """Return selection.json: what `pb sortition verify` needs beside the four files."""
    published = files(recruitment)
    return {"recruitment": recruitment.id, "council": recruitment.council.name,
            "title": recruitment.title, "seats": recruitment.seats,
            "seed_source": recruitment.seed_source,
            "sha256": {name: draw.sha256(text) for name, text in published.items()},
            "seed": recruitment.seed, "panel_number": recruitment.panel_number,
            "panel": sorted(draw.parse_panels(recruitment.panels_csv or "")
                            [recruitment.panel_number - 1])
            if recruitment.panel_number else None}
