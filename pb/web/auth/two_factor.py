"""Routes for two-factor login: the code after the password, enrolment, recovery codes, and
turning it off. The rules and the records are `pb.services.two_factor`'s."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.domain.two_factor import format_secret
from pb.extensions import limiter
from pb.i18n import translate_error
from pb.services import ServiceError, accounts, two_factor
from pb.web.auth import bp
from pb.web.auth.forms import CodeForm, DisableForm, EnrolForm
from pb.web.auth.routes import PENDING, pending_user, renew_session, start_session, throttled
from pb.web.fragments import qr_svg


def _pending_account() -> str:
    """Key the code page's limit by the account being logged in to, so guesses spread over
    many addresses still meet one limit."""
    pending = session.get(PENDING) or {}
    return "two-factor:" + str(pending.get("user", "none")).partition(":")[0]


def _shown_once(template: str, **context: object) -> Response:
    """Render a page with secrets on it that no cache may keep."""
    response = current_app.make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"],
               on_breach=throttled)
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"],
               key_func=_pending_account, on_breach=throttled)
def second_factor() -> str | Response | tuple[str, int]:
    user, pending = pending_user()
    if user is None:
        if session.pop(PENDING, None) is not None:
            flash(_("Log in again: it is more than ten minutes since you typed your "
                    "password."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            how = two_factor.do_verify(user, form.code.data)
        except ServiceError as error:
            form.fail(error)
        else:
            start_session(user, remember=bool(pending.get("remember")))
            accounts.logged_in(user, second_factor=how)
            flash(_("You are logged in."), "success")
            if how == "recovery":
                flash(_("You used a recovery code. Recovery codes left: %(n)d. You can make "
                        "new ones on your account page.",
                        n=two_factor.recovery_codes_left(user)), "info")
            return redirect(pending.get("next") or url_for("main.index"))
    return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200


@bp.route("/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@login_required
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"],
               on_breach=throttled)
def two_factor_page() -> str | Response | tuple[str, int]:
    if current_user.two_factor_enabled:
        return redirect(url_for("auth.profile"))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.do_confirm_enrolment(current_user, form.code.data)
        except ServiceError as error:
            form.fail(error)
        else:
            renew_session(current_user._get_current_object())
            flash(_("Two-factor login is on. From now on, logging in asks for a code."),
                  "success")
            return _shown_once("auth/recovery_codes.html", codes=codes)
    secret = two_factor.do_start_enrolment(current_user)
    uri = two_factor.enrolment_uri(current_user)
    page = render_template(
        "auth/enrol.html", form=form, secret=format_secret(secret), uri=uri,
        qr=qr_svg(uri, _("QR code to scan with your authenticator app")),
        required=two_factor.required(current_user))
    response = current_app.make_response((page, 400 if form.errors else 200))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], on_breach=throttled)
def new_recovery_codes() -> str | Response | tuple[str, int]:
    form = CodeForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = two_factor.do_regenerate_recovery_codes(current_user, form.code.data)
        except ServiceError as error:
            flash(_("Your recovery codes stay as they were.") + " " + translate_error(error),
                  "error")
        else:
            flash(_("Here are your new recovery codes; the old ones no longer work."),
                  "success")
            return _shown_once("auth/recovery_codes.html", codes=codes)
    else:
        flash(_("Enter a code from your app to make new recovery codes."), "error")
    return redirect(url_for("auth.profile"))


@bp.route("/two-factor/off", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], on_breach=throttled)
def turn_off_two_factor() -> Response:
    form = DisableForm(prefix="off")
    if form.validate_on_submit():
        try:
            two_factor.do_disable(current_user._get_current_object(), form.proof.data,
                                  end_others=bool(form.end_others.data))
        except ServiceError as error:
            flash(_("Two-factor login stays on.") + " " + translate_error(error), "error")
        else:
            flash(_("Two-factor login is off. Logging in asks only for your password."),
                  "info")
            if form.end_others.data:
                flash(_("Your other devices are logged out."), "info")
    else:
        flash(_("Enter your password or a code from your app to turn two-factor login off."),
              "error")
    return redirect(url_for("auth.profile"))
