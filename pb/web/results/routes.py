"""Routes for a round's results and its open-data downloads."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.domain.errors import UserError
from pb.domain.languages import CONTENT_LANGUAGES, DEFAULT
from pb.domain.money import MoneyError, parse_amount
from pb.domain.rounds import TALLY_KINDS
from pb.domain.values import spreadsheet_csv
from pb.i18n import translate_error
from pb.models import Round
from pb.services import counting, outcomes, pabulib_io, rounds, voting
from pb.web.access import viewer
from pb.web.helpers import shown
from pb.web.results import bp, explain
from pb.web.results.forms import CertifyForm, DepartureForm, UpdateForm


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"money_major": explain.money, "support_label": explain.support}


def _round(round_id: int) -> Round:
    round_ = rounds.get_round(round_id, viewer())
    if round_ is None:
        abort(404)
    return round_


def _count_or_404(round_: Round) -> counting.Count:
    officer = current_user.is_authenticated and current_user.manages_rounds
    if not (counting.results_public(round_) or (officer and counting.counted(round_))):
        abort(404)
    try:
        return counting.do_count(round_)
    except UserError:
        abort(404)


@bp.route("/<int:round_id>/results")
def show(round_id: int) -> Any:
    return _page(_round(round_id))


def _page(round_: Round, forms: dict[str, Any] | None = None, status: int = 200) -> Any:
    """Render the results page; officers also get the forms to certify and report."""
    officer = current_user.is_authenticated and current_user.manages_rounds
    if not counting.counted(round_):
        return render_template("results/not_yet.html", round=round_)
    if not officer and not counting.results_public(round_):
        # Counted, but not yet checked and certified: nothing is public until it is.
        return render_template("results/not_yet.html", round=round_, checking=True)
    try:
        count = counting.do_count(round_)
    except UserError as error:
        return render_template("results/not_yet.html", round=round_,
                               problem=translate_error(error))
    outcome = count.outcome
    state = outcomes.decided(round_, count)
    points = TALLY_KINDS[round_.ballot_method] != "approval"
    titles = {pid: shown(p, "title").text for pid, p in count.proposals.items()}
    progress = outcomes.updates([p.id for p in count.proposals.values()])
    rows = []
    for pid, e in outcome["projects"].items():
        proposal = count.proposals.get(pid)
        rows.append({"id": pid, "proposal": proposal, "e": e,
                     "funded": e.get("status") == "funded", "final": pid in state.funded,
                     "cost": explain.exact(e.get("cost")),
                     "support": explain.exact(e.get("support")),
                     "updates": progress.get(proposal.id, []) if proposal else [],
                     "why": explain.sentence(e, outcome["rule"], round_.currency, points,
                                             titles)})
    rows.sort(key=lambda r: (not r["funded"], -r["support"], r["id"]))
    most = max((r["support"] for r in rows), default=0) or 1
    if forms is None and current_user.is_authenticated and current_user.manages_rounds:
        forms = {"certify": CertifyForm(), "depart": DepartureForm(), "progress": UpdateForm()}
    if forms:
        forms["depart"].offer([(r["id"], shown(r["proposal"], "title").text) for r in rows
                               if r["proposal"]])
        forms["progress"].offer([(r["id"], shown(r["proposal"], "title").text) for r in rows
                                 if r["proposal"] and r["final"]])
    return render_template("results/show.html", round=round_, count=count, rows=rows,
                           most=most, points=points, state=state, forms=forms,
                           by_id={p.id: p for p in count.proposals.values()},
                           used=explain.exact(outcome["budget_used"]),
                           budget=explain.exact(outcome["budget"]),
                           receipts=voting.receipt_counts(round_) if state.certification
                           else None,
                           funded=sum(r["funded"] for r in rows)), status


def _officer_round(round_id: int) -> Round:
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.manages_rounds:
        abort(403)
    return _round(round_id)


@bp.route("/<int:round_id>/results/certify", methods=["GET", "POST"])
@login_required
def certify(round_id: int) -> Any:
    """Check the count, then certify it. A POST without the digest of the count as checked
    certifies nothing."""
    round_ = _officer_round(round_id)
    form = CertifyForm()
    here = url_for("results.certify", round_id=round_.id)
    if request.method == "POST":
        if not form.validate_on_submit():  # not sent from the check page
            flash(_("Check the count below before you certify it."), "info")
            return redirect(here, 303)
        try:
            outcomes.do_certify(current_user, round_, seen=form.count.data)
        except UserError as error:
            flash(translate_error(error), "error")
            return redirect(here, 303)
        flash(_("The results are certified and published in the decision record."), "success")
        return redirect(url_for("results.show", round_id=round_.id), 303)
    try:
        outcomes.check_certify(current_user, round_)
        count = counting.do_count(round_)
    except UserError as error:
        flash(translate_error(error), "error")
        return redirect(url_for("results.show", round_id=round_.id), 303)
    form.count.data = count.run.digest
    return render_template("results/certify.html", round=round_, count=count, form=form,
                           funded=[count.proposals.get(pid) for pid in count.outcome["selected"]],
                           used=explain.exact(count.outcome["budget_used"]),
                           budget=explain.exact(count.outcome["budget"]),
                           receipts=voting.receipt_counts(round_))


@bp.route("/<int:round_id>/results/departures", methods=["POST"])
@login_required
def depart(round_id: int) -> Any:
    round_ = _officer_round(round_id)
    forms = {"certify": CertifyForm(), "depart": DepartureForm(), "progress": UpdateForm()}
    form = forms["depart"]
    form.offer(_project_choices(round_))
    if form.validate_on_submit():
        try:
            outcomes.do_depart(current_user, round_, _proposal(round_, form.project.data),
                               form.action.data, form.reason.data or "")
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The departure from the vote and its reason are published."), "success")
            return redirect(url_for("results.show", round_id=round_.id))
    return _page(round_, forms, 400)


@bp.route("/<int:round_id>/results/updates", methods=["POST"])
@login_required
def update(round_id: int) -> Any:
    round_ = _officer_round(round_id)
    forms = {"certify": CertifyForm(), "depart": DepartureForm(), "progress": UpdateForm()}
    form = forms["progress"]
    form.offer(_project_choices(round_))
    if form.validate_on_submit():
        try:
            spent = parse_amount(form.spent.data, round_.currency) if form.spent.data else None
            outcomes.do_update(current_user, round_, _proposal(round_, form.project.data),
                               form.status.data, spent, form.note.data or "")
        except UserError as error:
            form.fail(error, form.spent if isinstance(error, MoneyError) else None)
        else:
            flash(_("The progress update is published."), "success")
            return redirect(url_for("results.show", round_id=round_.id))
    return _page(round_, forms, 400)


def _project_choices(round_: Round) -> list[tuple[str, str]]:
    return [(counting.project_id(p), shown(p, "title").text)
            for p in counting.ballot_proposals(round_)]


def _proposal(round_: Round, project_id: str) -> Any:
    for proposal in counting.ballot_proposals(round_):
        if counting.project_id(proposal) == project_id:
            return proposal
    abort(404)


@bp.route("/<int:round_id>/results.json")
def as_json(round_id: int) -> Response:
    round_ = _round(round_id)
    count = _count_or_404(round_)
    # Project titles in each language sit beside the outcome, which stays exactly as counted
    # (its SHA-256 is in the decision record).
    titles = {pid: {"title": p.title, "language": p.language,
                    "translations": outcomes.translations_of(p, ("title",))}
              for pid, p in count.proposals.items()}
    return jsonify({"round": {"id": round_.id, "title": round_.title, "area": round_.area,
                              "currency": round_.currency, "ballot_method":
                                  round_.ballot_method, "language": round_.language,
                              "translations": outcomes.translations_of(
                                  round_, ("title", "description"))},
                    "counted_at": count.run.computed_at.isoformat(),
                    "ballots": count.run.ballots, "input_sha256": count.run.digest,
                    "project_titles": titles, **count.outcome})


@bp.route("/<int:round_id>/results.csv")
def as_csv(round_id: int) -> Response:
    round_ = _round(round_id)
    count = _count_or_404(round_)
    final = set(outcomes.decided(round_, count).funded)  # as the page shows, after departures
    others = [code for code in CONTENT_LANGUAGES if code != DEFAULT]
    rows = []
    for pid, e in count.outcome["projects"].items():
        proposal = count.proposals.get(pid)
        texts = proposal.texts() if proposal else {}
        rows.append((pid, texts.get(DEFAULT, {}).get("title") or (proposal.title if proposal
                                                                  else ""),
                     *(texts.get(code, {}).get("title", "") for code in others),
                     e.get("cost"), e.get("support"), e.get("status"), e.get("reason"),
                     e.get("sentence"), pid in final))
    body = spreadsheet_csv(("project_id", "title", *(f"title_{code}" for code in others),
                            "cost", "support", "status", "reason", "explanation",
                            "funded_after_departures"), rows)
    return _download(body, "text/csv", f"round-{round_.id}-results.csv")


@bp.route("/<int:round_id>/ballots.pb")
def as_pabulib(round_id: int) -> Response:
    round_ = _round(round_id)
    _count_or_404(round_)
    return _download(pabulib_io.export(round_), "text/plain",
                     f"round-{round_.id}.pb")


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/how-the-count-works")
def how_counting_works() -> Any:
    """Explain each counting rule to residents, in plain words (linked from rounds and
    results)."""
    return render_template("results/how_counting_works.html")
