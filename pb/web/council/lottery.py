"""Routes for choosing a council by lot: recruitments, volunteers, the published selection,
the draw, invitations and the published files.

Volunteers need no account: the links in their emails carry a key (`/volunteer/<key>`,
`/invitation/<key>`). The public sees counts, numbers and chances, never names; officers see
who volunteered and run each step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
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
from flask_babel import format_datetime, format_percent, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.domain.sortition import draw
from pb.domain.sortition.quotas import Shortfall, SortitionError
from pb.domain.values import parse_whole
from pb.extensions import limiter
from pb.i18n import translate_error
from pb.models import Council, Recruitment, Volunteer
from pb.models.base import utcnow
from pb.services.council import councils
from pb.services.council import recruitment as rec
from pb.services.council import selection as sel
from pb.web.access import managers_only, viewer
from pb.web.council import bp
from pb.web.council.lottery_forms import ImportForm, RecruitmentForm, SeedForm, VolunteerForm


def _recruitment_or_404(rid: int) -> Recruitment:
    return rec.get_recruitment(rid) or abort(404)


def _volunteer_or_404(key: str) -> Volunteer:
    return rec.volunteer_by_key(key) or abort(404)


def _volunteer_link(key: str) -> str:
    return url_for("council.volunteer_page", key=key, _external=True)


def _invite_link(key: str) -> str:
    return url_for("council.invitation", key=key, _external=True)


def _reset_link(token: str) -> str:
    return url_for("auth.reset", token=token, _external=True)


def stage(recruitment: Recruitment, now: datetime | None = None) -> str:
    """Return where the recruitment is: "open", "closed", "published" or "drawn"."""
    if recruitment.drawn_at is not None:
        return "drawn"
    if recruitment.published_at is not None:
        return "published"
    return "open" if recruitment.is_open(now or utcnow()) else "closed"


def shortfall_text(line: Shortfall) -> str:
    """Say which quota no panel can keep, and what would work."""
    if line.bound == "max":
        return _("%(feature)s “%(category)s”: the maximum of %(now)d cannot be met; "
                 "%(would)d would work.", feature=line.feature, category=line.category,
                 now=line.now, would=line.would_work)
    return _("%(feature)s “%(category)s”: the minimum of %(now)d cannot be met; %(would)d "
             "would work.", feature=line.feature, category=line.category, now=line.now,
             would=line.would_work)


@dataclass(frozen=True)
class Fairness:
    """The published chances, for the figures and the chart."""

    recruitment: Recruitment
    sorted_chances: list[float]
    chart_path: str
    mean_y: float

    @property
    def count(self) -> int:
        return len(self.sorted_chances)

    @property
    def largest(self) -> float:
        return self.sorted_chances[-1] if self.sorted_chances else 0.0


def fairness(recruitment: Recruitment, published: dict[int, float] | None = None
             ) -> Fairness | None:
    """Return the figures and a step-line chart (SVG path, 100 units high) of the chances
    (`published`, if the caller has read them already)."""
    chances = sorted((sel.chances(recruitment) if published is None else published).values())
    if not chances:
        return None
    top = chances[-1] or 1.0
    points = ["M0,100"]
    for i, p in enumerate(chances):
        y = 100 - 100 * p / top
        points.append(f"L{i},{y:.2f}L{i + 1},{y:.2f}")
    points.append(f"L{len(chances)},100Z")
    mean = recruitment.mean if recruitment.mean is not None else sum(chances) / len(chances)
    return Fairness(recruitment, chances, "".join(points), round(100 - 100 * mean / top, 2))


@bp.app_template_filter("chance")
def chance(value: float | None) -> str:
    """Format a probability for people, e.g. "4.17%"."""
    return "" if value is None else format_percent(value, "#,##0.00%")


@bp.app_template_filter("population_share")
def population_share(value: float | None) -> str:
    """Format a share of the population, e.g. "22%"."""
    return "" if value is None else format_percent(value, "#,##0%")


@bp.app_template_filter("utc")
def utc(value: datetime | None) -> str:
    """Format a time as stored, in UTC, e.g. "31 March 2027, 18:00 UTC"."""
    return "" if value is None else format_datetime(value, "d MMMM y, HH:mm", rebase=False) + \
        " UTC"


def council_lottery(council: Council) -> dict[str, Any]:
    """Return what the council page shows on how members are chosen."""
    found = rec.recruitments_of(council)
    drawn = next((r for r in found if r.drawn_at is not None), None)
    return {"recruitments": found, "stage": stage, "drawn": drawn,
            "composition": sel.composition(drawn) if drawn else [],
            "fairness": fairness(drawn) if drawn else None}


# Officers open a recruitment ------------------------------------------------------------------

@bp.route("/<int:council_id>/recruitments/new", methods=["GET", "POST"])
@managers_only
def new_recruitment(council_id: int) -> Any:
    council = councils.get_council(council_id) or abort(404)
    form = RecruitmentForm()
    if form.validate_on_submit():
        try:
            recruitment = rec.do_open(current_user, council, form.data_for_service())
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Volunteering is open until %(closes)s.", closes=utc(
                recruitment.closes_at)), "success")
            return redirect(url_for("council.recruitment", rid=recruitment.id))
    return render_template("council/recruitment_form.html", form=form, council=council), \
        400 if form.all_errors else 200


# The recruitment's page -----------------------------------------------------------------------

@bp.route("/recruitments/<int:rid>")
def recruitment(rid: int) -> Any:
    return _recruitment_page(_recruitment_or_404(rid))


def _recruitment_page(recruitment: Recruitment, status: int = 200,
                      publish_errors: list[str] | None = None, **forms: Any) -> Any:
    officer = councils.manages(viewer())
    if officer:
        forms.setdefault("import_form", ImportForm())
        forms.setdefault("seed_form", SeedForm())
    chances = sel.chances(recruitment)
    asked = request.args.get("number")
    number = parse_whole(asked, 999_999_999) if asked else None
    drawn = sorted((v for v in recruitment.volunteers if v.invitation is not None),
                   key=lambda v: (v.invited_at or recruitment.drawn_at, v.number))
    return render_template(
        "council/recruitment.html", recruitment=recruitment, stage=stage(recruitment),
        officer=officer, counts=rec.counts(recruitment), pool_size=len(rec.pool(recruitment)),
        fairness=fairness(recruitment, chances), asked=asked, number=number,
        number_chance=chances.get(number) if number is not None else None,
        files={name: draw.sha256(text) for name, text in sel.files(recruitment).items()},
        drawn=drawn, composition=sel.composition(recruitment) if recruitment.drawn_at else [],
        publish_errors=publish_errors or [], **forms), status


@bp.route("/recruitments/<int:rid>/close", methods=["POST"])
@managers_only
def close_recruitment(rid: int) -> Response:
    recruitment = _recruitment_or_404(rid)
    try:
        rec.do_close_now(current_user, recruitment)
    except UserError as error:
        flash(translate_error(error), "error")
    else:
        flash(_("Volunteering has closed. You can now publish the selection."), "success")
    return redirect(url_for("council.recruitment", rid=rid))


@bp.route("/recruitments/<int:rid>/import", methods=["POST"])
@managers_only
def import_volunteers(rid: int) -> Any:
    recruitment = _recruitment_or_404(rid)
    form = ImportForm()
    if form.validate_on_submit():
        text = form.contents()
        if text is None:
            form.file.errors = [_("The file is not UTF-8 text. In your spreadsheet program "
                                  "choose Save as, pick “CSV UTF-8”, and upload that file.")]
        elif not text.strip():
            form.text.errors = [_("Choose a CSV file, or paste its rows.")]
        else:
            try:
                done = rec.do_import(current_user, recruitment, text)
            except UserError as error:
                form.fail(error)
            else:
                flash(ngettext("%(num)d volunteer was added.", "%(num)d volunteers were added.",
                               done.added), "success")
                if done.skipped:
                    flash(ngettext("%(num)d row was skipped:", "%(num)d rows were skipped:",
                                   len(done.skipped)) + " " + " ".join(done.skipped), "info")
                return redirect(url_for("council.recruitment", rid=rid))
    return _recruitment_page(recruitment, 400, import_form=form)


@bp.route("/recruitments/<int:rid>/publish", methods=["POST"])
@managers_only
def publish_selection(rid: int) -> Any:
    recruitment = _recruitment_or_404(rid)
    try:
        sel.do_publish(current_user, recruitment)
    except SortitionError as error:
        return _recruitment_page(recruitment, 400, [translate_error(error),
                                                    *map(shortfall_text, error.lines)])
    except UserError as error:
        return _recruitment_page(recruitment, 400, [translate_error(error)])
    flash(_("The selection was published: every volunteer’s chance, the lottery of panels "
            "and their fingerprints. Two officers can now enter the seed."), "success")
    return redirect(url_for("council.recruitment", rid=rid))


@bp.route("/recruitments/<int:rid>/seed", methods=["POST"])
@managers_only
def enter_seed(rid: int) -> Any:
    recruitment = _recruitment_or_404(rid)
    form = SeedForm()
    if form.validate_on_submit():
        try:
            done = sel.do_enter_seed(current_user, recruitment, form.seed.data or "",
                                     _invite_link)
        except UserError as error:
            form.fail(error, form.seed)
        else:
            if done.outcome == "waiting":
                flash(_("Seed recorded; a second officer must now enter it."), "success")
            elif done.outcome == "differs":
                flash(_("The two entries differ, so nothing was drawn and both entries were "
                        "discarded: enter the seed again, both of you."), "error")
            else:
                flash(_("Drawn: panel %(number)d. The invitations are on their way.",
                        number=recruitment.panel_number), "success")
            return redirect(url_for("council.recruitment", rid=rid))
    return _recruitment_page(recruitment, 400, seed_form=form)


@bp.route("/recruitments/<int:rid>/volunteers/<int:number>/left", methods=["POST"])
@managers_only
def dropped_out(rid: int, number: int) -> Response:
    recruitment = _recruitment_or_404(rid)
    volunteer = next((v for v in recruitment.volunteers if v.number == number), None) \
        or abort(404)
    try:
        replacement = sel.do_leave(current_user, volunteer, _invite_link)
    except UserError as error:
        flash(translate_error(error), "error")
    else:
        if replacement is None:
            flash(_("Volunteer %(number)d has left. Nobody left in the pool can take the seat "
                    "and keep the quotas, so it stays empty.", number=number), "error")
        else:
            flash(_("Volunteer %(number)d has left. %(name)s (volunteer %(other)d) is invited "
                    "in their place.", number=number, name=replacement.name,
                    other=replacement.number), "success")
    return redirect(url_for("council.recruitment", rid=rid))


@bp.route("/recruitments/<int:rid>/files/<name>")
def recruitment_file(rid: int, name: str) -> Response:
    recruitment = _recruitment_or_404(rid)
    published = sel.files(recruitment)
    if name == "selection.json" and published:
        body = json.dumps(sel.manifest(recruitment), ensure_ascii=False, indent=1)
        response = Response(body, content_type="application/json; charset=utf-8")
    elif name in published:
        response = Response(published[name], content_type="text/csv; charset=utf-8")
    else:
        abort(404)
    # Named as published: `pb sortition verify FOLDER` reads the files by these names.
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Volunteers -----------------------------------------------------------------------------------

@bp.route("/recruitments/<int:rid>/volunteer", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PB_VOLUNTEER_LIMIT"], methods=["POST"])
def volunteer(rid: int) -> Any:
    recruitment = _recruitment_or_404(rid)
    form = VolunteerForm.for_quotas(rec.quotas_of(recruitment))
    is_open = recruitment.is_open(utcnow())
    if form.validate_on_submit():
        data = rec.VolunteerData(name=form.name.data or "", email=form.email.data or "",
                                 phone=form.phone.data or "", answers=form.answers())
        try:
            done = rec.do_volunteer(recruitment, data, _volunteer_link)
        except UserError as error:
            form.fail(error, form.field_for(str(error.params.get("feature", ""))))
        else:
            session["pb_volunteered"] = [recruitment.id, done.number]
            return redirect(url_for("council.volunteered", rid=rid))
    elif request.method == "POST" and not is_open:
        form.form_errors_extra.append(_("Volunteering for this council has closed."))
    return render_template("council/volunteer_form.html", form=form, recruitment=recruitment,
                           is_open=is_open), 400 if form.all_errors else 200


@bp.route("/recruitments/<int:rid>/volunteer/done")
def volunteered(rid: int) -> Any:
    recruitment = _recruitment_or_404(rid)
    done = session.get("pb_volunteered")
    if not done or done[0] != recruitment.id:
        return redirect(url_for("council.volunteer", rid=rid))
    return render_template("council/volunteer_done.html", recruitment=recruitment,
                           number=done[1])


@bp.route("/volunteer/<key>")
def volunteer_page(key: str) -> str:
    return render_template("council/volunteer_page.html", volunteer=_volunteer_or_404(key),
                           key=key)


@bp.route("/volunteer/<key>/confirm", methods=["POST"])
def confirm_volunteer(key: str) -> Response:
    volunteer = rec.do_confirm(_volunteer_or_404(key))
    if volunteer.withdrawn_at is None:
        flash(_("Thank you: your email is confirmed and you are in the pool."), "success")
    return redirect(url_for("council.volunteer_page", key=key))


@bp.route("/volunteer/<key>/withdraw", methods=["POST"])
def withdraw_volunteer(key: str) -> Response:
    try:
        rec.do_withdraw(_volunteer_or_404(key))
    except UserError as error:
        flash(translate_error(error), "error")
    else:
        flash(_("You have withdrawn: you will not be drawn."), "success")
    return redirect(url_for("council.volunteer_page", key=key))


@bp.route("/invitation/<key>")
def invitation(key: str) -> str:
    volunteer = _volunteer_or_404(key)
    if volunteer.invitation is None:
        abort(404)
    return render_template("council/invitation.html", volunteer=volunteer, key=key)


@bp.route("/invitation/<key>/answer", methods=["POST"])
def answer_invitation(key: str) -> Response:
    volunteer = _volunteer_or_404(key)
    answer = request.form.get("answer")
    if answer not in ("accept", "decline"):
        abort(400)
    try:
        sel.do_answer(volunteer, answer == "accept", _reset_link, _invite_link)
    except UserError as error:
        flash(translate_error(error), "error")
    else:
        flash(_("Welcome to the council.") if answer == "accept" else
              _("You have declined. Thank you for volunteering."), "success")
    return redirect(url_for("council.invitation", key=key))
