"""Routes for discussing proposals: post, reply, edit, flag, moderate, and the public log."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.domain import discussion as rules
from pb.domain.errors import UserError
from pb.domain.values import parse_id
from pb.models import Comment, Proposal
from pb.services import discussion
from pb.web.access import viewer
from pb.web.discussion import bp
from pb.web.discussion.forms import CommentForm, EditForm, FlagForm, ModerateForm
from pb.web.discussion.thread import new_form_key, proposal_url, thread_context


def _proposal_or_404(proposal_id: int) -> Proposal:
    return discussion.get_proposal(proposal_id, viewer()) or abort(404)


def _comment_or_404(comment_id: int) -> Comment:
    return discussion.get_comment(comment_id, viewer()) or abort(404)


@bp.route("/discussion/proposals/<int:proposal_id>")
def show(proposal_id: int) -> str:
    """Show a proposal's discussion on its own (the proposal page includes the same thread)."""
    proposal = _proposal_or_404(proposal_id)
    return render_template("discussion/show.html", proposal=proposal,
                           discussion=thread_context(proposal, viewer()),
                           back=proposal_url(proposal.id))


@bp.route("/discussion/proposals/<int:proposal_id>/comments", methods=["POST"])
@login_required
def post(proposal_id: int) -> Any:
    """Post a comment or a reply; on a refusal, show the form again with what was typed."""
    proposal = _proposal_or_404(proposal_id)
    form = CommentForm()
    parent_id = parse_id(form.parent_id.data)
    if form.parent_id.data and parent_id is None:
        abort(400)
    data = discussion.PostData(stance=form.stance.data, body=form.body.data,
                               form_key=form.form_key.data, parent_id=parent_id)
    try:
        comment, created = discussion.do_post(current_user, proposal, data)
    except UserError as error:
        form.fail(error)
        if error.field in ("stance", "body"):
            _other_field_errors(form, error.field)
        if not (form.form_key.data or "").strip():
            form.form_key.data = new_form_key()
        return _compose(proposal, form, _parent(parent_id)), 400
    flash(_("Your comment was posted.") if created else
          _("Your comment had already been posted; it was not posted twice."), "success")
    return redirect(proposal_url(proposal.id, comment.id))


def _other_field_errors(form: CommentForm | EditForm, reported: str) -> None:
    """Show every field's problem at once, not one per attempt."""
    for name, check in (("stance", rules.check_stance), ("body", rules.check_body)):
        if name != reported:
            try:
                check(getattr(form, name).data)
            except UserError as error:
                form.fail(error)


@bp.route("/discussion/comments/<int:comment_id>/reply")
@login_required
def reply(comment_id: int) -> Any:
    """Show the form to reply to one comment (a page of its own: works without JavaScript)."""
    parent = _comment_or_404(comment_id)
    form = CommentForm(formdata=None, form_key=new_form_key(), parent_id=str(parent.id))
    return _compose(parent.proposal, form, parent)


def _compose(proposal: Proposal, form: CommentForm, parent: Comment | None) -> str:
    return render_template("discussion/compose.html", proposal=proposal, form=form,
                           parent=parent, back=proposal_url(proposal.id))


def _parent(parent_id: int | None) -> Comment | None:
    return discussion.find_comment(parent_id) if parent_id is not None else None


@bp.route("/discussion/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int) -> Any:
    """Let the author correct a comment within the edit window."""
    comment = _comment_or_404(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form = EditForm(obj=comment)
    if request.method == "POST":
        try:
            discussion.do_edit(current_user, comment, form.stance.data, form.body.data)
        except UserError as error:
            form.fail(error)
            if error.field in ("stance", "body"):
                _other_field_errors(form, error.field)
        else:
            flash(_("Your comment was changed; it is marked as edited."), "success")
            return redirect(proposal_url(comment.proposal_id, comment.id))
    return render_template("discussion/edit.html", comment=comment, form=form,
                           back=proposal_url(comment.proposal_id, comment.id)), _status(form)


@bp.route("/discussion/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@login_required
def flag(comment_id: int) -> Any:
    """Ask moderators to look at a comment, with a reason."""
    comment = _comment_or_404(comment_id)
    form = FlagForm()
    if request.method == "POST":
        try:
            discussion.do_flag(current_user, comment, form.reason.data)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Thank you. A moderator will look at the comment."), "success")
            return redirect(proposal_url(comment.proposal_id, comment.id))
    return render_template("discussion/flag.html", comment=comment, form=form,
                           back=proposal_url(comment.proposal_id, comment.id)), _status(form)


@bp.route("/discussion/comments/<int:comment_id>/moderate", methods=["GET", "POST"])
@login_required
def moderate(comment_id: int) -> Any:
    """Let an officer hide a comment, or show it again, with a public reason."""
    if not discussion.may_moderate(current_user):
        abort(403)
    comment = _comment_or_404(comment_id)
    form = ModerateForm()
    action = discussion.UNHIDE if comment.hidden else discussion.HIDE
    if request.method == "POST":
        if request.form.get("action") == "dismiss":
            discussion.do_dismiss_flags(current_user, comment)
            flash(_("The flags were marked as dealt with; the comment stays visible."),
                  "success")
            return redirect(url_for("discussion.moderation"))
        try:
            discussion.do_moderate(current_user, comment, request.form.get("action", ""),
                                   form.reason.data)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The comment was hidden; the reason is shown in its place.")
                  if comment.hidden else _("The comment is visible again."), "success")
            return redirect(proposal_url(comment.proposal_id, comment.id))
    return render_template("discussion/moderate.html", comment=comment, form=form,
                           action=action, flags=discussion.flags_of(comment),
                           back=proposal_url(comment.proposal_id, comment.id)), _status(form)


@bp.route("/moderation")
def moderation() -> str:
    """Show the public moderation log, and the flags waiting for officers."""
    officer = discussion.may_moderate(viewer())
    return render_template("discussion/moderation.html", log=discussion.moderation_log(),
                           waiting=discussion.open_flags() if officer else None,
                           proposal_url=proposal_url)


def _status(form: Any) -> int:
    return 400 if form.all_errors else 200
