"""What a proposal page needs to show its discussion: the one entry point the page calls."""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from werkzeug.routing import BuildError

from pb.domain import discussion as rules
from pb.domain.discussion import DiscussionError
from pb.i18n import LOCALES, translate_error
from pb.models import Comment, Proposal
from pb.services import discussion
from pb.web.discussion.forms import CommentForm


def new_form_key() -> str:
    """Return a fresh one-time key for a comment form."""
    return uuid.uuid4().hex


def proposal_url(proposal_id: int, comment_id: int | None = None) -> str:
    """Return the address of the proposal page (the discussion page until it exists)."""
    anchor = f"comment-{comment_id}" if comment_id else "discussion"
    try:
        return url_for("proposals.show", proposal_id=proposal_id, _anchor=anchor)
    except BuildError:
        return url_for("discussion.show", proposal_id=proposal_id, _anchor=anchor)


def closed_message(proposal: Proposal) -> str | None:
    """Return why people cannot comment on the proposal now, or None when they can."""
    try:
        rules.check_open(proposal.round.phase, proposal.status)
    except DiscussionError as error:
        return translate_error(error)
    return None


def thread_context(proposal: Any, viewer: Any, form: CommentForm | None = None) -> dict[str, Any]:
    """Return the template values of the proposal's discussion for `viewer` (None: a visitor).

    The proposal page passes the result to `templates/discussion/_thread.html` as `discussion`.
    """
    viewer = viewer if viewer is not None and getattr(viewer, "is_authenticated", False) \
        else None
    closed = closed_message(proposal)
    if form is None and viewer is not None and closed is None:
        form = CommentForm(formdata=None, form_key=new_form_key())
    return {"proposal": proposal, "nodes": discussion.thread(proposal, viewer),
            "counts": discussion.counts(proposal.id), "closed": closed,
            "form": form if closed is None else None, "viewer": viewer,
            "moderator": discussion.may_moderate(viewer)}


def comment_fragments(comment: Comment) -> dict[str, str]:
    """Render a new comment as every visitor would see it, once per language, for live pages."""
    node = discussion.Node(comment, show_body=True, own=False, can_edit=False)
    open_ = closed_message(comment.proposal) is None
    fragments = {}
    for code in current_app.config["PB_LANGUAGES"]:
        with _request_context(), force_locale(LOCALES.get(code, code)):
            fragments[code] = render_template("discussion/_live_comment.html", node=node,
                                              is_open=open_, moderator=False)
    return fragments


def _request_context() -> Any:
    """Give url_for a request to build links from, when called outside one (the demo)."""
    return nullcontext() if has_request_context() else current_app.test_request_context("/")
