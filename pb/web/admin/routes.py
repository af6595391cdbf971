"""Routes for admins."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.domain.roles import ADMIN
from pb.i18n import translate_error
from pb.services import accounts, audit, login_sessions, mail
from pb.web.admin import bp
from pb.web.admin.forms import ConfirmForm, RoleForm


@bp.before_request
@login_required
def admins_only() -> Any:
    if not current_user.has_role(ADMIN):
        abort(403)
    return None


@bp.route("/users")
def users() -> str:
    query = request.args.get("q", "")[:100]
    return render_template("admin/users.html", users=accounts.search_users(query), query=query,
                           form=RoleForm())


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
def roles(user_id: int) -> Response:
    user = accounts.get_user(user_id) or abort(404)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "revoke":
                accounts.do_revoke_role(current_user, user, form.role.data)
                flash(_("Role removed from %(name)s.", name=user.display_name), "success")
            else:
                accounts.do_grant_role(current_user, user, form.role.data)
                flash(_("Role given to %(name)s.", name=user.display_name), "success")
        except UserError as error:
            flash(translate_error(error), "error")
    else:
        flash(_("Choose a role from the list."), "error")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


@bp.route("/users/<int:user_id>/sessions", methods=["POST"])
def end_sessions(user_id: int) -> Response:
    """End every session of one person: a lost phone, a staff member leaving."""
    user = accounts.get_user(user_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        ended = login_sessions.do_end_by_admin(current_user._get_current_object(), user)
        flash(_("Sessions of %(name)s ended: %(n)d. They log in again to carry on.",
                name=user.display_name, n=ended), "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


@bp.route("/outbox")
def outbox() -> str:
    return render_template("admin/outbox.html", messages=mail.outbox(limit=100))


@bp.route("/audit")
def audit_log() -> str:
    return render_template("admin/audit.html", entries=audit.entries(limit=300))
