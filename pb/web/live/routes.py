"""Live-session pages: set-up and the console (facilitators), the projector view (public).

The phone's pages are in `pb.web.live.phone`, on the same blueprint. Every page
server-renders the session's current snapshot, so it reads right before its script connects
to the `/live` namespace (and the set-up form and the console's buttons work without it).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pb.domain import live as rules
from pb.domain.errors import N_, UserError
from pb.i18n import translate_error
from pb.i18n.formats import money_style
from pb.models import LiveSession, Round
from pb.services import ServiceError, counting, live, rounds
from pb.services.voting import paper
from pb.web.access import runners_only
from pb.web.fragments import qr_svg
from pb.web.live import bp
from pb.web.live.forms import (
    ACCESS_CHOICES,
    METHOD_CHOICES,
    QUESTION_CHOICES,
    ControlForm,
    SessionForm,
    default_rows,
    read_agenda,
)

SETUP_PHASES = ("deliberation", "voting")  # rounds a session can be set up for
PHASE_LABELS = {
    "lobby": _l("Waiting to start"),
    "pitch": _l("Pitch"),
    "questions": _l("Questions"),
    "scoring": _l("Scoring"),
    "closed": _l("Closed"),
    "revealed": _l("Results revealed"),
}

# The console's buttons, in the order they are shown; which of them a state offers, and the
# usual next step, come in the state snapshot ("controls", "next_control") from the domain.
CONTROL_LABELS = {
    "start": _l("Start the session"),
    "open_questions": _l("Open questions"),
    "open_scoring": _l("Open scoring for this pitch"),
    "close_questions": _l("Close questions"),
    "close_scoring": _l("Close scoring"),
    "next": _l("Next pitch"),
    "back": _l("Back"),
    "pause": _l("Pause"),
    "resume": _l("Resume"),
    "restart_timer": _l("Restart the timer"),
    "open_scoring_all": _l("Open scoring for all pitches"),
    "close": _l("Close the session"),
    "reveal": _l("Reveal the results"),
    "hide_results": _l("Take the results off the screens"),
}


def clock(state: dict[str, Any]) -> str:
    """Show the time left on the session's timer as m:ss, or nothing when none runs."""
    timer = state["timer"]
    left = timer["left"] if timer["paused"] else (
        timer["ends"] - state["server_now"] if timer["ends"] is not None else None)
    if left is None:
        return ""
    seconds = max(0, (int(left) + 999) // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _session_or_404(session_id: int) -> LiveSession:
    found = live.get(session_id)
    if found is None:
        abort(404)
    return found


def page_context(session: LiveSession, state: dict[str, Any]) -> dict[str, Any]:
    """Return what every live page shows: labels, the join address and the state, and how
    money is written here (for the scripts, which write it exactly as the server does)."""
    return {"session": session, "state": state, "phase_labels": PHASE_LABELS,
            "clock": clock(state), "money_style": money_style(session.round.currency),
            "join_url": url_for("live.join_code", code=session.join_code, _external=True),
            "short_url": url_for("live.join", _external=True).split("://", 1)[-1]}


# Setting up ---------------------------------------------------------------------------------

@bp.route("/")
@runners_only
def index() -> str:
    return render_template("live/index.html", sessions=live.sessions_for(current_user),
                           phase_labels=PHASE_LABELS)


def _candidate_rounds() -> list[Round]:
    return [r for r in rounds.list_rounds(current_user) if r.phase in SETUP_PHASES]


@bp.route("/new", methods=["GET", "POST"])
@runners_only
def new() -> Any:
    """Set up a session: its round, who may join, how the room scores, and the agenda."""
    candidates = _candidate_rounds()
    form = SessionForm()
    form.round_id.choices = [(r.id, r.title) for r in candidates]
    if not candidates:
        return render_template("live/form.html", form=form, session=None, round=None,
                               rows=[], access_help=ACCESS_CHOICES,
                               method_help=METHOD_CHOICES, question_help=QUESTION_CHOICES)
    if not form.is_submitted():
        wanted = request.args.get("round", type=int)
        form.round_id.data = wanted if wanted in {r.id for r in candidates} \
            else candidates[0].id
    round_ = next((r for r in candidates if r.id == form.round_id.data), None)
    if round_ is None:
        form.fail(ServiceError(N_("Choose a round from the list.")), form.round_id)
        round_ = candidates[0]
        form.round_id.data = round_.id
        return _form_page(form, None, round_, default_rows(_projects(round_)))
    projects = _projects(round_)
    if not form.is_submitted():
        form.method.data = _method_for(round_)
        return _form_page(form, None, round_, default_rows(projects))
    if request.form.get("shown_round", type=int) != round_.id:
        # Another round was chosen: show its projects, keeping the rest of what was typed.
        form.method.data = _method_for(round_)
        if form.action.data != "round":
            form.fail(ServiceError(N_("You chose another round: check its projects below, "
                                      "then create the session.")), form.agenda)
        return _form_page(form, None, round_, default_rows(projects))
    rows, agenda = read_agenda(projects, request.form)
    if form.action.data == "round":  # the same round again: nothing to check yet
        for row in rows:
            row.error = None
        return _form_page(form, None, round_, rows)
    if form.validate() and not any(r.error for r in rows):
        try:
            made = live.do_create(current_user, round_, form.title.data or "",
                                  form.access.data or "", form.method.data or "", agenda,
                                  moderated=bool(form.moderated()))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("The live session “%(title)s” is ready. Its join code is %(code)s.",
                    title=made.title, code=made.join_code), "success")
            return redirect(url_for("live.console", session_id=made.id), 303)
    return _form_page(form, None, round_, rows)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@runners_only
def edit(session_id: int) -> Any:
    """Change a session's settings and agenda, until it starts."""
    session = _session_or_404(session_id)
    form = SessionForm()
    form.round_id.choices = [(session.round_id, session.round.title)]
    projects = _projects(session.round)
    if not form.is_submitted():
        form.title.data, form.access.data = session.title, session.access
        form.method.data = session.method
        form.questions.data = "held" if session.moderated else "shown"
        return _form_page(form, session, session.round, default_rows(projects, session.items))
    rows, agenda = read_agenda(projects, request.form)
    if form.validate() and not any(r.error for r in rows):
        try:
            live.do_update(current_user, session, form.title.data or "",
                           form.access.data or "", form.method.data or "", agenda,
                           moderated=form.moderated(keep=session.moderated))
        except UserError as error:
            form.fail(error)
        else:
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("live.console", session_id=session.id), 303)
    return _form_page(form, session, session.round, rows)


def _projects(round_: Round) -> list[Any]:
    return counting.ballot_proposals(round_)


def _method_for(round_: Round) -> str:
    return rules.method_for(round_.ballot_method)


def _form_page(form: SessionForm, session: LiveSession | None, round_: Round,
               rows: list[Any]) -> tuple[str, int]:
    if any(r.error for r in rows) and not form.agenda.errors:
        form.agenda.errors = [_("Some pitches below need a change; see the messages in the "
                                "table.")]
    return render_template("live/form.html", form=form, session=session, round=round_,
                           rows=rows, access_help=ACCESS_CHOICES, method_help=METHOD_CHOICES,
                           question_help=QUESTION_CHOICES,
                           started=session is not None and session.phase != "lobby",
                           ), 400 if form.all_errors else 200


# The console --------------------------------------------------------------------------------

@bp.route("/<int:session_id>/console")
@runners_only
def console(session_id: int) -> str:
    """The facilitator's laptop: every control, the timer, counts, totals and questions."""
    session = _session_or_404(session_id)
    return _console_page(session, ControlForm())


def _console_page(session: LiveSession, form: ControlForm, problem: str | None = None,
                  status: int = 200) -> Any:
    state = live.snapshot(session, console=True)
    round_ = session.round
    return render_template(
        "live/console.html", form=form, problem=problem, round=round_,
        control_labels=CONTROL_LABELS,
        scoring_blocked=round_.phase != "voting",
        paper_url=url_for("paper.index", round_id=round_.id)
        if paper.may_enter(current_user, round_) else None,
        **page_context(session, state)), status


@bp.route("/<int:session_id>/control", methods=["POST"])
@runners_only
def control(session_id: int) -> Any:
    """A console button pressed without the console's script: apply it, then show the console."""
    session = _session_or_404(session_id)
    form = ControlForm()
    if not form.validate_on_submit():
        return _console_page(session, form, _("The form had expired; press the button again."),
                             400)
    try:
        if form.action.data in rules.QUESTION_ACTIONS:
            live.do_moderate(current_user, session, form.question.data, form.action.data,
                             form.reason.data)
        else:
            # A page older than the session is refused (the version it was drawn with).
            live.do_control(current_user, session, form.action.data,
                            expected_version=form.version.data)
    except UserError as error:
        # The service rolled its unit of work back: the session reads as it is now.
        return _console_page(live.get(session_id) or session, ControlForm(),
                             translate_error(error), 400)
    return redirect(url_for("live.console", session_id=session.id), 303)


@bp.route("/<int:session_id>/open-voting", methods=["GET", "POST"])
@runners_only
def open_voting(session_id: int) -> Any:
    """Check, then move the session's round into voting, so scoring can open tonight."""
    session = _session_or_404(session_id)
    form = ControlForm()
    problem = None
    if form.validate_on_submit():
        try:
            live.do_open_voting(current_user, session)
        except UserError as error:
            problem = translate_error(error)
        else:
            flash(_("“%(round)s” is open for voting: scoring can open tonight, and its online "
                    "ballot is open too.", round=session.round.title), "success")
            return redirect(url_for("live.console", session_id=session.id), 303)
    elif form.is_submitted():
        problem = _("The form had expired; press the button again.")
    return render_template("live/open_voting.html", form=form, session=session,
                           round=session.round, problem=problem), 400 if problem else 200


# The projector -----------------------------------------------------------------------------

@bp.route("/<int:session_id>/screen")
@runners_only
def screen(session_id: int) -> str:
    """The projector view: join code and QR code, the pitch, counts, questions, results.

    For facilitators only: session ids are easy to guess, and the screen shows the join code,
    which should reach only the people in the hall.
    """
    session = _session_or_404(session_id)
    state = live.snapshot(session)
    context = page_context(session, state)
    qr = qr_svg(context["join_url"], _("QR code to join the session with code %(code)s",
                                       code=session.join_code))
    return render_template("live/screen.html", qr=qr, **context)


