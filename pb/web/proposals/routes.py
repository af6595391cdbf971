"""Routes for proposals: list, read, write, edit, withdraw and review."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.domain import proposals as rules
from pb.domain.errors import UserError
from pb.domain.values import parse_whole
from pb.extensions import limiter
from pb.i18n import labels
from pb.models import Proposal, Round
from pb.services import outcomes, proposals, rounds
from pb.web.access import viewer
from pb.web.discussion.thread import thread_context
from pb.web.proposals import bp
from pb.web.proposals.forms import (
    ProposalForm,
    ReviewForm,
    WithdrawForm,
    proposal_form,
    version_of,
)

SEED = "pb_proposal_order"



def _round_or_404(round_id: int) -> Round:
    return rounds.get_round(round_id, viewer()) or abort(404)


def _proposal_or_404(proposal_id: int) -> Proposal:
    return proposals.get_proposal(proposal_id, viewer()) or abort(404)


def _seed() -> str:
    """Return this visitor's seed for the random order, kept in their session."""
    if SEED not in session:
        session[SEED] = secrets.token_hex(8)
    return session[SEED]


@bp.route("/rounds/<int:round_id>/proposals")
def index(round_id: int) -> str:
    round_ = _round_or_404(round_id)
    query, filters = listing_query(request.args)
    result = proposals.listing(round_, viewer(), query, _seed())
    return render_template("proposals/index.html", round=round_, listing=result, query=query,
                           filters=filters, categories=_known(round_, "category"),
                           areas=_known(round_, "area"))


def listing_query(args: Any) -> tuple[proposals.ListingQuery, dict[str, str]]:
    """Return what the listing (or its map) was asked for, and the filters to keep in links."""
    query = proposals.ListingQuery(
        category=args.get("category", "")[:rules.CHOICE_MAX],
        area=args.get("area", "")[:rules.CHOICE_MAX],
        status=args.get("status", "") if args.get("status") in rules.PUBLIC_STATUSES else "",
        q=args.get("q", "")[:200],
        sort=args.get("sort") if args.get("sort") in rules.SORTS else "random",
        page=parse_whole(args.get("page", "1")) or 1)
    filters = {k: v for k, v in (("category", query.category), ("area", query.area),
                                 ("status", query.status), ("q", query.q),
                                 ("sort", query.sort)) if v and v != "random"}
    return query, filters


def _known(round_: Round, name: str) -> list[str]:
    """Return the round's list, or the values its proposals use when it has none."""
    offered = getattr(round_, "categories" if name == "category" else "areas")
    return list(offered) if offered else proposals.values_in_use(round_, name)


@bp.route("/rounds/<int:round_id>/proposals/new", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["PB_PROPOSAL_LIMIT"],
               methods=["POST"])
def new(round_id: int) -> Any:
    round_ = _round_or_404(round_id)
    if round_.phase != "proposals":
        flash(_("New proposals are accepted only in the proposals phase."), "info")
        return redirect(url_for("proposals.index", round_id=round_.id))
    form = proposal_form(round_)
    if form.validate_on_submit():
        submit = request.form.get("action") != "draft"
        try:
            proposal, created = proposals.do_create(current_user, round_,
                                                    form.data_for_service(), submit=submit,
                                                    form_key=form.form_key.data)
        except UserError as error:
            form.fail(error)
        else:
            if not created:
                flash(_("This form was already sent, so nothing new was saved. Here is your "
                        "proposal."), "info")
            elif submit:
                flash(_("Your proposal was submitted. Officers will check it for "
                        "feasibility and cost."), "success")
            else:
                flash(_("Your draft was saved. Only you can see it until you submit it."),
                      "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return _form_page(form, round_, None)


def _form_page(form: ProposalForm, round_: Round, proposal: Proposal | None) -> Any:
    status = 400 if form.all_errors else 200
    return render_template("proposals/form.html", form=form, round=round_,
                           proposal=proposal), status


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int) -> Any:
    proposal = _proposal_or_404(proposal_id)
    if not proposals.is_author(current_user, proposal):
        abort(403)
    round_ = proposal.round
    form = proposal_form(round_)
    if not form.is_submitted():
        form.fill_from(proposal)
        form.coauthors.data = ", ".join(c.user.email for c in proposals.coauthors(proposal))
        try:
            rules.check_can_edit(round_.phase, proposal.status)
        except UserError as error:
            form.fail(error)
    if form.validate_on_submit():
        try:
            proposals.do_edit(current_user, proposal, form.data_for_service(),
                              expected_version=version_of(form),
                              submit=request.form.get("action") == "submit")
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return _form_page(form, round_, proposal)


@bp.route("/proposals/<int:proposal_id>")
def show(proposal_id: int) -> Any:
    proposal = _proposal_or_404(proposal_id)
    return _show_page(proposal)


def _show_page(proposal: Proposal, review_form: ReviewForm | None = None,
               withdraw_form: WithdrawForm | None = None, status: int = 200) -> Any:
    who = viewer()
    round_ = proposal.round
    author = proposals.is_author(who, proposal)
    if review_form is None and who is not None and who.manages_rounds and \
            proposal.status in rules.REVIEWABLE:
        review_form = ReviewForm()
        review_form.offer(proposal, proposals.merge_targets(proposal))
    if withdraw_form is None and author and proposal.status in rules.EDITABLE:
        withdraw_form = WithdrawForm(version=str(proposal.version))
    can_edit = author and round_.phase == "proposals" and proposal.status in rules.EDITABLE
    return render_template(
        "proposals/show.html", proposal=proposal, round=round_,
        coauthors=proposals.coauthors(proposal), events=proposals.events(proposal),
        revisions=proposals.revisions(proposal), merged_from=proposals.merged_from(proposal),
        diff=rules.text_diff, field_label=field_label, can_edit=can_edit, review_form=review_form,
        withdraw_form=withdraw_form, discussion=thread_context(proposal, who),
        progress=outcomes.updates([proposal.id])[proposal.id]), status


def field_label(name: str) -> str:
    """Return a revised field's label: "Title", or "Title (Cymraeg)" for a translation."""
    base, _sep, code = name.rpartition("_")
    offered = current_app.config["PB_LANGUAGES"]
    if base in rules.TEXT_FIELDS and code in offered:
        return f"{labels.PROPOSAL_FIELD_LABELS[base]} ({offered[code]})"
    return str(labels.PROPOSAL_FIELD_LABELS.get(name, name))


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int) -> Any:
    proposal = _proposal_or_404(proposal_id)
    if not proposals.is_author(current_user, proposal):
        abort(403)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            proposals.do_withdraw(current_user, proposal, form.reason.data or "",
                                  expected_version=version_of(form))
        except UserError as error:
            form.fail(error, form.reason)
        else:
            flash(_("Your proposal was withdrawn. Your reason is shown on its page."),
                  "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return _show_page(proposal, withdraw_form=form, status=400)


@bp.route("/proposals/<int:proposal_id>/review", methods=["POST"])
@login_required
def review(proposal_id: int) -> Any:
    if not current_user.manages_rounds:
        abort(403)
    proposal = _proposal_or_404(proposal_id)
    form = ReviewForm()
    form.offer(proposal, proposals.merge_targets(proposal))
    if form.validate_on_submit():
        try:
            proposals.do_review(current_user, proposal, form.outcome.data,
                                form.note.data or "", cost_minor=form.cost_minor(proposal),
                                merged_into_id=form.merged_into_id(),
                                expected_version=version_of(form))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your decision was saved and published on the proposal’s page."),
                  "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return _show_page(proposal, review_form=form, status=400)
