"""The phone's pages: join by code, then score, ask and up-vote, with or without JavaScript.

With its script the page talks over the `/live` namespace and keeps the participant token in
localStorage. Without it, the forms below post here: the token is kept in the (signed)
session cookie under `live`, so each phone is one participant either way, and every answer
redirects back to the page (post/redirect/get) with a message saying what was stored.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pb.domain import live as rules
from pb.domain.eligibility import show_code
from pb.domain.errors import N_, UserError
from pb.extensions import limiter
from pb.i18n import translate_error
from pb.models import LiveSession
from pb.services import ServiceError, live
from pb.web.access import viewer
from pb.web.live import bp
from pb.web.live.forms import AskForm, CardForm, CodeForm, ScoreForm, UpvoteForm
from pb.web.live.routes import page_context

SESSION_KEY = "live"
REMEMBERED = 20  # sessions a browser keeps tokens for


def _eligibility_limit() -> str:
    return str(current_app.config["PB_ELIGIBILITY_LIMIT"])


def _failed(response: Response) -> bool:
    """Count only refused codes against the limit: a hall of phones on one address is never
    locked out by its own right answers."""
    return response.status_code >= 400


def _token(live_session: LiveSession) -> str | None:
    token = (session.get(SESSION_KEY) or {}).get(live_session.join_code)
    return token if isinstance(token, str) else None


def _keep(live_session: LiveSession, token: str) -> None:
    known = {k: v for k, v in (session.get(SESSION_KEY) or {}).items()
             if k != live_session.join_code}
    session[SESSION_KEY] = dict([*list(known.items())[-(REMEMBERED - 1):],
                                 (live_session.join_code, token)])


def _participant(live_session: LiveSession) -> live.Seat | None:
    return live.rejoin(live_session, _token(live_session))


def _participant_or_join(live_session: LiveSession) -> live.Seat:
    """Return this browser's participant, letting it in first when the session allows."""
    participant = _participant(live_session)
    if participant is not None:
        return participant
    if live_session.access == "cards":
        raise ServiceError(N_("Type the voting code from your card first."), field="card")
    participant, token = live.do_join(
        live_session, user=viewer())
    _keep(live_session, token)
    return participant


def _wrong_code(code: str, error: UserError) -> tuple[str, int]:
    form = CodeForm()
    form.code.data = code[:20]
    form.fail(error)
    return render_template("live/join.html", form=form), 404


def _mine(live_session: LiveSession, participant: live.Seat | None) -> dict[str, int]:
    """Return this phone's scores by proposal id (1 for support, in approval sessions)."""
    mine = live.my_scores(live_session, participant)
    if isinstance(mine, dict):
        return {str(k): int(v) for k, v in mine.items()}
    return {str(pid): 1 for pid in mine or []}


def _phone_page(live_session: LiveSession, *, ask_form: AskForm | None = None,
                card_form: CardForm | None = None, problem: str | None = None,
                status: int = 200) -> tuple[str, int]:
    participant = _participant(live_session)
    state = live.snapshot(live_session)
    score_form = ScoreForm()
    score_form.key.data = secrets.token_urlsafe(18)  # a fresh key each time the page is shown
    return render_template(
        "live/phone.html", score_form=score_form, ask_form=ask_form or AskForm(),
        card_form=card_form or CardForm(), upvote_form=UpvoteForm(), problem=problem,
        participant_token=_token(live_session) if participant else None,
        mine=_mine(live_session, participant),
        my_questions=live.my_questions(live_session, participant),
        needs_login=live_session.access == "accounts" and not current_user.is_authenticated,
        needs_card=live_session.access == "cards" and participant is None,
        **page_context(live_session, state)), status


def _back(live_session: LiveSession, anchor: str = "") -> Response:
    return redirect(url_for("live.join_code", code=live_session.join_code) + anchor, 303)


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_eligibility_limit, methods=["POST"], deduct_when=_failed)
def join() -> Any:
    """Type the session code from the screen (the QR code skips this page)."""
    form = CodeForm()
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:20]
        return render_template("live/join.html", form=form)
    if form.validate_on_submit():
        try:
            found = live.by_code(form.code.data or "")
        except UserError as error:
            form.fail(error)
        else:
            return redirect(url_for("live.join_code", code=found.join_code), 303)
    return render_template("live/join.html", form=form), 400


@bp.route("/j/<code>")
@limiter.limit(_eligibility_limit, deduct_when=_failed)
def join_code(code: str) -> Any:
    """The phone's page for a session: what is on now, and the score and question forms."""
    try:
        found = live.by_code(code)
    except UserError as error:
        return _wrong_code(code, error)
    if code != found.join_code:  # typed in small letters or with a dash: one address each
        return redirect(url_for("live.join_code", code=found.join_code))
    return _phone_page(found)


def _found(code: str) -> LiveSession | tuple[str, int]:
    try:
        return live.by_code(code)
    except UserError as error:
        return _wrong_code(code, error)


@bp.route("/j/<code>/enter", methods=["POST"])
@limiter.limit(_eligibility_limit, deduct_when=_failed)
def enter(code: str) -> Any:
    """Join with a printed voting code (sessions for card holders)."""
    found = _found(code)
    if not isinstance(found, LiveSession):
        return found
    form = CardForm()
    if form.validate_on_submit():
        try:
            token = live.do_join(
                found, user=viewer(),
                card=form.card.data or "")[1]
        except UserError as error:
            form.fail(error, form.card)
        else:
            _keep(found, token)
            flash(_("You are in. Scores open when the facilitator says so."), "success")
            return _back(found)
    return _phone_page(found, card_form=form, status=400)


@bp.route("/j/<code>/score", methods=["POST"])
def score(code: str) -> Any:
    """Store one score (or support) from a phone without JavaScript, and show the receipt."""
    found = _found(code)
    if not isinstance(found, LiveSession):
        return found
    form = ScoreForm()
    if not form.validate_on_submit():
        return _phone_page(found, problem=_("The page had expired; tap your score again."),
                           status=400)
    pid, value = form.proposal.data, form.score.data
    titles = {i.proposal_id: i.proposal.title for i in found.items}
    try:
        if pid not in titles:
            raise ServiceError(N_("That project is not on tonight's agenda."))
        if value is None:
            raise ServiceError(N_("Choose a score before you send it."))
        participant = _participant_or_join(found)
        if found.method == "approval" and value == 0:
            flash(_not_supported(found, participant, str(pid), titles[pid]), "success")
            return _back(found, f"#pitch-{pid}")
        items: Any = [str(pid)] if found.method == "approval" else {str(pid): value}
        # One key per page, pitch and score: a retried tap stores once, another score stores.
        key = f"{(form.key.data or '')[:40]}-{pid}-{value}"
        cast = live.do_score(found, participant, items, key)
    except UserError as error:
        return _phone_page(found, problem=translate_error(error), status=400)
    receipt = show_code(cast.receipt)
    if found.method == "approval":
        flash(_("Your support for “%(title)s” is in. Receipt: %(receipt)s",
                title=titles[pid], receipt=receipt), "success")
    else:
        flash(_("Your score of %(score)d for “%(title)s” is in. Receipt: %(receipt)s",
                score=value, title=titles[pid], receipt=receipt), "success")
    return _back(found, f"#pitch-{pid}")


def _not_supported(found: LiveSession, participant: live.Seat, pid: str,
                   title: str) -> str:
    # An approval ballot lists the supported projects; support once given stays on it.
    if pid in _mine(found, participant):
        return _("Your support for “%(title)s” was already in and stays counted.", title=title)
    return _("You chose not to support “%(title)s”. Nothing was added to your ballot.",
             title=title)


@bp.route("/j/<code>/ask", methods=["POST"])
def ask(code: str) -> Any:
    """Put a question to the current pitch from a phone without JavaScript."""
    found = _found(code)
    if not isinstance(found, LiveSession):
        return found
    form = AskForm()
    if form.validate_on_submit():
        last = session.get("live_asked", 0)
        try:
            rules.check_ask_spacing(last if isinstance(last, (int, float)) else None,
                                    time.time())
            participant = _participant_or_join(found)
            live.do_ask(found, participant, form.text.data)
        except UserError as error:
            form.fail(error, form.text)
        else:
            session["live_asked"] = time.time()
            flash(_("Your question was sent. The facilitator approves questions before they "
                    "are shown.") if found.moderated else
                  _("Your question was sent. Others can up-vote it."), "success")
            return _back(found, "#questions")
    return _phone_page(found, ask_form=form, status=400)


@bp.route("/j/<code>/upvote", methods=["POST"])
def upvote(code: str) -> Any:
    """Up-vote a question from a phone without JavaScript."""
    found = _found(code)
    if not isinstance(found, LiveSession):
        return found
    form = UpvoteForm()
    if not form.validate_on_submit():
        return _phone_page(found, problem=_("The page had expired; try again."), status=400)
    try:
        live.do_upvote(found, _participant_or_join(found), form.question.data)
    except UserError as error:
        return _phone_page(found, problem=translate_error(error), status=400)
    flash(_("Your up-vote was counted."), "success")
    return _back(found, "#questions")
