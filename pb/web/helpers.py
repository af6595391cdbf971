"""Template filters and globals shared by every page."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale, gettext

from pb.domain import languages as languages_rules
from pb.domain import places
from pb.domain.languages import NOT_YET
from pb.i18n import labels, languages
from pb.i18n.formats import money, money_style, when
from pb.markup import render_attribution, render_markdown


def url_with_lang(code: str) -> str:
    """Return the current page's address with ?lang=code (for the language switcher)."""
    args = {**request.view_args, **request.args.to_dict(), "lang": code} \
        if request.view_args is not None else {"lang": code}
    try:
        return url_for(request.endpoint or "main.index", **args)
    except Exception:  # noqa: BLE001 - error pages have no endpoint to rebuild
        return url_for("main.index", lang=code)


def reader_language() -> str:
    """Return the language the visitor reads the site in."""
    locale = get_locale()
    return locale.language if locale else "en"


def shown(item: Any, field: str) -> Any:
    """Return `item.field` as the visitor sees it (`pb.domain.languages.Shown`)."""
    return item.shown(field, reader_language())


def body_shown(part: Any, field: str) -> str:
    """Return a record body's `field` in the visitor's language when the body carries it
    ({"title": ..., "language": ..., "translations": {"cy": {"title": ...}}})."""
    if not isinstance(part, dict):
        return ""
    return languages_rules.shown(str(part.get(field) or ""), part.get("language"),
                                 part.get("translations"), field, reader_language()).text


def category_shown(round_: Any, category: str) -> Any:
    """Return a round's category name as the visitor sees it."""
    return round_.category_shown(category, reader_language())


def not_yet(item: Any, *fields: str) -> str:
    """Return the note for a reader whose language lacks any of `item`'s `fields`, else ""."""
    if any(shown(item, name).missing for name in fields):
        return gettext(NOT_YET.get(reader_language(), NOT_YET["en"]))
    return ""


def register(app: Flask) -> None:
    """Install the filters and globals."""
    app.add_template_filter(money, "money")
    app.add_template_filter(money_style, "money_style")
    app.add_template_filter(when, "when")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_attribution, "attribution")
    app.add_template_filter(places.format_degrees, "degrees")

    @app.context_processor
    def globals_() -> dict[str, Any]:
        return {
            "labels": labels,
            "languages": languages(),
            "current_lang": reader_language(),
            "shown": shown,
            "category_shown": category_shown,
            "body_shown": body_shown,
            "not_yet": not_yet,
            "url_with_lang": url_with_lang,
            "site_name": current_app.config.get("PB_SITE_NAME", "pb"),
            "source_url": current_app.config.get("PB_SOURCE_URL", ""),
        }
