"""Telling people: a notification in the site's list for each event, and an email now, in
the daily digest or never, as each person chose for that kind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import force_locale

from pb.domain.errors import N_
from pb.domain.notifications import DEFAULT_DELIVERY, DELIVERIES, IMMEDIATELY, KINDS
from pb.domain.notifications import check_delivery as _check_delivery
from pb.extensions import db
from pb.models import Notification, NotificationPreference, User
from pb.models.base import utcnow
from pb.services import ServiceError, unit_of_work
from pb.services.notifications import emails


def path_for(endpoint: str, **values: Any) -> str:
    """Return the site path of a page (no request needed: the worker has none)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def site_url(path: str) -> str:
    """Return `path` as a full address on this site, for emails: PB_BASE_URL's host when set,
    else the address of the request at hand, else localhost."""
    config = current_app.config
    if config.get("SERVER_NAME"):
        base = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    elif has_request_context():
        base = request.host_url.rstrip("/")
    else:
        base = "http://localhost:5000"
    return base + path


def preferences(user: User) -> dict[str, str]:
    """Return how `user` wants to hear of each kind."""
    chosen = dict(db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user.id)).all())
    return {kind: chosen.get(kind, DEFAULT_DELIVERY) for kind in KINDS}


def do_set_preferences(user: User, choices: dict[str, str], language: str | None = None) -> None:
    """Save how `user` wants to hear of each kind (and, if given, the language of their
    emails); an unknown kind or choice changes nothing."""
    for kind, delivery in choices.items():
        if kind not in KINDS or delivery not in DELIVERIES:
            raise ServiceError(N_("Choose one of the options for each kind of notification."))
    with unit_of_work():
        store_preferences(user.id, choices)
        if language:
            user.locale = language


def do_remember_language(user: User, language: str) -> None:
    """Write emails to `user` in `language` from now on (the one they use the site in)."""
    if user.locale != language:
        with unit_of_work():
            user.locale = language


def store_preferences(user_id: int, choices: dict[str, str]) -> None:
    """Save choices of delivery per kind (in the caller's unit of work)."""
    rows = {p.kind: p for p in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id))}
    for kind, delivery in choices.items():
        _check_delivery(delivery)
        if kind in rows:
            rows[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user_id, kind=kind, delivery=delivery))


def notify(people: Iterable[User | None], kind: str, params: dict[str, Any], path: str, *,
           actor: User | None = None) -> list[Notification]:
    """Tell each person (once; never the one who acted) of an event, in the caller's unit of
    work: a notification for the site's list, and an email in the outbox if they want one
    at once. The daily digest collects the others (pb.services.notifications.jobs)."""
    made = []
    with unit_of_work():
        seen = {actor.id} if actor is not None else set()
        for person in people:
            if person is None or person.id in seen:
                continue
            seen.add(person.id)
            delivery = preferences(person)[kind]
            note = Notification(user_id=person.id, kind=kind, params=params, url=path,
                                delivery=delivery, created_at=utcnow())
            db.session.add(note)
            if delivery == IMMEDIATELY:
                with force_locale(person.locale or _default_locale()):
                    emails.send_one(person, note, site_url)
                note.emailed_at = utcnow()
            made.append(note)
    return made


def _default_locale() -> str:
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def unread_count(user: User) -> int:
    """Count the notifications `user` has not read."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def latest(user: User, limit: int = 50) -> list[Notification]:
    """Return `user`'s latest notifications, newest first."""
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.id.desc()).limit(limit)))


def get_notification(user: User, notification_id: int) -> Notification | None:
    """Return one of `user`'s notifications (None if it is someone else's)."""
    note = db.session.get(Notification, notification_id)
    return note if note is not None and note.user_id == user.id else None


def do_mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one of `user`'s notifications read, or all of them; return how many changed."""
    with unit_of_work():
        query = sa.update(Notification).where(Notification.user_id == user.id,
                                              Notification.read_at.is_(None))
        if notification_id is not None:
            query = query.where(Notification.id == notification_id)
        return db.session.execute(query.values(read_at=utcnow())).rowcount
