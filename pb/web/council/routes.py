"""Routes for councils: public pages, members and terms, referrals, drafting and publishing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.i18n import languages, translate_error
from pb.models import Council, Recommendation, Referral
from pb.models.base import utcnow
from pb.services import accounts, records
from pb.services.council import councils as councils
from pb.services.council import publishing
from pb.services.council import register as council_register
from pb.services.council import responses as council_responses
from pb.web.access import managers_only, viewer
from pb.web.council import bp
from pb.web.council.forms import (
    CouncilForm,
    EndTermForm,
    MemberForm,
    PublishForm,
    RecommendationForm,
    ReferralForm,
    ResponseForm,
    SummaryForm,
)
from pb.web.council.lottery import council_lottery
from pb.web.errors import render_error
from pb.web.forms import fill_texts, texts_of, with_languages

# The texts each form takes in every content language, side by side.
REFERRAL, ADVICE, SUMMARY, REASONS = ("question", "background"), ("text", "rationale"), \
    ("summary",), ("reasons",)


def _in_languages(form_class: type, names: tuple[str, ...], **kwargs: Any) -> Any:
    """Return `form_class` with a column of `names` per language the site offers."""
    return with_languages(form_class, names, languages())(**kwargs)


def _texts(form: Any, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return texts_of(form, names, languages())


def _council_or_404(council_id: int) -> Council:
    return councils.get_council(council_id) or abort(404)


def _referral_or_404(referral_id: int) -> Referral:
    return councils.get_referral(referral_id) or abort(404)


def _rec_or_404(rec_id: int) -> Recommendation:
    return councils.get_recommendation(rec_id, viewer()) or abort(404)


def _drafting_or_403(referral: Referral) -> None:
    """Refuse with a 403 page saying why anyone who may not change the advice now: people
    not serving on the council, and everyone once the advice is published."""
    try:
        councils.check_can_draft(viewer(), referral)
    except UserError as error:
        abort(make_response(render_error(403, translate_error(error))))


@bp.route("/")
def index() -> str:
    return render_template("council/index.html", councils=councils.list_councils())


@bp.route("/new", methods=["GET", "POST"])
@managers_only
def new() -> Any:
    form = CouncilForm()
    form.offer_chairs([])  # a new council has no members yet, so no chair
    if form.validate_on_submit():
        try:
            council = councils.do_create_council(current_user, _council_data(form))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The council “%(name)s” was created. Add its members next.",
                    name=council.name), "success")
            return redirect(url_for("council.show", council_id=council.id))
    return render_template("council/form.html", form=form, council=None), _status(form)


@bp.route("/<int:council_id>/edit", methods=["GET", "POST"])
@managers_only
def edit(council_id: int) -> Any:
    council = _council_or_404(council_id)
    form = CouncilForm(obj=council)
    form.offer_chairs(councils.current_members(council))
    if not form.is_submitted():
        form.chair_id.data = str(council.chair_id or "")
    if form.validate_on_submit():
        try:
            councils.do_update_council(current_user, council, _council_data(form))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("council.show", council_id=council.id))
    return render_template("council/form.html", form=form, council=council), _status(form)


def _council_data(form: CouncilForm) -> councils.CouncilData:
    return councils.CouncilData(name=form.name.data or "", remit=form.remit.data or "",
                                response_days=form.response_days.data or 0,
                                publish_rule=form.publish_rule.data or "",
                                chair_id=form.chosen_chair())


def _status(form: Any) -> int:
    return 400 if form.all_errors else 200


@bp.route("/<int:council_id>")
def show(council_id: int) -> Any:
    return _council_page(_council_or_404(council_id))


def _council_page(council: Council, member_form: MemberForm | None = None,
                  status: int = 200) -> Any:
    found = council_register.rows(council_register.Filters(council=council.id))
    figures = council_register.figures(found)
    officer = councils.manages(viewer())
    return render_template(
        "council/show.html", council=council, current=councils.current_members(council),
        figures=figures[0][1] if figures else None, officer=officer,
        member_form=member_form or (MemberForm() if officer else None),
        end_form=EndTermForm() if officer else None,
        is_member=councils.is_member(viewer(), council),
        lottery=council_lottery(council)), status


@bp.route("/<int:council_id>/members", methods=["POST"])
@managers_only
def add_member(council_id: int) -> Any:
    council = _council_or_404(council_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            member = councils.do_add_member(current_user, council,
                                            accounts.find_by_email(form.email.data or ""),
                                            form.term_start.data, form.term_end.data)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("%(name)s is now on the council.", name=member.user.display_name),
                  "success")
            return redirect(url_for("council.show", council_id=council.id))
    return _council_page(council, member_form=form, status=400)


@bp.route("/members/<int:member_id>/end", methods=["POST"])
@managers_only
def end_term(member_id: int) -> Response:
    member = councils.get_member(member_id) or abort(404)
    form = EndTermForm()
    if not form.validate_on_submit():
        flash(" ".join(str(m) for m in form.term_end.errors), "error")
    else:
        try:
            councils.do_end_term(current_user, member, form.term_end.data)
        except UserError as error:
            flash(translate_error(error), "error")
        else:
            flash(_("The term of %(name)s ends on %(day)s.", name=member.user.display_name,
                    day=form.term_end.data.isoformat()), "success")
    return redirect(url_for("council.show", council_id=member.council_id))


@bp.route("/<int:council_id>/refer", methods=["GET", "POST"])
@managers_only
def refer(council_id: int) -> Any:
    council = _council_or_404(council_id)
    form = _in_languages(ReferralForm, REFERRAL)
    if form.validate_on_submit():
        try:
            referral = councils.do_refer(current_user, council, councils.ReferralData(
                question=form.question.data or "", background=form.background.data or "",
                advice_due=form.advice_due.data, texts=_texts(form, REFERRAL)))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The question was put to the council."), "success")
            return redirect(url_for("council.referral", referral_id=referral.id))
    return render_template("council/refer.html", form=form, council=council), _status(form)


@bp.route("/referrals/<int:referral_id>")
def referral(referral_id: int) -> Any:
    return _referral_page(_referral_or_404(referral_id), {})


def _referral_page(referral: Referral, forms: dict[str, Any], status: int = 200) -> Any:
    drafting = councils.is_member(viewer(), referral.council) and referral.published_at is None
    if drafting:
        forms.setdefault("add", _in_languages(RecommendationForm, ADVICE))
        if "summary" not in forms:
            forms["summary"] = _in_languages(SummaryForm, SUMMARY)
            fill_texts(forms["summary"], referral.texts(), languages())
    now = utcnow()
    rows = [council_register.row_for(r, now) for r in referral.recommendations] \
        if referral.published_at else []
    return render_template("council/referral.html", referral=referral, drafting=drafting,
                           forms=forms, rows=rows,
                           publication=publishing.publication(referral) if drafting else None,
                           entries=records.for_subject(f"referral:{referral.id}")), status


def _draft_page_with(referral: Referral, **forms: Any) -> Any:
    """Show the referral page again with the forms that need correcting."""
    return _referral_page(referral, forms, 400)


@bp.route("/referrals/<int:referral_id>/recommendations", methods=["POST"])
@login_required
def add_recommendation(referral_id: int) -> Any:
    referral = _referral_or_404(referral_id)
    _drafting_or_403(referral)
    form = _in_languages(RecommendationForm, ADVICE)
    if form.validate_on_submit():
        try:
            rec = councils.do_add_recommendation(current_user, referral,
                                                 texts=_texts(form, ADVICE))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Recommendation %(number)d was added to the draft.", number=rec.number),
                  "success")
            return redirect(url_for("council.referral", referral_id=referral.id))
    return _draft_page_with(referral, add=form)


@bp.route("/recommendations/<int:rec_id>/edit", methods=["GET", "POST"])
@login_required
def edit_recommendation(rec_id: int) -> Any:
    rec = _rec_or_404(rec_id)
    _drafting_or_403(rec.referral)
    form = _in_languages(RecommendationForm, ADVICE)
    if not form.is_submitted():
        fill_texts(form, rec.texts(), languages())
    if form.validate_on_submit():
        try:
            councils.do_edit_recommendation(current_user, rec, texts=_texts(form, ADVICE))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("council.referral", referral_id=rec.referral_id))
    return render_template("council/edit_recommendation.html", form=form, rec=rec), \
        _status(form)


@bp.route("/recommendations/<int:rec_id>/remove", methods=["POST"])
@login_required
def remove_recommendation(rec_id: int) -> Response:
    rec = _rec_or_404(rec_id)
    _drafting_or_403(rec.referral)
    referral_id = rec.referral_id
    try:
        councils.do_remove_recommendation(current_user, rec)
    except UserError as error:
        flash(translate_error(error), "error")
    else:
        flash(_("The recommendation was removed from the draft."), "success")
    return redirect(url_for("council.referral", referral_id=referral_id))


@bp.route("/referrals/<int:referral_id>/summary", methods=["POST"])
@login_required
def save_summary(referral_id: int) -> Any:
    referral = _referral_or_404(referral_id)
    _drafting_or_403(referral)
    form = _in_languages(SummaryForm, SUMMARY)
    if form.validate_on_submit():
        try:
            councils.do_save_summary(current_user, referral, texts=_texts(form, SUMMARY))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The summary was saved."), "success")
            return redirect(url_for("council.referral", referral_id=referral.id))
    return _draft_page_with(referral, summary=form)


@bp.route("/referrals/<int:referral_id>/publish", methods=["GET", "POST"])
@login_required
def publish(referral_id: int) -> Any:
    """Check the advice, then publish it (the chair) or approve it (a member, under the
    majority rule). A POST without the digest of the draft as checked publishes nothing."""
    referral = _referral_or_404(referral_id)
    _drafting_or_403(referral)
    form = PublishForm()
    here = url_for("council.publish", referral_id=referral.id)
    if request.method == "POST":
        if not form.validate_on_submit():  # not sent from the check page
            flash(_("Check the advice below before you publish it."), "info")
            return redirect(here, 303)
        try:
            councils.do_publish_advice(current_user, referral, seen=form.draft.data)
        except UserError as error:
            flash(translate_error(error), "error")
            return redirect(here, 303)
        if referral.published_at is None:
            state = publishing.publication(referral)
            flash(ngettext("Your approval is recorded. The advice is published once %(num)d "
                           "more member approves this draft.",
                           "Your approval is recorded. The advice is published once %(num)d "
                           "more members approve this draft.",
                           state.needed - len(state.approved)), "success")
        else:
            flash(_("The advice was published. The decision body must respond to each "
                    "recommendation within %(days)d days.",
                    days=referral.council.response_days), "success")
        return redirect(url_for("council.referral", referral_id=referral.id), 303)
    state = publishing.publication(referral)
    form.draft.data = state.digest
    due = utcnow() + timedelta(days=referral.council.response_days)
    return render_template("council/publish.html", referral=referral, state=state, form=form,
                           due=due)


@bp.route("/recommendations/<int:rec_id>")
def recommendation(rec_id: int) -> Any:
    return _recommendation_page(_rec_or_404(rec_id))


def _recommendation_page(rec: Recommendation, form: ResponseForm | None = None,
                         status: int = 200) -> Any:
    if form is None and councils.manages(viewer()) and rec.published_at:
        form = _in_languages(ResponseForm, REASONS)
        form.version.data = str(rec.latest.version if rec.latest else 0)
        form.amend.data = "1" if rec.latest else ""
        if rec.latest:  # amending starts from the current response
            form.outcome.data = rec.latest.outcome
            fill_texts(form, rec.latest.texts(), languages())
            form.deferred_until.data = rec.latest.deferred_until
    return render_template("council/recommendation.html", rec=rec,
                           row=council_register.row_for(rec, utcnow()) if rec.published_at
                           else None, form=form,
                           entries=records.for_subject(f"recommendation:{rec.id}")), status


@bp.route("/recommendations/<int:rec_id>/respond", methods=["POST"])
@managers_only
def respond(rec_id: int) -> Any:
    rec = _rec_or_404(rec_id)
    form = _in_languages(ResponseForm, REASONS)
    if form.validate_on_submit():
        data = council_responses.ResponseData(form.outcome.data, form.reasons.data or "",
                                              form.deferred_until.data,
                                              texts=_texts(form, REASONS))
        try:
            response = council_responses.do_respond(current_user, rec, data,
                                                    amend=form.amend.data == "1",
                                                    seen_version=form.seen_version())
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Version %(version)d of the response was published.",
                    version=response.version) if response.version > 1 else
                  _("The response was published."), "success")
            return redirect(url_for("council.recommendation", rec_id=rec.id))
    return _recommendation_page(rec, form, 400)


# The register's routes live in their own module on this blueprint.


@bp.app_template_filter("day")
def day(value: Any) -> str:
    """Format a date for people in the visitor's locale, e.g. "31 March 2027"."""
    return "" if value is None else format_date(value, "d MMMM y")
