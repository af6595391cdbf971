"""Recruiting volunteers for a council chosen by lot: open a recruitment, register, confirm,
withdraw, import replies, and count volunteers against the quotas.

Officers open a recruitment with its seats, quotas, closing date and the public source of the
seed. Residents (no account needed) register interest with contact details and one category
per feature; they confirm their email and can withdraw until the draw. Their details are for
officers; the public sees counts per category. Drawing the panel is `selection`'s work.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from pb.domain.errors import N_
from pb.domain.sortition import quotas as rules
from pb.domain.sortition.quotas import Quotas, SortitionError
from pb.domain.values import clean_text
from pb.extensions import db
from pb.models import Council, Recruitment, User, Volunteer
from pb.models.base import utcnow
from pb.services import ServiceError, audit, unit_of_work
from pb.services.accounts import normalise_email
from pb.services.council.councils import check_manages
from pb.services.mail import send_mail

NUMBERS = (100000, 999999)
IMPORT_MAX_ROWS = 20000
TITLE_MAX = 200
SEED_SOURCE_MAX = 2000


@dataclass
class RecruitmentData:
    """What an officer sets when opening a recruitment."""

    title: str
    seats: int
    closes_at: datetime
    term_start: date
    term_end: date | None
    seed_source: str
    quotas: str
    panel_count: int = 1000


@dataclass
class VolunteerData:
    """What a volunteer gives: contact details and their answer for each feature."""

    name: str
    email: str
    answers: Mapping[str, str]
    phone: str = ""


def quotas_of(recruitment: Recruitment) -> Quotas:
    """Return the recruitment's quotas (as checked when it was opened)."""
    return rules.parse_quotas(recruitment.quotas_csv)


def get_recruitment(recruitment_id: int) -> Recruitment | None:
    return db.session.get(Recruitment, recruitment_id)


def recruitments_of(council: Council) -> list[Recruitment]:
    return list(db.session.scalars(sa.select(Recruitment)
                                   .where(Recruitment.council_id == council.id)
                                   .order_by(Recruitment.id.desc())))


def check_recruitment(data: RecruitmentData, now: datetime) -> Quotas:
    """Refuse a recruitment without a title, seed source or sensible dates; return its quotas."""
    if not data.title.strip():
        raise ServiceError(N_("Give the recruitment a title."), field="title")
    if len(data.title.strip()) > TITLE_MAX:
        raise ServiceError(N_("Use at most %(max)d characters."), field="title", max=TITLE_MAX)
    if data.closes_at <= now:
        raise ServiceError(N_("The closing date must be in the future."), field="closes_at")
    if data.term_end is not None and data.term_end < data.term_start:
        raise ServiceError(N_("The term cannot end before it starts."), field="term_end")
    if data.term_start < data.closes_at.date():
        raise ServiceError(N_("The term starts after volunteering closes."), field="term_start")
    source = data.seed_source.strip()
    if len(source) < 10 or len(source) > SEED_SOURCE_MAX:
        raise ServiceError(N_("Say how the seed will be drawn, in public and before the draw "
                              "(e.g. “five numbers drawn from a bag at the council meeting "
                              "on 12 March”)."), field="seed_source")
    if not 10 <= data.panel_count <= 10000:
        raise ServiceError(N_("The lottery lists from 10 to 10,000 panels."),
                           field="panel_count")
    try:
        quotas = rules.parse_quotas(data.quotas)
        quotas.check_seats(data.seats)
    except SortitionError as error:
        error.field = error.field or "quotas"
        raise
    return quotas


def do_open(actor: User, council: Council, data: RecruitmentData) -> Recruitment:
    """Open a recruitment for `council` (officers and admins)."""
    with unit_of_work():
        check_manages(actor)
        quotas = check_recruitment(data, utcnow())
        recruitment = Recruitment(
            council_id=council.id, title=data.title.strip(), seats=data.seats,
            closes_at=data.closes_at, term_start=data.term_start, term_end=data.term_end,
            seed_source=clean_text(data.seed_source.strip()), quotas_csv=quotas.csv(),
            panel_count=data.panel_count, created_by_id=actor.id)
        db.session.add(recruitment)
        db.session.flush()
        audit.record(actor, "recruitment.opened", "recruitment", recruitment.id,
                     council=council.id, seats=data.seats)
    return recruitment


def do_close_now(actor: User, recruitment: Recruitment) -> Recruitment:
    """Close volunteering at once (before the published closing date)."""
    with unit_of_work():
        check_manages(actor)
        now = utcnow()
        if not recruitment.is_open(now):
            raise ServiceError(N_("Volunteering has already closed."))
        recruitment.closes_at = now
        audit.record(actor, "recruitment.closed", "recruitment", recruitment.id)
    return recruitment


# Volunteers ----------------------------------------------------------------------------------

def new_key() -> tuple[str, str]:
    """Return a fresh secret for a volunteer's private links, and the hash that is stored."""
    key = secrets.token_urlsafe(24)
    return key, hashlib.sha256(key.encode()).hexdigest()


def volunteer_by_key(key: str) -> Volunteer | None:
    """Return the volunteer whose private links carry `key`, if any."""
    if not isinstance(key, str) or not 10 <= len(key) <= 100:
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()
    return db.session.scalar(sa.select(Volunteer).where(Volunteer.key_hash == digest))


def _free_number(taken: set[int]) -> int:
    while True:
        number = NUMBERS[0] + secrets.randbelow(NUMBERS[1] - NUMBERS[0] + 1)
        if number not in taken:
            taken.add(number)
            return number


def _taken_numbers(recruitment: Recruitment) -> set[int]:
    return set(db.session.scalars(sa.select(Volunteer.number)
                                  .where(Volunteer.recruitment_id == recruitment.id)))


def _check_contact(name: str, email: str, phone: str) -> tuple[str, str, str]:
    name, email, phone = " ".join(name.split()), normalise_email(email), phone.strip()
    if not name or len(name) > 120:
        raise ServiceError(N_("Enter your name (at most 120 characters)."), field="name")
    if "@" not in email or len(email) > 254 or " " in email:
        raise ServiceError(N_("Enter an email address we can write to, like "
                              "name@example.org."), field="email")
    if len(phone) > 40:
        raise ServiceError(N_("Use at most %(max)d characters."), field="phone", max=40)
    return clean_text(name), email, clean_text(phone)


def _check_taken(recruitment: Recruitment, email: str) -> None:
    taken = db.session.scalar(sa.select(Volunteer.id).where(
        Volunteer.recruitment_id == recruitment.id, Volunteer.email == email))
    if taken is not None:
        raise ServiceError(N_("This email is already registered for this recruitment. Look "
                              "for the email we sent you: its links let you confirm or "
                              "withdraw."), field="email")


def do_volunteer(recruitment: Recruitment, data: VolunteerData,
                 link_for: Callable[[str], str]) -> Volunteer:
    """Register a volunteer from the public form and email them a link to confirm."""
    try:
        with unit_of_work():
            if not recruitment.is_open(utcnow()):
                raise ServiceError(N_("Volunteering for this council has closed."))
            name, email, phone = _check_contact(data.name, data.email, data.phone)
            answers = rules.answers(quotas_of(recruitment), data.answers)
            _check_taken(recruitment, email)
            key, digest = new_key()
            volunteer = Volunteer(recruitment_id=recruitment.id, name=name, email=email,
                                  phone=phone, categories_json=json.dumps(answers),
                                  number=_free_number(_taken_numbers(recruitment)),
                                  key_hash=digest, source="form")
            db.session.add(volunteer)
            db.session.flush()
            _send_welcome(recruitment, volunteer, link_for(key))
    except sa.exc.IntegrityError:   # the same email a moment ago (or, rarely, the number)
        raise ServiceError(N_("This email is already registered for this recruitment. Look "
                              "for the email we sent you: its links let you confirm or "
                              "withdraw."), field="email") from None
    return volunteer


def _send_welcome(recruitment: Recruitment, volunteer: Volunteer, link: str) -> None:
    body = _("Hello %(name)s,\n\nThank you for offering to serve on %(council)s. Your "
             "volunteer number is %(number)d: the selection's published files list you "
             "under this number only.\n\nTo confirm your email, open this link:\n\n%(link)s"
             "\n\nThe same page lets you withdraw at any time before the draw. Volunteering "
             "closes on %(closes)s.",
             name=volunteer.name, council=recruitment.council.name, number=volunteer.number,
             link=link, closes=recruitment.closes_at.strftime("%Y-%m-%d %H:%M UTC"))
    send_mail(volunteer.email, _("Confirm your offer to serve on %(council)s",
                                 council=recruitment.council.name), body)


def do_confirm(volunteer: Volunteer) -> Volunteer:
    """Confirm the volunteer's email (opening their link does it; doing it twice is fine)."""
    with unit_of_work():
        if volunteer.confirmed_at is None and volunteer.withdrawn_at is None:
            volunteer.confirmed_at = utcnow()
    return volunteer


def do_withdraw(volunteer: Volunteer) -> Volunteer:
    """Take the volunteer out of the pool; after the selection is published it is too late."""
    with unit_of_work():
        if volunteer.recruitment.published_at is not None:
            raise ServiceError(N_("The selection has been published, so the pool can no "
                                  "longer change. If you are drawn, you can decline the "
                                  "invitation."))
        if volunteer.withdrawn_at is None:
            volunteer.withdrawn_at = utcnow()
    return volunteer


# Importing replies to invitation letters -----------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: list[str]


def do_import(actor: User, recruitment: Recruitment, text: str) -> ImportResult:
    """Add volunteers from a CSV of replies (name, email, phone optional, one column a feature).

    Staff typed these from signed replies, so they count as confirmed. Any unknown column
    value or missing column refuses the whole file, saying which rows to fix; an email already
    registered is skipped and listed.
    """
    with unit_of_work():
        check_manages(actor)
        if recruitment.published_at is not None:
            raise ServiceError(N_("The selection has been published; the pool can no longer "
                                  "change."))
        quotas = quotas_of(recruitment)
        rows = _read_import(quotas, text)
        seen = set(db.session.scalars(sa.select(Volunteer.email)
                                      .where(Volunteer.recruitment_id == recruitment.id)))
        taken = _taken_numbers(recruitment)
        skipped, now, added = [], utcnow(), 0
        for line, (name, email, phone, answers) in rows:
            if email in seen:
                skipped.append(_("Row %(row)d: %(email)s is already registered.",
                                 row=line, email=email))
                continue
            seen.add(email)
            db.session.add(Volunteer(
                recruitment_id=recruitment.id, name=name, email=email, phone=phone,
                categories_json=json.dumps(answers), number=_free_number(taken),
                key_hash=new_key()[1], source="import", confirmed_at=now))
            added += 1
        audit.record(actor, "recruitment.imported", "recruitment", recruitment.id,
                     added=added, skipped=len(skipped))
    return ImportResult(added, skipped)


def _read_import(quotas: Quotas, text: str
                 ) -> list[tuple[int, tuple[str, str, str, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {(h or "").strip().casefold() for h in reader.fieldnames or []}
    wanted = ["name", "email", *(f.name for f in quotas.features)]
    missing = [w for w in wanted if w.casefold() not in header]
    if missing:
        raise ServiceError(N_("The file has no column for %(missing)s. The first line must "
                              "name the columns: %(wanted)s (and phone, if you have it)."),
                           missing=", ".join(missing), wanted=", ".join(wanted))
    rows, problems = [], []
    for line, raw in enumerate(reader, start=2):
        if line > IMPORT_MAX_ROWS + 1:
            raise ServiceError(N_("Import at most %(max)d volunteers at a time."),
                               max=IMPORT_MAX_ROWS)
        row = {(k or "").strip().casefold(): (v or "") for k, v in raw.items()
               if isinstance(v, str)}
        if not any(v.strip() for v in row.values()):
            continue
        try:
            name, email, phone = _check_contact(row.get("name", ""), row.get("email", ""),
                                                row.get("phone", ""))
            answers = rules.answers(quotas, row)
        except (ServiceError, SortitionError) as error:
            problems.append(_("Row %(row)d: %(problem)s", row=line,
                              problem=_(error.template, **error.params)))
            continue
        rows.append((line, (name, email, phone, answers)))
    if problems:
        raise ServiceError(N_("Nothing was imported. Fix these rows and import the file "
                              "again: %(problems)s"), problems=" ".join(problems[:20]))
    if not rows:
        raise ServiceError(N_("The file lists no volunteers."))
    return rows


# What the public sees ------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryCount:
    feature: str
    category: str
    minimum: int
    maximum: int
    population: float | None
    volunteers: int


def pool(recruitment: Recruitment) -> list[Volunteer]:
    """Return the volunteers who count: confirmed and not withdrawn, by number."""
    return [v for v in recruitment.volunteers if v.in_pool]


def counts(recruitment: Recruitment) -> list[CategoryCount]:
    """Return, for each category, its quota and how many confirmed volunteers are in it."""
    quotas = quotas_of(recruitment)
    counted = quotas.counts(rules.Volunteer(v.number, v.categories) for v in pool(recruitment))
    return [CategoryCount(c.feature, c.name, c.minimum, c.maximum, c.population,
                          counted[(c.feature, c.name)]) for c in quotas.categories()]
