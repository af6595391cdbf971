"""Routes for photos and papers: manage a proposal's photos, hide one, add and remove PDF
papers, serve the stored files, and the visitor's low-data choice."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.domain import pictures as rules
from pb.domain.errors import N_, UserError
from pb.models import Paper, Proposal, ProposalPicture
from pb.services import papers, picture_jobs, pictures, proposals, rounds, storage
from pb.services.council import councils
from pb.web.access import managers_only, viewer
from pb.web.errors import render_error
from pb.web.forms import texts_of, with_languages
from pb.web.helpers import reader_language, shown
from pb.web.pictures import bp
from pb.web.pictures.forms import HidePictureForm, PaperForm, PictureForm

LOW_DATA = "pb_low_data"
YEAR = 365 * 24 * 3600


def low_data() -> bool:
    """Tell whether this visitor asked for fewer bytes: their browser's Save-Data header, or
    the "Hide photos" switch on the listing."""
    if LOW_DATA in session:
        return bool(session[LOW_DATA])
    return request.headers.get("Save-Data", "").strip().lower() == "on"


def _may_add_photos(proposal: Proposal) -> bool:
    return pictures.may_add(viewer(), proposal)


def _proposal_photos(proposal: Proposal) -> list[ProposalPicture]:
    """The photos a visitor sees on the proposal: those still being prepared (or failed) only
    when they may add photos to it."""
    return pictures.shown(proposal, viewer(), everyone=False)


def _picture_alt(picture: ProposalPicture) -> Any:
    return shown(picture, "alt")


# Globals, not a context processor: macros imported without context use them too.
for _name, _function in (("low_data", low_data), ("picture_thumbnails", pictures.thumbnails),
                         ("proposal_photos", _proposal_photos),
                         ("picture_alt", _picture_alt), ("reader_language", reader_language),
                         ("may_add_photos", _may_add_photos),
                         ("round_papers", papers.of_round),
                         ("referral_papers", papers.of_referral)):
    bp.add_app_template_global(_function, _name)


@bp.after_app_request
def vary_on_save_data(response: Any) -> Any:
    if response.mimetype == "text/html":
        response.vary.add("Save-Data")
    return response


@bp.errorhandler(413)
def too_large(error: Exception) -> Any:
    """Say how large a photo or a paper may be (the request was over the upload limit)."""
    return render_error(413, _("A photo or a PDF paper can be up to %(max)d MB. Make it "
                               "smaller (a phone can send a smaller copy) and try again.",
                               max=rules.UPLOAD_MAX_BYTES // (1024 * 1024)))


def _proposal_or_404(proposal_id: int) -> Proposal:
    return proposals.get_proposal(proposal_id, viewer()) or abort(404)


def _allow_upload() -> None:
    """Let this request carry a photo or a PDF: larger than other forms may be."""
    request.max_content_length = current_app.config["PB_UPLOAD_MAX_CONTENT_LENGTH"]


@bp.route("/proposals/<int:proposal_id>/photos", methods=["GET", "POST"])
@login_required
def manage(proposal_id: int) -> Any:
    if request.method == "POST":
        _allow_upload()
    proposal = _proposal_or_404(proposal_id)
    may_add = pictures.may_add(current_user, proposal)
    if not (may_add or current_user.manages_rounds):
        abort(403)
    form = _picture_form()()
    if form.validate_on_submit():
        try:
            if not form.file.data:
                raise UserError(N_("Choose a photo to add."), field="file")
            picture_jobs.do_add(current_user, proposal, form.contents(),
                                texts_of(form, ["alt"], _languages()))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The photo was received and is being prepared: it shows on the proposal "
                    "when ready, without its location or camera details."), "success")
            return redirect(url_for("pictures.manage", proposal_id=proposal.id))
    return _manage_page(proposal, form, may_add)


def _languages() -> dict[str, str]:
    return current_app.config["PB_LANGUAGES"]


def _picture_form() -> type[PictureForm]:
    """The photo form with its description in each content language, side by side."""
    return with_languages(PictureForm, ["alt"], _languages())  # type: ignore[return-value]


@bp.route("/photos/<int:picture_id>/status")
@login_required
def status(picture_id: int) -> Any:
    """A photo's state while it is prepared, as JSON, for its uploader and officers (the
    page's script asks every two seconds; without it, the page's "Check again" link)."""
    picture, proposal = _picture_or_404(picture_id)
    if not (pictures.may_add(current_user, proposal) or current_user.manages_rounds):
        abort(403)
    found = picture_jobs.poll(picture)
    failure = found.pop("failure")
    found["message"] = _(failure) if failure else None
    response = jsonify(found)
    response.cache_control.no_store = True
    return response


def _manage_page(proposal: Proposal, form: PictureForm, may_add: bool,
                 hide_form: HidePictureForm | None = None) -> Any:
    status = 400 if form.all_errors or (hide_form and hide_form.all_errors) else 200
    return render_template("pictures/manage.html", proposal=proposal, round=proposal.round,
                           form=form, listed=pictures.shown(proposal), may_add=may_add,
                           hide_form=hide_form or HidePictureForm(),
                           moderates=current_user.manages_rounds), status


def _picture_or_404(picture_id: int) -> tuple[ProposalPicture, Proposal]:
    picture = pictures.get_picture(picture_id) or abort(404)
    return picture, _proposal_or_404(picture.proposal_id)


@bp.route("/photos/<int:picture_id>/remove", methods=["POST"])
@login_required
def remove(picture_id: int) -> Any:
    picture, proposal = _picture_or_404(picture_id)
    if not pictures.may_add(current_user, proposal):
        abort(403)
    form = HidePictureForm()  # only its CSRF token is used
    if form.validate_on_submit():
        pictures.do_remove(current_user, picture)
        flash(_("The photo was removed from the proposal. Earlier revisions still show it."),
              "success")
    return redirect(url_for("pictures.manage", proposal_id=proposal.id))


@bp.route("/photos/<int:picture_id>/moderate", methods=["POST"])
@managers_only
def moderate(picture_id: int) -> Any:
    picture, proposal = _picture_or_404(picture_id)
    form = HidePictureForm()
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "unhide":
                pictures.do_unhide(current_user, picture)
                flash(_("The photo is shown again."), "success")
            else:
                pictures.do_hide(current_user, picture, form.reason.data or "")
                flash(_("The photo is hidden; its reason is shown in its place."), "success")
        except UserError as error:
            form.fail(error, form.reason)
        else:
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return _manage_page(proposal, _picture_form()(formdata=None),
                        pictures.may_add(current_user, proposal), form)


@bp.route("/media/<name>")
def file(name: str) -> Any:
    path = storage.path_of(name)
    if path is None or not name.endswith(".webp") or not pictures.servable(name, viewer()):
        abort(404)
    response = send_file(path, mimetype=storage.content_type(name), max_age=YEAR,
                         conditional=True, etag=name.split(".")[0])
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.route("/papers/<int:paper_id>/<name>")
def paper(paper_id: int, name: str) -> Any:
    found = papers.get_paper(paper_id) or abort(404)
    _owner_or_404(found)
    path = storage.path_of(f"{found.key}.pdf") or abort(404)
    from pb.domain.pictures import download_name  # noqa: PLC0415

    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=download_name(found.title), max_age=YEAR,
                         conditional=True, etag=found.key)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def _owner_or_404(paper_: Paper) -> Any:
    if paper_.round_id is not None:
        return rounds.get_round(paper_.round_id, viewer()) or abort(404)
    return councils.get_referral(paper_.referral_id or 0) or abort(404)


@bp.route("/rounds/<int:round_id>/papers", methods=["GET", "POST"])
@managers_only
def round_papers(round_id: int) -> Any:
    if request.method == "POST":
        _allow_upload()
    round_ = rounds.get_round(round_id, viewer()) or abort(404)
    return _papers_page(round_, papers.of_round(round_.id), round_.title,
                        url_for("rounds.show", round_id=round_.id))


@bp.route("/councils/referrals/<int:referral_id>/papers", methods=["GET", "POST"])
@managers_only
def referral_papers(referral_id: int) -> Any:
    if request.method == "POST":
        _allow_upload()
    referral = councils.get_referral(referral_id) or abort(404)
    return _papers_page(referral, papers.of_referral(referral.id), referral.question,
                        url_for("council.referral", referral_id=referral.id))


def _papers_page(owner: Any, listed: list[Paper], owner_title: str, back: str) -> Any:
    form = PaperForm()
    if form.validate_on_submit():
        try:
            if not form.file.data:
                raise UserError(N_("Choose the PDF file to add."), field="file")
            papers.do_add(current_user, owner, form.title.data or "", form.contents())
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The paper was added. Anyone can download it from the page."), "success")
            return redirect(request.path)
    return render_template("pictures/papers.html", form=form, papers=listed,
                           owner_title=owner_title, back=back,
                           remove_form=HidePictureForm()), 400 if form.all_errors else 200


@bp.route("/papers/<int:paper_id>/remove", methods=["POST"])
@managers_only
def remove_paper(paper_id: int) -> Any:
    found = papers.get_paper(paper_id) or abort(404)
    _owner_or_404(found)
    where = url_for("pictures.round_papers", round_id=found.round_id) if found.round_id \
        else url_for("pictures.referral_papers", referral_id=found.referral_id)
    if HidePictureForm().validate_on_submit():
        papers.do_remove(current_user, found)
        flash(_("The paper was removed."), "success")
    return redirect(where)


@bp.route("/low-data", methods=["POST"])
def set_low_data() -> Any:
    if HidePictureForm().validate_on_submit():
        session[LOW_DATA] = request.form.get("on") == "1"
    return redirect(_same_site(request.form.get("next")))


def _same_site(target: str | None) -> str:
    """Return `target` only if it is a path on this site; never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not any(c.isspace() or not c.isprintable() for c in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.index")
