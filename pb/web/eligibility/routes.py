"""Officers' pages for who may vote: upload a census, make voting codes and print them."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from pb.domain import phases
from pb.domain.eligibility import show_code
from pb.domain.errors import N_, UserError
from pb.i18n.labels import CENSUS_CHECK_LABELS
from pb.models import Round
from pb.services import rounds
from pb.services.voting import census, codes
from pb.web.access import managers_only
from pb.web.eligibility import bp
from pb.web.eligibility.forms import CensusForm, CodesForm, megabytes
from pb.web.errors import render_error
from pb.web.fragments import qr_svg

CARDS_PER_PAGE = 12  # an A4 sheet of 3 columns and 4 rows (static/css/cards.css)
_FORM_SLACK = 64 * 1024  # room for the multipart headers and the other fields
_MADE = "eligibility_batches_made"  # session: the last few code forms already answered


@dataclass(frozen=True)
class Card:
    """One cut-out card: the code as people read it, and its QR code as inline SVG."""

    shown: str
    qr: Markup


@bp.url_value_preprocessor
def _room_for_census_files(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # The app's request size limit suits forms; a census file may be larger. It has to be raised
    # before CSRF protection reads the form in the app's before_request, and URL value
    # preprocessors run before every before_request function. Only for officers, so nobody
    # else can make the server read a large body.
    if (endpoint == "eligibility.census" and request.method == "POST"
            and current_user.is_authenticated and current_user.manages_rounds):
        limit = census.MAX_BYTES + _FORM_SLACK
        request.max_content_length = max(limit, current_app.config["MAX_CONTENT_LENGTH"] or 0)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    if request.endpoint == "eligibility.census":
        return render_error(413, _(
            "The census file is larger than %(size)s. Split it into smaller files and upload "
            "them one after another: people already listed are skipped.",
            size=megabytes(census.MAX_BYTES)))
    return render_error(413)


def _round_or_404(round_id: int) -> Round:
    round_ = rounds.get_round(round_id, current_user)
    if round_ is None:
        abort(404)
    return round_


def _other_mode(round_: Round, page: str) -> tuple[str, int]:
    """Explain that this page is not for the round, because it lets people vote another way."""
    return render_template("eligibility/other_mode.html", round=round_, page=page,
                           editable=phases.index(round_.phase) < phases.index("voting")), 404


# Census ---------------------------------------------------------------------------------------

@bp.route("/<int:round_id>/census", methods=["GET", "POST"], endpoint="census")
@managers_only
def upload_census(round_id: int) -> Any:
    """Show how many people the census lists, and add more from a CSV file."""
    round_ = _round_or_404(round_id)
    if round_.eligibility != "census":
        return _other_mode(round_, "census")
    form = CensusForm()
    if form.validate_on_submit():
        try:
            result = census.do_upload_census(current_user, round_, form.contents(),
                                             header=bool(form.header.data))
        except UserError as error:
            form.fail(error)
        else:
            flash(_uploaded(round_, result), "success")
            return redirect(url_for("eligibility.census", round_id=round_.id), 303)
    check = round_.census_check or "postcode"
    return render_template("eligibility/census.html", round=round_, form=form,
                           size=census.census_size(round_), open=census.census_open(round_),
                           check=check, check_label=CENSUS_CHECK_LABELS[check],
                           max_size=megabytes(census.MAX_BYTES)), 400 if form.all_errors else 200


def _uploaded(round_: Round, result: census.UploadResult) -> str:
    """Say what an upload changed, in whole sentences."""
    parts = [ngettext("%(num)d person was added to the census.",
                      "%(num)d people were added to the census.", result.added)]
    if result.already_listed:
        parts.append(ngettext("%(num)d was already listed and was skipped.",
                              "%(num)d were already listed and were skipped.",
                              result.already_listed))
    if result.different_detail:
        detail = str(CENSUS_CHECK_LABELS[round_.census_check or "postcode"]).lower()
        parts.append(ngettext(
            "%(num)d of those has a different %(detail)s in this file; the census keeps the "
            "one it had.",
            "%(num)d of those have a different %(detail)s in this file; the census keeps the "
            "ones it had.", result.different_detail, detail=detail))
    parts.append(ngettext("The census now lists %(num)d person.",
                          "The census now lists %(num)d people.", result.total))
    return " ".join(parts)


# Voting codes ---------------------------------------------------------------------------------

@bp.route("/<int:round_id>/codes", methods=["GET", "POST"], endpoint="codes")
@managers_only
def make_codes(round_id: int) -> Any:
    """Show the round's codes by batch, and make a new batch, answered with the card sheet."""
    round_ = _round_or_404(round_id)
    if round_.eligibility != "codes":
        return _other_mode(round_, "codes")
    form = CodesForm()
    if not form.is_submitted():
        form.once.data = secrets.token_urlsafe(12)
    if form.validate_on_submit():
        made_before = session.get(_MADE, [])
        if form.once.data and form.once.data in made_before:
            # The browser sent the same form again (a reload of the card sheet, say).
            form.fail(UserError(N_("These codes were made already, and codes cannot be "
                                   "shown twice. If you did not print them, make a new "
                                   "batch.")))
        else:
            try:
                made = codes.do_generate_codes(current_user, round_, form.count.data or 0,
                                               form.batch.data or "")
            except UserError as error:
                form.fail(error)
            else:
                if form.once.data:
                    session[_MADE] = [*made_before, form.once.data][-20:]
                return _card_sheet(round_, made, (form.batch.data or "").strip())
    if form.is_submitted():  # a fresh key for the next try
        form.once.data = secrets.token_urlsafe(12)
    return render_template("eligibility/codes.html", round=round_, form=form,
                           stats=codes.code_stats(round_),
                           open=codes.codes_open(round_)), 400 if form.all_errors else 200


def _card_sheet(round_: Round, made: list[str], batch: str) -> Response:
    """Answer with the printable cards: the only time these codes are ever shown."""
    cards = []
    for number, code in enumerate(made, start=1):
        shown = show_code(code)
        cards.append(Card(shown, qr_svg(
            url_for("voting.code", round_id=round_.id, c=code, _external=True),
            _("QR code for voting code %(code)s", code=shown))))
        if number % 25 == 0:
            # A QR code takes a few milliseconds to make. Under gevent a big batch would hold
            # up every other request (and the worker's heartbeat); sleep(0) lets them run.
            time.sleep(0)
    pages = [cards[i:i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    response = make_response(render_template(
        "eligibility/cards.html", round=round_, pages=pages, count=len(cards), batch=batch,
        # People type what the card shows; browsers add "https://" themselves.
        entry=url_for("voting.code", round_id=round_.id, _external=True).removeprefix("https://")))
    # The codes exist nowhere else: no browser or proxy may keep a copy of this page.
    response.headers["Cache-Control"] = "no-store"
    return response
