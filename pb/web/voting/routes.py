"""Voting pages: prove who you are, fill in the ballot, review it, cast it, keep the receipt.

Everything works without JavaScript. The idempotency key is made when the ballot page is shown
and travels with the form, so a double-clicked or retried submit casts once and shows the
same receipt. Census and code voters are remembered in the (signed) session for this round
only; "Finish on this device" forgets them, for shared phones and kiosks.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from pb.broadcast import events
from pb.domain.eligibility import show_code
from pb.domain.errors import UserError
from pb.extensions import csrf, limiter
from pb.i18n import translate_error
from pb.models import Round
from pb.services import ServiceError, counting, rounds, voting
from pb.services.voting import totals
from pb.web.ballot_form import form_values, hidden_fields, read_items
from pb.web.voting import bp
from pb.web.voting.forms import BallotForm, CensusForm, CodeForm, FinishForm, ReceiptForm


def _eligibility_limit() -> str:
    return str(current_app.config["PB_ELIGIBILITY_LIMIT"])


def _failed(response: Response) -> bool:
    """Count only refused attempts against the limit, so a hall of voters on one address is
    never locked out by its own right answers."""
    return response.status_code >= 400


def _round(round_id: int) -> Round:
    round_ = rounds.get_round(round_id, current_user)
    if round_ is None:
        abort(404)
    return round_


def _box(round_id: int) -> voting.BallotBox:
    """What casting needs of the round, for the JSON path: no ORM, no account loaded unless
    the round is a draft."""
    box = voting.ballot_box(round_id)
    if box is None or not rounds.may_see(box.phase, current_user):
        abort(404)
    return box


def _voter(round_: voting.AnyRound) -> voting.Voter | None:
    """Return who is voting in this browser, or None when they have not said yet (the
    service decides: `voting.session_voter`).

    Raises ServiceError when an account may not vote (say, an unconfirmed email address).
    """
    return voting.session_voter(round_, current_user, session)


def _projects(round_: Round) -> list[Any]:
    return counting.ballot_proposals(round_)


def _identify_page(round_: Round, status: int = 200, *, code_form: CodeForm | None = None,
                   census_form: CensusForm | None = None, problem: str | None = None) -> Any:
    return render_template("voting/identify.html", round=round_, problem=problem,
                           code_form=code_form or CodeForm(),
                           census_form=census_form or CensusForm(round_)), status


def _ballot_page(round_: Round, voter: voting.Voter, form: BallotForm | None = None,
                 values: dict[str, Any] | None = None, status: int = 200, *,
                 fixable: bool = False) -> Any:
    """Render the ballot. `fixable`: its errors are about the choices, so the page's script
    may clear them once the choices are right."""
    current = voting.current(voter)
    form = form or BallotForm()
    form.key.data = secrets.token_urlsafe(18)  # a fresh key for each ballot shown
    if values is None:
        values = form_values(round_.ballot_method, current.items if current else None)
    projects = _projects(round_)
    return render_template("voting/ballot.html", round=round_, form=form, values=values,
                           projects=projects, current=current, fixable=fixable,
                           tally=_so_far(round_, projects, values),
                           receipt=_shown(voting.current_receipt(voter))), status


def _so_far(round_: Round, projects: list[Any], values: dict[str, Any]) -> dict[str, int]:
    """Return the running figures of the choices on the page (the meters' text without
    JavaScript): projects chosen, their cost, and points given."""
    chosen = [p for p in projects if values.get(str(p.id)) is True]
    points = sum(v for v in values.values() if isinstance(v, int) and not isinstance(v, bool)
                 and v > 0)
    return {"chosen": len(chosen), "spent": sum(p.cost_minor for p in chosen),
            "points": points}


def _shown(receipt: str | None) -> str | None:
    return show_code(receipt) if receipt else None


def _closed_page(round_: Round) -> Any:
    return render_template("voting/closed.html", round=round_, receipt_form=ReceiptForm())



@bp.route("/<int:round_id>/vote", methods=["GET", "POST"])
def ballot(round_id: int) -> Any:
    """Show the ballot; a POST either reviews it, changes it, or casts it."""
    round_ = _round(round_id)
    try:
        voter = _voter(round_)
    except ServiceError as error:
        return render_template("voting/identify.html", round=round_,
                               problem=translate_error(error), code_form=None,
                               census_form=None), 403
    if not voting.voting_open(round_) and request.method == "GET":
        return _closed_page(round_)
    if voter is None:
        if round_.eligibility == "accounts":
            if request.method == "POST":
                flash(_("Your session ended before the ballot was cast. Log in and vote "
                        "again."), "error")
            return redirect(url_for("auth.login", next=url_for("voting.ballot",
                                                                round_id=round_.id)))
        return _identify_page(round_)
    if request.method == "GET":
        return _ballot_page(round_, voter)
    form = BallotForm()
    if not form.validate_on_submit():
        return _ballot_page(round_, voter, form, status=400)
    raw = read_items(round_.ballot_method, request.form)
    if form.action.data == "change":
        return _ballot_page(round_, voter, values=_typed(round_, raw))
    if form.action.data == "total":
        return _checked_page(round_, voter, form, raw)
    try:
        voting.check_open(round_)
    except UserError as error:
        form.fail(error)
        return _ballot_page(round_, voter, form, values=_typed(round_, raw), status=400)
    try:
        items = voting.check_ballot_for(round_, raw)
    except UserError as error:
        form.fail(error)
        return _ballot_page(round_, voter, form, values=_typed(round_, raw), status=400,
                            fixable=True)
    if form.action.data != "confirm":
        return _review_page(round_, form, items)
    try:
        cast = voting.do_cast(round_, voter, raw, form.key.data)
    except UserError as error:
        form.fail(error)
        return _ballot_page(round_, voter, form, values=_typed(round_, raw), status=400)
    voting.remember(session, voter)
    session["last_receipt"] = {"round": round_.id, "receipt": cast.receipt,
                               "replaced": cast.replaced}
    return redirect(url_for("voting.done", round_id=round_.id), 303)


def _checked_page(round_: Round, voter: voting.Voter, form: BallotForm, raw: Any) -> Any:
    """Show the ballot again with its total and anything to change, casting nothing (the
    running total for browsers without JavaScript)."""
    chosen = raw if isinstance(raw, list) else [v for v in (raw or {}).values()
                                                if str(v).strip()]
    if chosen:  # an empty ballot has a total of nothing: no need to say "choose one" yet
        try:
            voting.check_ballot_for(round_, raw)
        except UserError as error:
            form.fail(error)
    return _ballot_page(round_, voter, form, values=_typed(round_, raw), fixable=True)


def _typed(round_: Round, raw: Any) -> dict[str, Any]:
    """Return what was typed, to put back in the form after a refusal (never lose input)."""
    if isinstance(raw, list):
        return dict.fromkeys(raw, True)
    values: dict[str, Any] = {}
    for pid, value in (raw or {}).items():
        try:
            values[pid] = int(value)
        except (TypeError, ValueError):
            values[pid] = value
    return values


def _review_page(round_: Round, form: BallotForm, items: Any) -> Any:
    projects = _projects(round_)
    return render_template("voting/review.html", round=round_, form=form, items=items,
                           hidden=hidden_fields(round_.ballot_method, items),
                           projects_by_id={str(p.id): p for p in projects},
                           spent=sum(p.cost_minor for p in projects if str(p.id) in items))


@bp.route("/<int:round_id>/vote/done")
def done(round_id: int) -> Any:
    """The confirmation: the ballot now counted, and its receipt."""
    round_ = _round(round_id)
    try:
        voter = _voter(round_)
    except ServiceError:
        voter = None
    last = session.get("last_receipt") or {}
    ballot = voting.current(voter) if voter else None
    if ballot is None:
        return redirect(url_for("voting.ballot", round_id=round_.id))
    projects = _projects(round_)
    return render_template("voting/done.html", round=round_, ballot=ballot,
                           receipt=_shown(voting.current_receipt(voter)),
                           replaced=last.get("round") == round_.id and last.get("replaced"),
                           projects_by_id={str(p.id): p for p in projects},
                           shared=not voter.key.startswith("user:"))


@bp.route("/<int:round_id>/vote/code", methods=["GET", "POST"])
@limiter.limit(_eligibility_limit, methods=["POST"], deduct_when=_failed)
def code(round_id: int) -> Any:
    """Start voting with a printed code; the card's QR code opens this with the code filled in."""
    round_ = _round(round_id)
    form = CodeForm()
    if request.method == "GET":
        form.code.data = request.args.get("c", "")[:40]
        return _identify_page(round_, code_form=form)
    if form.validate_on_submit():
        try:
            voting.check_open(round_)
            voter = voting.voter_for_code(round_, form.code.data or "")
        except UserError as error:
            form.fail(error)
        else:
            voting.remember(session, voter)
            return redirect(url_for("voting.ballot", round_id=round_.id), 303)
    return _identify_page(round_, 400, code_form=form)


@bp.route("/<int:round_id>/vote/census", methods=["GET", "POST"])
@limiter.limit(_eligibility_limit, methods=["POST"], deduct_when=_failed)
def census(round_id: int) -> Any:
    """Start voting by giving the identifier and detail the census lists."""
    round_ = _round(round_id)
    form = CensusForm(round_)
    if request.method == "GET":
        return _identify_page(round_, census_form=form)
    if form.validate_on_submit():
        try:
            voting.check_open(round_)
            voter = voting.voter_for_census(round_, form.identifier.data or "",
                                            form.check.data or "")
        except UserError as error:
            form.fail(error)
        else:
            voting.remember(session, voter)
            return redirect(url_for("voting.ballot", round_id=round_.id), 303)
    return _identify_page(round_, 400, census_form=form)


@bp.route("/<int:round_id>/vote/finish", methods=["POST"])
def finish(round_id: int) -> Response:
    """Forget a code or census voter on this device, so the next person starts afresh."""
    round_ = _round(round_id)
    form = FinishForm()
    if form.validate_on_submit():
        voting.forget(session, round_.id)
        session.pop("last_receipt", None)
        flash(_("This device has forgotten your vote details. Your ballot is safe."), "success")
    return redirect(url_for("rounds.show", round_id=round_.id), 303)


@bp.route("/<int:round_id>/receipt", methods=["GET", "POST"])
def receipt(round_id: int) -> Any:
    """Check a receipt: counted, stored, replaced by a later ballot, or unknown."""
    round_ = _round(round_id)
    form = ReceiptForm()
    status_ = None
    if form.validate_on_submit():
        status_ = voting.receipt_status(round_, form.receipt.data or "")
    elif request.method == "GET" and request.args.get("r"):
        form.receipt.data = request.args["r"][:40]
    published = voting.certified(round_)
    return render_template("voting/receipt.html", round=round_, form=form, status=status_,
                           published=published,
                           receipts=voting.receipt_counts(round_) if published else None), (
        400 if form.is_submitted() and form.errors else 200)


@bp.route("/<int:round_id>/receipts.txt")
def fingerprints(round_id: int) -> Any:
    """The published list of receipt fingerprints (SHA-256 of each counted receipt), sorted."""
    round_ = _round(round_id)
    if not voting.certified(round_):
        abort(404)
    body = "\n".join(voting.receipt_fingerprints(round_))
    return Response(body + ("\n" if body else ""), mimetype="text/plain",
                    headers={"Content-Disposition":
                             f"attachment; filename=round-{round_.id}-receipts.txt"})


@bp.route("/<int:round_id>/ballot", methods=["POST"])
@csrf.exempt  # checked below: a session voter must send the CSRF token in X-CSRFToken
def api_cast(round_id: int) -> Any:
    """Cast a ballot as JSON: `{"key": ..., "items": ..., "code": optional}`.

    With `code`, the code alone identifies the voter (kiosks, apps, load tests); without it,
    the session's voter does, and the request must carry the CSRF token.
    """
    round_ = _box(round_id)
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: no ballot is shaped so
        payload = None
    if not isinstance(payload, dict):
        return jsonify(events.ack_error(_("Send the ballot as a JSON object."))), 400
    try:
        voter = _api_voter(round_, payload)
        cast = voting.do_cast(round_, voter, payload.get("items"), payload.get("key"))
    except UserError as error:
        return jsonify(events.ack_error(translate_error(error))), 422
    except CSRFError:
        return jsonify(events.ack_error(_("This request is missing its security token; reload "
                                          "the page and try again."))), 400
    return jsonify(events.vote_ack(cast, show_code(cast.receipt)))


def _api_voter(round_: voting.AnyRound, payload: dict[str, Any]) -> voting.Voter:
    """Return who casts this JSON ballot (`voting.submitting_voter` decides); a session
    voter must also have sent the CSRF token, a code sent with the ballot need not."""
    code = payload.get("code")
    if code is None and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError:
            raise CSRFError() from None
    return voting.submitting_voter(round_, current_user, session, code)


@bp.route("/<int:round_id>/totals.json")
def running_totals(round_id: int) -> Any:
    """The running totals, for rounds that show them while voting is open."""
    round_ = _round(round_id)
    if not totals.shown(round_):
        abort(404)
    return jsonify(events.round_totals_payload(round_.id, totals.totals(round_)))
