"""Notification emails: plain text with an HTML twin, in the reader's language (the caller
sets it), each with a signed one-click unsubscribe address (RFC 8058)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape

from pb.domain.notifications import KINDS
from pb.models import Notification, User
from pb.services.mail import send_mail
from pb.services.notifications import texts

_SALT = "pb-unsubscribe"
DIGEST = "digest"  # the token kind of the daily digest: every kind sent daily


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(user_id: int, kind: str) -> str:
    """Return the signed token of an unsubscribe link: it names the person and the kind."""
    return _serializer().dumps({"u": user_id, "k": kind})


def read_token(token: str) -> tuple[int, str] | None:
    """Return (person, kind) from a token, or None when it was changed or made up."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or \
            data.get("k") not in (*KINDS, DIGEST):
        return None
    return data["u"], data["k"]


def unsubscribe_path(user_id: int, kind: str) -> str:
    return f"/unsubscribe/{make_token(user_id, kind)}"


def send_one(person: User, note: Notification, site_url: Callable[[str], str]) -> None:
    """Put the email for one notification in the outbox."""
    line = texts.headline(note.kind, note.params)
    more = texts.detail(note.kind, note.params)
    stop = site_url(unsubscribe_path(person.id, note.kind))
    reason = texts.KIND_LABELS[note.kind]
    _send(person, line, [(line, more, site_url(note.url))], stop,
          _("You get this email because of your notification settings: “%(reason)s”.",
            reason=reason), site_url)


def send_digest(person: User, notes: Sequence[Notification],
                site_url: Callable[[str], str]) -> None:
    """Put one email with the day's notifications for `person` in the outbox."""
    items = [(texts.headline(n.kind, n.params), texts.detail(n.kind, n.params),
              site_url(n.url)) for n in notes]
    subject = _("pb: your daily summary (%(n)d new)", n=len(notes))
    _send(person, subject, items, site_url(unsubscribe_path(person.id, DIGEST)),
          _("You get this email because you chose one email a day for some notifications."),
          site_url)


def _send(person: User, subject: str, items: list[tuple[str, str, str]], stop: str,
          why: str, site_url: Callable[[str], str]) -> None:
    settings = site_url("/notifications/settings")
    text = [_("Hello %(name)s,", name=person.display_name), ""]
    for line, more, link in items:
        text += [line, *([more] if more else []), _("Open: %(link)s", link=link), ""]
    text += ["-- ", why, _("To stop these emails, open: %(link)s", link=stop),
             _("Choose which emails you get: %(link)s", link=settings)]
    send_mail(person.email, subject, "\n".join(text), html=_html(person, items, why, stop,
                                                                  settings),
              unsubscribe_url=stop)


def _html(person: User, items: list[tuple[str, str, str]], why: str, stop: str,
          settings: str) -> str:
    parts: list[Any] = [Markup("<p>{}</p>").format(_("Hello %(name)s,",
                                                     name=person.display_name))]
    for line, more, link in items:
        parts.append(Markup('<p><a href="{}">{}</a></p>').format(link, line))
        if more:
            parts.append(Markup("<blockquote>{}</blockquote>").format(more))
    parts.append(Markup('<hr><p><small>{} <a href="{}">{}</a> · <a href="{}">{}</a></small></p>')
                 .format(why, stop, _("Unsubscribe"), settings,
                         _("Choose which emails you get")))
    return str(Markup("\n").join(escape(p) for p in parts))
