"""Routes for accounts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.extensions import limiter
from pb.services import ServiceError, accounts
from pb.web.auth import bp
from pb.web.auth.forms import ForgotForm, LoginForm, RegisterForm, ResetForm


def _safe_next(target: str | None) -> str:
    """Return `target` only if it is a path on this site; never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.index")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"])
def register() -> str | Response:
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.do_register(form.email.data, form.display_name.data,
                                        form.password.data)
        except UserError as error:
            form.fail(error)
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name),
                  "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors_extra.append(
            _("That email and password do not match an account. Check them, or reset your "
              "password."))
    return render_template("auth/login.html", form=form), 400 if form.all_errors else 200


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"])
def forgot() -> str | Response | tuple[str, int]:
    form = ForgotForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            form.email.data,
            lambda token: url_for("auth.reset", token=token, _external=True))
        flash(_("If an account uses that address, we have sent it a link to choose a new "
                "password. It works for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    try:
        user = accounts.user_from_reset_token(token)
    except ServiceError as error:
        form = ForgotForm()
        form.fail(error)
        return render_template("auth/forgot.html", form=form), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            accounts.do_reset_password(user, form.password.data)
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 400 if form.errors else 200


@bp.route("/")
@login_required
def profile() -> str:
    return render_template("auth/profile.html", user=current_user)
