"""Routes for budget rounds."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pb.domain.eligibility import show_code
from pb.domain.errors import UserError
from pb.i18n.labels import PHASE_LABELS
from pb.models import Round
from pb.services import outcomes, rounds, voting
from pb.services.voting import totals
from pb.web.access import managers_only, viewer
from pb.web.helpers import shown
from pb.web.rounds import bp
from pb.web.rounds.forms import SCHEDULED, PhaseForm, RoundForm, round_form


def _round_or_404(round_id: int) -> Round:
    round_ = rounds.get_round(round_id, viewer())
    if round_ is None:
        abort(404)
    return round_


@bp.route("/")
def index() -> str:
    return render_template("rounds/index.html", rounds=rounds.list_rounds(viewer()))


@bp.route("/<int:round_id>")
def show(round_id: int) -> Any:
    round_ = _round_or_404(round_id)
    form = None
    if current_user.is_authenticated and current_user.manages_rounds:
        form = PhaseForm()
        form.offer(round_.phase)
    return _show_page(round_, form)


def _my_vote(round_: Round) -> dict[str, Any] | None:
    """Say whether this browser's voter (an account, or a code or census voter remembered for
    the round) has a ballot in, and its receipt: None when nobody is known here."""
    if round_.phase != "voting":
        return None
    try:
        voter = voting.session_voter(round_, current_user, session)
    except UserError:
        return None
    if voter is None:
        return None
    ballot = voting.current(voter)
    receipt = voting.current_receipt(voter) if ballot else None
    return {"ballot": ballot, "receipt": show_code(receipt) if receipt else None}


def _show_page(round_: Round, phase_form: PhaseForm | None, status: int = 200) -> Any:
    officer = phase_form is not None
    return render_template("rounds/show.html", round=round_, timeline=rounds.timeline(round_),
                           log=rounds.phase_log(round_), proposals=rounds.proposals(round_),
                           progress=outcomes.progress(round_), phase_form=phase_form,
                           running=totals.totals(round_) if totals.shown(round_) else None,
                           ballot_counts=voting.counts(round_) if officer else None,
                           my_vote=_my_vote(round_),
                           closes_at=round_.starts.get("results")), status


@bp.route("/new", methods=["GET", "POST"])
@managers_only
def new() -> str | Response | tuple[str, int]:
    form = round_form()
    if not form.is_submitted():
        form.currency.data = "GBP"
    if form.validate_on_submit():
        try:
            round_ = rounds.do_create_round(current_user, form.data_for_service())
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The round “%(title)s” was created as a draft. Move it to the proposals "
                    "phase when it is ready to be public.", title=shown(round_, "title")),
                  "success")
            return redirect(url_for("rounds.show", round_id=round_.id))
    return _form_page(form, None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@managers_only
def edit(round_id: int) -> str | Response | tuple[str, int]:
    round_ = _round_or_404(round_id)
    form = round_form()
    form.current_language = round_.language
    if not form.is_submitted():
        form.fill_from(round_)
    if form.validate_on_submit():
        try:
            rounds.do_update_round(current_user, round_, form.data_for_service())
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("rounds.show", round_id=round_.id))
    return _form_page(form, round_)


def _form_page(form: RoundForm, round_: Round | None) -> tuple[str, int]:
    fields = [getattr(form, f"starts_{p}") for p in SCHEDULED]
    status = 400 if form.all_errors else 200
    return render_template("rounds/form.html", form=form, round=round_,
                           schedule_fields=fields), status


@bp.route("/<int:round_id>/phase", methods=["POST"])
@managers_only
def change_phase(round_id: int) -> Response | tuple[str, int]:
    round_ = _round_or_404(round_id)
    form = PhaseForm()
    form.offer(round_.phase)
    if form.validate_on_submit():
        back = rounds.going_back(round_, form.target.data)
        if back is not None and form.confirmed.data != "1":
            # Moving back is checked first: the officer reads what it does, then confirms.
            try:
                rounds.check_change_phase(round_, form.target.data, form.reason.data or "",
                                          expected=form.expected.data or None)
            except UserError as error:
                form.fail(error, form.reason)
            else:
                return render_template("rounds/confirm_phase.html", round=round_, form=form,
                                       back=back)
            return _show_page(round_, form, 400)
        try:
            rounds.do_change_phase(current_user, round_, form.target.data, form.reason.data or "",
                                   expected=form.expected.data or None)
        except UserError as error:
            form.fail(error, form.reason)
        else:
            flash(_("The round is now in the %(phase)s phase.",
                    phase=_phase_name(round_.phase)), "success")
            return redirect(url_for("rounds.show", round_id=round_.id))
    return _show_page(round_, form, 400)


def _phase_name(phase: str) -> str:
    return str(PHASE_LABELS[phase]).lower()
