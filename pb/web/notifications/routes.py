"""Routes for notifications (docs/accounts.md, "Notifications")."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.extensions import csrf
from pb.i18n import select_language
from pb.services import notifications, proposals, rounds
from pb.web.access import viewer
from pb.web.notifications import bp
from pb.web.notifications.forms import FollowForm, MarkReadForm, SettingsForm


@bp.app_context_processor
def unread() -> dict[str, Any]:
    """Give the header the number of unread notifications, counted only when shown."""
    def unread_notifications() -> int:
        user = viewer()
        return notifications.unread_count(user) if user is not None else 0
    def is_following(round: Any = None, proposal: Any = None) -> bool:  # noqa: A002
        return notifications.is_following(viewer(), round_=round, proposal=proposal)

    return {"unread_notifications": unread_notifications, "is_following": is_following}


@bp.route("/notifications/")
@login_required
def index() -> str:
    user = current_user._get_current_object()
    items = [(n, notifications.headline(n.kind, n.params), notifications.detail(n.kind, n.params))
             for n in notifications.latest(user)]
    return render_template("notifications/index.html", items=items, form=MarkReadForm())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read() -> Response:
    if MarkReadForm().validate_on_submit():
        notifications.do_mark_read(current_user._get_current_object())
        flash(_("Every notification is marked read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_one(notification_id: int) -> Response:
    """Mark a notification read and go to what it is about."""
    user = current_user._get_current_object()
    found = notifications.get_notification(user, notification_id)
    if found is None:
        abort(404)
    notifications.do_mark_read(user, found.id)
    # A path on this site, made by the service (never from the request).
    return redirect(found.url if found.url.startswith("/") else url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings() -> tuple[str, int] | Response:
    user = current_user._get_current_object()
    form = SettingsForm(data=notifications.preferences(user))
    if form.validate_on_submit():
        try:
            notifications.do_set_preferences(user, {f.name: f.data for f in form.kinds},
                                             language=select_language())
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.settings"))
    rounds_, proposals_ = notifications.followed(user)
    return render_template("notifications/settings.html", form=form, rounds=rounds_,
                           proposals=proposals_), 400 if form.errors or form.form_errors_extra \
        else 200


@bp.route("/rounds/<int:round_id>/follow", methods=["POST"])
@login_required
def follow_round(round_id: int) -> Response:
    user = current_user._get_current_object()
    round_ = rounds.get_round(round_id, user)
    if round_ is None:
        abort(404)
    form = FollowForm()
    if form.validate_on_submit():
        following = form.follow.data != "0"
        notifications.do_follow(user, following, round_=round_)
        flash(_("You follow this round.") if following else _("You no longer follow this "
                                                               "round."), "success")
    return redirect(url_for("rounds.show", round_id=round_.id))


@bp.route("/proposals/<int:proposal_id>/follow", methods=["POST"])
@login_required
def follow_proposal(proposal_id: int) -> Response:
    user = current_user._get_current_object()
    proposal = proposals.get_proposal(proposal_id, user)
    if proposal is None:
        abort(404)
    form = FollowForm()
    if form.validate_on_submit():
        following = form.follow.data != "0"
        notifications.do_follow(user, following, proposal=proposal)
        flash(_("You follow this proposal.") if following else _("You no longer follow this "
                                                                 "proposal."), "success")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))


# One-click unsubscribe (RFC 8058): mail programs POST to the link with no session and no
# CSRF token; the signed token in the address is the only key, and it can only switch
# emails off.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> tuple[str, int]:
    found = notifications.unsubscribe_target(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", bad=True), 400
    person, kind = found
    done = False
    if request.method == "POST":
        notifications.do_unsubscribe(token)
        done = True
    label = notifications.KIND_LABELS.get(kind)
    return render_template("notifications/unsubscribe.html", bad=False, done=done,
                           label=label, email=person.email, token=token), 200
