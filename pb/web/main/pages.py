"""The privacy notice and the accessibility statement, linked from every page's footer."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from pb.i18n import select_language
from pb.services import site_pages
from pb.web.main import bp


def _page(slug: str, title: str) -> str:
    shown = site_pages.page(slug, select_language(), site_pages.site_address(request.host))
    return render_template("main/site_page.html", page=shown, title=title)


@bp.route("/privacy")
def privacy() -> str:
    return _page(site_pages.PRIVACY, _("Privacy notice"))


@bp.route("/accessibility")
def accessibility() -> str:
    return _page(site_pages.ACCESSIBILITY, _("Accessibility statement"))
