"""What the worker does on a schedule: the "voting closes in 24 hours" reminders and the
daily digest; and unsubscribing from an email's link."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale

from pb.domain import notifications as rules
from pb.extensions import db
from pb.models import Ballot, Notification, Round, User, WorkerJob
from pb.models.base import utcnow
from pb.services import unit_of_work
from pb.services.notifications import emails, follows, inbox

DIGEST_JOB = "daily-digest"


def send_voting_reminders(now: datetime | None = None) -> int:
    """Remind the followers of each round (or of its proposals) whose voting closes within
    24 hours, once, unless they have voted; return how many were told.

    Whether someone voted is known for rounds whose voters are their accounts; in a round of
    codes or census checks the reminder says "if you have not voted yet" to every follower.
    """
    now = now or utcnow()
    told = 0
    for round_ in db.session.scalars(sa.select(Round).where(Round.phase == "voting")):
        closes = round_.starts.get("results")
        if closes is None or not rules.closing_window(closes, now):
            continue
        with unit_of_work():
            people = [p for p in follows.followers_of_round(round_.id, with_proposals=True)
                      if not _reminded(p, round_.id) and not _voted(p, round_)]
            told += len(inbox.notify(people, "closing",
                                     {"round": round_.title, "round_id": round_.id,
                                      "closes": closes.isoformat(),
                                      "unknown": round_.eligibility != "accounts"},
                                     inbox.path_for("rounds.show", round_id=round_.id)))
    return told


def _reminded(person: User, round_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == person.id, Notification.kind == "closing",
        Notification.url == inbox.path_for("rounds.show", round_id=round_id))) > 0


def _voted(person: User, round_: Round) -> bool:
    if round_.eligibility != "accounts":
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(
        Ballot.round_id == round_.id, Ballot.voter_key == f"user:{person.id}")) > 0


def send_digests(now: datetime | None = None, *, force: bool = False) -> int:
    """Once a day, email each person the notifications they chose to get daily; return how
    many emails went into the outbox."""
    now = now or utcnow()
    with unit_of_work():
        job = db.session.get(WorkerJob, DIGEST_JOB)
        if not force and not rules.digest_due(job.last_run_at if job else None, now):
            return 0
        if job is None:
            job = WorkerJob(name=DIGEST_JOB, last_run_at=now)
            db.session.add(job)
        job.last_run_at = now
        waiting: dict[int, list[Notification]] = defaultdict(list)
        for note in db.session.scalars(sa.select(Notification).where(
                Notification.delivery == rules.DAILY, Notification.emailed_at.is_(None))
                .order_by(Notification.id)):
            waiting[note.user_id].append(note)
        for user_id, notes in waiting.items():
            person = db.session.get(User, user_id)
            if person is None:
                continue
            with force_locale(person.locale or "en"):
                emails.send_digest(person, notes, inbox.site_url)
            for note in notes:
                note.emailed_at = now
    return len(waiting)


def do_unsubscribe(token: str) -> tuple[User, str] | None:
    """Stop the emails a link's token names (one kind, or the digest's kinds); return the
    person and the kind, or None for a token that was changed or made up (nothing changes)."""
    found = emails.read_token(token)
    if found is None:
        return None
    person = db.session.get(User, found[0])
    if person is None:
        return None
    kind = found[1]
    with unit_of_work():
        if kind == emails.DIGEST:
            chosen = inbox.preferences(person)
            kinds = [k for k, delivery in chosen.items() if delivery == rules.DAILY]
        else:
            kinds = [kind]
        inbox.store_preferences(person.id, dict.fromkeys(kinds, rules.NEVER))
    return person, kind


def unsubscribe_target(token: str) -> tuple[User, str] | None:
    """Return the person and kind a token names, without changing anything."""
    found = emails.read_token(token)
    person = db.session.get(User, found[0]) if found else None
    return (person, found[1]) if person and found else None



