"""Admins rewrite the privacy notice and the accessibility statement, one language at a
time (pb.services.site_pages says why)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.services import site_pages
from pb.web.admin import bp
from pb.web.admin.forms import SitePageForm


def _titles() -> dict[str, str]:
    return {site_pages.PRIVACY: _("Privacy notice"),
            site_pages.ACCESSIBILITY: _("Accessibility statement")}


@bp.route("/pages/<any(privacy, accessibility):slug>", methods=["GET", "POST"])
def site_page(slug: str) -> str | Response | tuple[str, int]:
    languages = current_app.config["PB_LANGUAGES"]
    language = request.args.get("language", "en")
    if language not in languages:
        abort(404)
    shown = site_pages.page(slug, language, site_pages.site_address(request.host))
    form = SitePageForm(data={"body": shown.text if shown.updated_at else ""})
    if form.validate_on_submit():
        try:
            own = site_pages.do_save(current_user._get_current_object(), slug, language,
                                     form.body.data)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Saved. The page now shows your text.") if own else
                  _("Saved. The page shows the default text again."), "success")
            return redirect(url_for("admin.site_page", slug=slug, language=language))
    return render_template(
        "admin/site_page.html", form=form, slug=slug, language=language, languages=languages,
        titles=_titles(), own=shown.updated_at is not None,
        default=site_pages.default_text(slug, language, site_pages.site_address(request.host))), \
        400 if form.errors or form.form_errors_extra else 200
