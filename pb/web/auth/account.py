"""The account page's own changes: the display name, the email address (confirmed by a link
to the new one), "Download my data" and deleting the account (docs/accounts.md)."""

from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.extensions import limiter
from pb.i18n import translate_error
from pb.services import account_changes, my_data
from pb.web.auth import bp
from pb.web.auth.forms import ConfirmForm, DeleteForm, EmailForm, NameForm
from pb.web.auth.routes import _profile, throttled


@bp.route("/name", methods=["POST"])
@login_required
def change_name() -> Response | tuple[str, int]:
    form = NameForm(prefix="name")
    if form.validate_on_submit():
        try:
            account_changes.do_change_display_name(current_user._get_current_object(),
                                                   form.display_name.data)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your name is now %(name)s.", name=current_user.display_name), "success")
            return redirect(url_for("auth.profile"))
    return _profile(400, name_form=form)


@bp.route("/email", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], on_breach=throttled)
def change_email() -> Response | tuple[str, int]:
    form = EmailForm(prefix="email")
    if form.validate_on_submit():
        try:
            email = account_changes.request_email_change(
                current_user._get_current_object(), form.email.data, form.password.data,
                lambda token: url_for("auth.confirm_email", token=token, _external=True))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("We have sent a link to %(email)s. Open it to start using that address; "
                    "until then your email address stays the same.", email=email), "info")
            return redirect(url_for("auth.profile"))
    return _profile(400, email_form=form)


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> str | Response | tuple[str, int]:
    """Show the new address with a button; only the button changes it (mail scanners open
    links, and must not use them up)."""
    form = ConfirmForm()
    try:
        user, email = account_changes.user_for_email_token(token)
        if form.validate_on_submit():
            account_changes.do_confirm_email(token)
            flash(_("Your email address is now %(email)s.", email=email), "success")
            return redirect(url_for("auth.profile" if current_user.is_authenticated
                                    else "auth.login"))
    except UserError as error:
        return render_template("auth/confirm_email.html", problem=translate_error(error),
                               form=None, email=None), 400
    return render_template("auth/confirm_email.html", problem=None, form=form, email=email,
                           name=user.display_name)


@bp.route("/my-data")
@login_required
def my_data_download() -> Response:
    """Download everything pb holds about me, as JSON."""
    data = my_data.collect(current_user._get_current_object())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-pb-data.json"',
        "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"],
               on_breach=throttled)
def delete_account() -> str | Response | tuple[str, int]:
    """Say what deleting the account does, then do it once the password is given."""
    user = current_user._get_current_object()
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            # Refuses the last admin too, whatever the page showed.
            account_changes.do_delete_account(user, form.password.data,
                                              bool(form.remove_comments.data))
        except UserError as error:
            form.fail(error)
        else:
            logout_user()
            session.clear()
            flash(_("Your account has been deleted, and you are logged out. Thank you for "
                    "taking part."), "success")
            return redirect(url_for("main.index"))
    status = 400 if form.errors or form.form_errors_extra else 200
    return render_template("auth/delete.html", form=form,
                           blocked=account_changes.last_admin(user),
                           counts={"proposals": len(my_data.proposals_of(user)),
                                   "comments": len(my_data.comments_of(user)),
                                   "votes": len(my_data.votes_of(user))}), status
