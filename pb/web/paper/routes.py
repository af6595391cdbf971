"""Routes for paper ballots: batches, typing each paper in, resolving, counting.

Officers, and facilitators for a round that has a live session (its paper scorecards, from
the console's link): `paper.may_enter` decides.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.domain.paper import CHECK, FIRST, SPOILT, passes_needed
from pb.i18n import translate_error
from pb.models import PaperBatch, Round
from pb.services import rounds
from pb.services.counting import ballot_proposals
from pb.services.voting import paper
from pb.web.access import requires
from pb.web.ballot_form import read_items
from pb.web.paper import bp
from pb.web.paper.forms import BatchForm, CommandForm, EntryForm, stored_values, typed_values

PASS_NAMES = {FIRST: _l("First entry"), CHECK: _l("Check entry")}
STATE_LABELS = {"entering": _l("Being entered"), "mismatch": _l("Entries disagree"),
                "counted": _l("Counted")}


# Officers, and facilitators for a round with a live session (checked with the round).
paper_staff_only = requires(lambda user: user.manages_rounds or user.runs_live)


def _round_or_404(round_id: int) -> Round:
    round_ = rounds.get_round(round_id, current_user)
    if round_ is None:
        abort(404)
    if not paper.may_enter(current_user, round_):
        abort(403)
    return round_


def _batch_or_404(round_: Round, number: int) -> PaperBatch:
    batch = paper.get_batch(round_, number)
    if batch is None:
        abort(404)
    return batch


def _refusal(check: Any, *args: Any) -> str | None:
    """Return why a service check refuses, translated, or None when it allows."""
    try:
        check(*args)
    except UserError as error:
        return translate_error(error)
    return None


def _page(template: str, round_: Round, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, round=round_, pass_names=PASS_NAMES,
                           state_labels=STATE_LABELS, spoilt=SPOILT, **context), status


@bp.route("/<int:round_id>/paper", methods=["GET", "POST"])
@paper_staff_only
def index(round_id: int) -> Response | tuple[str, int]:
    round_ = _round_or_404(round_id)
    form = BatchForm()
    if not form.is_submitted():
        form.number.data = paper.next_number(round_)
    if form.validate_on_submit():
        try:
            batch = paper.do_create_batch(current_user, round_, form.number.data,
                                          form.label.data or "", form.size.data)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Batch %(number)d is ready. Enter its ballots one by one.",
                    number=batch.number), "success")
            return redirect(url_for("paper.batch", round_id=round_.id, number=batch.number))
    return _page("paper/index.html", round_, 400 if form.all_errors else 200, form=form,
                 batches=paper.batches(round_), totals=paper.round_totals(round_),
                 closed=_refusal(paper.check_open, round_),
                 passes=passes_needed(round_.double_entry))


@bp.route("/<int:round_id>/paper/<int:number>")
@paper_staff_only
def batch(round_id: int, number: int) -> Response | tuple[str, int]:
    round_ = _round_or_404(round_id)
    batch_ = _batch_or_404(round_, number)
    jump = request.args.get("position", type=int)
    if jump is not None:  # the "go to a ballot" form, which works without JavaScript
        pass_no = request.args.get("pass_no", FIRST, type=int)
        return redirect(url_for("paper.enter", round_id=round_.id, number=number,
                                pass_no=pass_no, position=jump))
    return _batch_page(round_, batch_, CommandForm())


def _batch_page(round_: Round, batch_: PaperBatch, form: CommandForm,
                status: int = 200) -> tuple[str, int]:
    passes = passes_needed(round_.double_entry)
    nexts = {n: paper.next_for(current_user, round_, batch_, n)
             for n in range(FIRST, FIRST + passes)}
    return _page("paper/batch.html", round_, status, batch=batch_,
                 state=paper.progress(round_, batch_), passes=passes, nexts=nexts,
                 form=form, closed=_refusal(paper.check_open, round_))


@bp.route("/<int:round_id>/paper/<int:number>/enter/<int:pass_no>/<int:position>",
          methods=["GET", "POST"])
@paper_staff_only
def enter(round_id: int, number: int, pass_no: int, position: int) -> Any:
    round_ = _round_or_404(round_id)
    batch_ = _batch_or_404(round_, number)
    form = EntryForm()
    try:
        existing = paper.check_entry(current_user, round_, batch_, pass_no, position)
    except UserError as error:
        form.fail(error)
        return _entry_page(round_, batch_, form, pass_no, position, {}, blocked=True)
    raw = read_items(round_.ballot_method, request.form)
    values = typed_values(round_.ballot_method, raw)  # what was typed, shown again on errors
    if not form.is_submitted() and existing is not None:
        values = stored_values(round_.ballot_method, existing.items)
        form.spoilt.data = existing.items == SPOILT
    if form.validate_on_submit():
        try:
            paper.do_enter(current_user, round_, batch_, pass_no, position, raw,
                           spoilt=bool(form.spoilt.data))
        except UserError as error:
            form.fail(error)
        else:
            return _after_entry(round_, batch_, pass_no, position)
    return _entry_page(round_, batch_, form, pass_no, position, values, existing=existing)


def _after_entry(round_: Round, batch_: PaperBatch, pass_no: int, position: int) -> Response:
    following = paper.next_for(current_user, round_, batch_, pass_no, after=position)
    if following is None:
        flash(_("Ballot %(position)d is saved. Every ballot of batch %(number)d you can "
                "enter in this pass is done.", position=position, number=batch_.number),
              "success")
        return redirect(url_for("paper.batch", round_id=round_.id, number=batch_.number))
    flash(_("Ballot %(position)d is saved. Now enter ballot %(next)d.", position=position,
            next=following), "success")
    return redirect(url_for("paper.enter", round_id=round_.id, number=batch_.number,
                            pass_no=pass_no, position=following))


def _entry_page(round_: Round, batch_: PaperBatch, form: EntryForm, pass_no: int,
                position: int, values: dict[str, Any], *, blocked: bool = False,
                existing: Any = None) -> tuple[str, int]:
    status = 400 if form.all_errors and request.method == "POST" else 200
    following = None
    if blocked and batch_.state != "counted" and not _refusal(paper.check_open, round_):
        following = paper.next_for(current_user, round_, batch_, pass_no, after=position)
    return _page("paper/enter.html", round_, status, batch=batch_, form=form, pass_no=pass_no,
                 position=position, values=values, blocked=blocked, existing=existing,
                 following=following,
                 projects=ballot_proposals(round_),
                 action=url_for("paper.enter", round_id=round_.id, number=batch_.number,
                                pass_no=pass_no, position=position))


@bp.route("/<int:round_id>/paper/<int:number>/resolve", methods=["GET", "POST"])
@paper_staff_only
def resolve(round_id: int, number: int) -> Response | tuple[str, int]:
    round_ = _round_or_404(round_id)
    batch_ = _batch_or_404(round_, number)
    form = CommandForm()
    if form.validate_on_submit():
        position = request.form.get("position", type=int)
        pick = request.form.get("pick", type=int)
        try:
            paper.do_resolve(current_user, round_, batch_, position or 0, pick=pick or 0)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Ballot %(position)d is resolved.", position=position), "success")
            return redirect(url_for("paper.resolve", round_id=round_.id, number=number))
    return _resolve_page(round_, batch_, form)


def _resolve_page(round_: Round, batch_: PaperBatch, form: CommandForm) -> tuple[str, int]:
    projects = {str(p.id): p for p in ballot_proposals(round_)}
    return _page("paper/resolve.html", round_, 400 if form.all_errors else 200, batch=batch_,
                 form=form, mismatches=paper.mismatches(round_, batch_), projects=projects,
                 closed=_refusal(paper.check_open, round_))


@bp.route("/<int:round_id>/paper/<int:number>/resolve/<int:position>", methods=["GET", "POST"])
@paper_staff_only
def correct(round_id: int, number: int, position: int) -> Response | tuple[str, int]:
    round_ = _round_or_404(round_id)
    batch_ = _batch_or_404(round_, number)
    if position not in {m.position for m in paper.mismatches(round_, batch_)}:
        abort(404)
    form = EntryForm()
    raw = read_items(round_.ballot_method, request.form)
    values = typed_values(round_.ballot_method, raw)
    if form.validate_on_submit():
        try:
            paper.do_resolve(current_user, round_, batch_, position, raw=raw,
                             spoilt=bool(form.spoilt.data))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Ballot %(position)d is resolved with the ballot as you entered it.",
                    position=position), "success")
            return redirect(url_for("paper.resolve", round_id=round_.id, number=number))
    return _page("paper/enter.html", round_, 400 if form.all_errors else 200, batch=batch_,
                 form=form, pass_no=None, position=position, values=values, blocked=False,
                 existing=None, following=None, projects=ballot_proposals(round_),
                 action=url_for("paper.correct", round_id=round_.id, number=number,
                                position=position))


@bp.route("/<int:round_id>/paper/<int:number>/count", methods=["POST"])
@paper_staff_only
def count(round_id: int, number: int) -> Response | tuple[str, int]:
    round_ = _round_or_404(round_id)
    batch_ = _batch_or_404(round_, number)
    form = CommandForm()
    if form.validate_on_submit():
        try:
            paper.do_count(current_user, round_, batch_)
        except UserError as error:
            form.fail(error)
        else:
            state = paper.progress(round_, batch_)
            flash(_("Batch %(number)d is counted. Ballots added: %(ballots)d. Spoilt or blank "
                    "papers set aside: %(spoilt)d.", number=number, ballots=len(state.ballots),
                    spoilt=state.spoilt), "success")
            return redirect(url_for("paper.batch", round_id=round_.id, number=number))
    return _batch_page(round_, batch_, form, 400)
