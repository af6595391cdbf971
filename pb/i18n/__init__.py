"""Everything about language: which one a visitor reads, labels, formats and error texts.

Language choice lives here (?lang= in the URL, then a cookie, then the browser's preference);
`labels` names the domain's values in each language, `formats` shows money and times, and
`catalogues` compiles and checks the translations. It may import flask, Flask-Babel and
`pb.domain`; the web pages, sockets and services import it, never the other way round.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request
from flask_babel import gettext

from pb.domain.ballots import Money
from pb.domain.errors import UserError
from pb.i18n.formats import money
from pb.i18n.labels import LABELS_BY_KIND

COOKIE = "pb_lang"
# The Babel locale behind each offered language: British conventions for English dates/money.
LOCALES = {"en": "en_GB", "cy": "cy_GB"}


def languages() -> dict[str, str]:
    """Return the languages the site is offered in, by code."""
    return current_app.config["PB_LANGUAGES"]


def select_language() -> str:
    """Pick the visitor's language code; anything unknown falls back to English."""
    offered = languages()
    asked = request.args.get("lang")
    if asked in offered:
        g.pb_lang_chosen = asked
        return asked
    cookie = request.cookies.get(COOKIE)
    if cookie in offered:
        return cookie
    return request.accept_languages.best_match(list(offered)) or "en"


def select_locale() -> str:
    """Return the Babel locale for the visitor's language (Flask-Babel's selector)."""
    if not has_request_context():  # commands and background work: the default language
        return LOCALES["en"]
    return LOCALES.get(select_language(), "en_GB")


def remember_choice(response: Any) -> Any:
    """Keep a language chosen with ?lang= for the visitor's next pages."""
    chosen = g.get("pb_lang_chosen")
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def translate(message: str) -> str:
    """Translate a message that another library hands us."""
    return gettext(message)


def translate_error(error: Any) -> str:
    """Translate a `UserError`: its template and values, in the visitor's language."""
    params = dict(error.params)
    for name, kind in error.kinds.items():
        label = LABELS_BY_KIND[kind].get(params.get(name))
        if label is not None:
            params[name] = str(label).lower()
    for name, value in params.items():
        if isinstance(value, Money):
            params[name] = money(int(value), value.currency)
        elif isinstance(value, UserError):  # an error quoted inside another
            params[name] = translate_error(value)
    return gettext(error.template, **params)
