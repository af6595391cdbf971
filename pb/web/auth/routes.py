"""Routes for accounts: register, log in (the password; `two_factor` asks for the code),
log out here or everywhere, reset or change a password, the account page and its list of
sessions (docs/accounts.md)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from pb.domain.errors import UserError
from pb.extensions import limiter
from pb.i18n import select_language
from pb.models import AccountSession, User
from pb.services import (
    ServiceError,
    accounts,
    login_sessions,
    my_data,
    notifications,
    rounds,
    security_log,
    two_factor,
)
from pb.web.auth import bp
from pb.web.auth.forms import (
    CodeForm,
    ConfirmForm,
    DisableForm,
    EmailForm,
    EndSessionsForm,
    ForgotForm,
    LoginForm,
    NameForm,
    PasswordForm,
    RegisterForm,
    ResetForm,
)

# Between the password and the code: who, since when, and where to go after.
PENDING = "pb_pending_login"
PENDING_SECONDS = 600
# Pages a staff account that must enrol in two-factor login can still open.
# Health checks answer whoever asks, without loading an account (or reaching the database).
_OPEN_WHILE_ENROLLING = frozenset({"auth.two_factor", "auth.logout", "static", "main.health",
                                   "main.ready", "main.service_worker", "main.manifest",
                                   "main.offline"})


def throttled(limit: RequestLimit) -> None:
    """Log a refused burst of logins or codes (the 429 page says to wait)."""
    pending = session.get(PENDING) or {}
    account = str(pending.get("user", "")).partition(":")[0]
    security_log.event("login.throttled", account=int(account) if account.isdigit() else None,
                       page=request.endpoint, address=request.remote_addr)


def start_session(user: User, remember: bool = False) -> None:
    """Log `user` in on a fresh session: whatever the old one held (a planted cookie, a
    visitor's leftovers) is dropped first, so no session from before the login carries it."""
    session.clear()
    # Flask-WTF caches this request's CSRF token, made from the session just cleared; a page
    # rendered now must get one the new session can check.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    # A session kept at the server, whose token both cookies carry (`User.get_id`).
    accounts.start_session(user, request.user_agent.string)
    notifications.do_remember_language(user, select_language())  # the language of emails
    login_user(user, remember=remember)


def renew_session(user: User) -> None:
    """Log `user` in again on this device after their session generation changed (the
    other devices stay logged out), keeping "Keep me logged in" if it was chosen."""
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    start_session(user, remember=name in request.cookies)


def _safe_next(target: str | None) -> str:
    """Return `target` only if it is a path on this site; never an open redirect."""
    # Browsers drop tabs and newlines from addresses ("/\t/evil" is "//evil"): refuse any.
    if target and target.startswith("/") and not target.startswith("//") \
            and not any(c.isspace() or not c.isprintable() for c in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.index")


def _why(target: str) -> str | None:
    """Say why someone going to `target` (a safe path) was asked to log in first."""
    if target == url_for("main.index"):
        return None
    try:
        endpoint, args = current_app.url_map.bind("localhost").match(
            urlsplit(target).path, method="GET")
    except HTTPException:
        return None
    if endpoint == "voting.ballot":
        round_ = rounds.get_round(args["round_id"], current_user)
        if round_ is not None:
            return _("Log in to vote in %(round)s.", round=round_.title)
    if endpoint == "proposals.new":
        return _("Log in to propose a project.")
    if endpoint.startswith("discussion."):
        return _("Log in to join the discussion.")
    return _("Log in to carry on. You will come back to the page you were on.")


def _next_args() -> dict[str, str]:
    """Return `next` to carry on to the next page of logging in or registering, when safe."""
    target = _safe_next(request.args.get("next"))
    return {"next": target} if target != url_for("main.index") else {}


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
            start_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name),
                  "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form, why=_why(_safe_next(
        request.args.get("next"))), next_args=_next_args()), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"],
               on_breach=throttled)
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None and user.two_factor_enabled:
            session.clear()
            session[PENDING] = {"user": accounts.pending_id(user), "since": time.time(),
                                "remember": bool(form.remember.data),
                                "next": _safe_next(request.args.get("next"))}
            return redirect(url_for("auth.second_factor"))
        if user is not None:
            start_session(user, remember=form.remember.data)
            accounts.logged_in(user)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors_extra.append(
            _("That email and password do not match an account. Check them, or reset your "
              "password."))
    return render_template("auth/login.html", form=form, why=_why(_safe_next(
        request.args.get("next"))), next_args=_next_args()), 400 if form.all_errors else 200


def pending_user() -> tuple[User | None, dict[str, Any]]:
    """Return who typed their password on this device and still owes a code, if anyone."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None, {}
    return accounts.user_for_pending(str(pending.get("user", ""))), pending


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        # Ended at the server: a copy of this device's cookies logs nobody in from now on.
        accounts.do_log_out(current_user._get_current_object())
    logout_user()
    session.pop(PENDING, None)
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        accounts.do_log_out_everywhere(current_user)
        logout_user()
        session.clear()
        flash(_("You are logged out on every device, this one too. Log in again to carry on."),
              "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.profile"))


@bp.before_app_request
def enrol_staff_first() -> Response | None:
    """Where the site requires two-factor login for staff (PB_REQUIRE_TWO_FACTOR), send an
    admin or officer who has not enrolled to enrolment from every page but logging out."""
    if not current_app.config["PB_REQUIRE_TWO_FACTOR"] or request.endpoint in (
            _OPEN_WHILE_ENROLLING):
        return None
    if current_user.is_authenticated and two_factor.needs_enrolment(current_user):
        if request.method == "GET":
            flash(_("This site asks staff to use two-factor login. Set it up to carry on."),
                  "info")
        return redirect(url_for("auth.two_factor"))
    return None


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], methods=["POST"],
               on_breach=throttled)
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


def device(row: AccountSession) -> str:
    """Say in a few words which device a session is on ("Firefox on Windows")."""
    if row.browser and row.system:
        return _("%(browser)s on %(system)s", browser=row.browser, system=row.system)
    if row.browser:
        return _("%(browser)s on an unknown system", browser=row.browser)
    if row.system:
        return _("A browser on %(system)s", system=row.system)
    return _("An unknown device")


def _profile(status: int = 200, **forms: Any) -> tuple[str, int]:
    user = current_user._get_current_object()
    this = login_sessions.current(user)
    sessions = login_sessions.active(user)
    end_form = forms.get("end_form") or EndSessionsForm(prefix="end")
    if not user.two_factor_enabled:
        end_form.proof.label.text = _("Your password")
    page = render_template(
        "auth/profile.html", user=user, everywhere=ConfirmForm(),
        codes_form=CodeForm(prefix="codes"),
        disable_form=forms.get("disable_form") or DisableForm(prefix="off"),
        password_form=forms.get("password_form") or PasswordForm(prefix="pw"),
        name_form=forms.get("name_form") or NameForm(prefix="name", data={
            "display_name": user.display_name}),
        email_form=forms.get("email_form") or EmailForm(prefix="email"),
        my_proposals=my_data.proposals_of(user), my_comments=my_data.comments_of(user),
        my_votes=my_data.votes_of(user),
        end_form=end_form, sessions=sessions, this_session=this.id if this else None,
        device=device, codes_left=two_factor.recovery_codes_left(user),
        may_disable=user.two_factor_enabled and not two_factor.required(user))
    return page, status


@bp.route("/")
@login_required
def profile() -> tuple[str, int]:
    return _profile()


@bp.route("/password", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], on_breach=throttled)
def change_password() -> Response | tuple[str, int]:
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            ended = accounts.do_change_password(
                current_user._get_current_object(), form.current.data, form.password.data,
                end_others=bool(form.end_others.data))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your password has been changed."), "success")
            if form.end_others.data:
                flash(_("Your other devices are logged out (sessions ended: %(n)d).",
                        n=ended), "info")
            return redirect(url_for("auth.profile"))
    return _profile(400, password_form=form)


@bp.route("/sessions", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["PB_LOGIN_LIMIT"], on_breach=throttled)
def end_sessions() -> Response | tuple[str, int]:
    form = EndSessionsForm(prefix="end")
    user = current_user._get_current_object()
    if form.validate_on_submit():
        everything = form.scope.data == "others"
        if not everything and not form.session.data:
            form.session.errors = [_("Tick the sessions to end, or choose to end all other "
                                     "sessions.")]
        else:
            try:
                two_factor.check_proof(user, form.proof.data, purpose="sessions")
            except ServiceError as error:
                form.fail(error)
            else:
                ended = login_sessions.do_end_own(
                    user, None if everything else form.session.data)
                flash(_("Sessions ended: %(n)d. Those devices are logged out.", n=ended),
                      "success")
                return redirect(url_for("auth.profile", _anchor="sessions"))
    return _profile(400, end_form=form)
