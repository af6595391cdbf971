"""Live sessions: the state machine a facilitator drives, and the rules of the room (pure).

A session walks an agenda of pitches. Its phase is one of
`lobby → pitch → questions → scoring → closed → revealed`; `pitch`, `questions` and
`scoring` always concern the current agenda item (scoring may instead be open for every
pitch at once). The facilitator's controls are the only way the state changes; each is
checked here and applied by the service, which stores the state before anyone hears of it.
Which controls the console offers in a state (`controls`) is decided here too, once: the
state snapshot carries them, and the console's page and script only draw them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from pb.domain.eligibility import ALPHABET, normalise_code
from pb.domain.errors import N_, UserError
from pb.domain.rounds import TALLY_KINDS
from pb.domain.values import clean_text

PHASES: tuple[str, ...] = ("lobby", "pitch", "questions", "scoring", "closed", "revealed")
# Who may join: "open" needs only the session's join code and collects no personal data at
# all (youth mode); "cards" also needs one of the round's printed voting codes; "accounts"
# needs a logged-in account.
ACCESS: tuple[str, ...] = ("open", "cards", "accounts")
METHODS: tuple[str, ...] = ("scoring", "approval")
ACTIONS: tuple[str, ...] = (
    "start", "next", "back", "restart_timer", "open_questions", "close_questions",
    "open_scoring", "open_scoring_all", "close_scoring", "pause", "resume", "close", "reveal",
    "hide_results")
JOIN_CODE_LENGTH = 6  # 29**6 is about 600 million: short to type, far too many to guess
DEFAULT_PITCH_SECONDS = 180
DEFAULT_QUESTION_SECONDS = 120
MAX_SECONDS = 3600
QUESTION_MAX = 280
REASON_MAX = 200
# What the console does to one question, and the question's states (a question is "pending"
# only in a moderated session, until the facilitator approves it: then it is "open", shown).
QUESTION_ACTIONS: tuple[str, ...] = ("approve", "hide", "answer")
QUESTION_STATES: tuple[str, ...] = ("pending", "open", "hidden", "answered")
ASK_EVERY = 10.0  # seconds between questions from one phone (over the socket or a form)


class LiveError(UserError):
    """A control, join or score the session cannot take now, with what to do instead."""


@dataclass(frozen=True)
class State:
    """The part of a session the controls change. Times are milliseconds since the epoch.

    `timer_ends` is when the running countdown reaches zero; while paused, `timer_left`
    holds what was left instead. `scoring` is "none", "current" or "all".
    """

    phase: str = "lobby"
    current: int = 0  # index into the agenda
    scoring: str = "none"
    questions_open: bool = False
    timer_ends: int | None = None
    timer_left: int | None = None
    paused: bool = False
    revealed: bool = False


def new_join_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """Return a short join code from the unambiguous alphabet."""
    return "".join(choice(ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(text: str) -> str:
    """Return a typed join code as stored: capitals, no spaces or dashes."""
    return normalise_code(text or "")[:JOIN_CODE_LENGTH * 2]


def _timer(now: int, seconds: int) -> dict[str, int | None]:
    return {"timer_ends": now + seconds * 1000, "timer_left": None}


def apply(state: State, action: str, *, now: int, items: int, pitch_seconds: list[int],
          question_seconds: list[int]) -> State:
    """Return the state after the facilitator's `action`, or raise LiveError saying why not.

    `items` is the agenda's length; the seconds lists give each item's pitch and question
    time. `now` is the server's clock in milliseconds.
    """
    if action not in ACTIONS:
        raise LiveError(N_("That is not something the console can do."))
    if state.phase == "revealed" and action not in ("hide_results",):
        raise LiveError(N_("The results are revealed; the session is over."))
    if items == 0 and action in ("start", "next", "open_scoring", "open_scoring_all"):
        raise LiveError(N_("Add at least one pitch to the agenda first."))
    i = state.current
    if action == "start":
        if state.phase != "lobby":
            raise LiveError(N_("The session has already started."))
        return replace(state, phase="pitch", current=0, scoring="none", questions_open=False,
                       paused=False, **_timer(now, pitch_seconds[0]))
    if state.phase == "lobby" and action not in ("close",):
        raise LiveError(N_("Start the session first."))
    if action == "next":
        if i + 1 >= items:
            raise LiveError(N_("This is the last pitch. Open scoring for all, or close the "
                               "session."))
        return replace(state, phase="pitch", current=i + 1, scoring="none",
                       questions_open=False, paused=False, **_timer(now, pitch_seconds[i + 1]))
    if action == "back":
        if state.phase == "closed":
            return replace(state, phase="scoring" if state.scoring != "none" else "pitch",
                           paused=False)
        if i == 0:
            raise LiveError(N_("This is the first pitch."))
        return replace(state, phase="pitch", current=i - 1, scoring="none",
                       questions_open=False, paused=False, **_timer(now, pitch_seconds[i - 1]))
    if action == "restart_timer":
        seconds = question_seconds[i] if state.phase == "questions" else pitch_seconds[i]
        return replace(state, paused=False, **_timer(now, seconds))
    if action == "open_questions":
        return replace(state, phase="questions", questions_open=True, paused=False,
                       **_timer(now, question_seconds[i]))
    if action == "close_questions":
        return replace(state, questions_open=False,
                       phase="pitch" if state.phase == "questions" else state.phase)
    if action in ("open_scoring", "open_scoring_all"):
        if state.phase == "closed":
            raise LiveError(N_("The session is closed; go back to reopen scoring."))
        return replace(state, phase="scoring", questions_open=False, paused=False,
                       scoring="current" if action == "open_scoring" else "all",
                       timer_ends=None, timer_left=None)
    if action == "close_scoring":
        if state.scoring == "none":
            raise LiveError(N_("Scoring is not open."))
        return replace(state, scoring="none",
                       phase="pitch" if state.phase == "scoring" else state.phase)
    if action == "pause":
        if state.paused:
            raise LiveError(N_("The session is already paused."))
        left = max(0, state.timer_ends - now) if state.timer_ends is not None else None
        return replace(state, paused=True, timer_ends=None, timer_left=left)
    if action == "resume":
        if not state.paused:
            raise LiveError(N_("The session is not paused."))
        ends = now + state.timer_left if state.timer_left is not None else None
        return replace(state, paused=False, timer_ends=ends, timer_left=None)
    if action == "close":
        return replace(state, phase="closed", scoring="none", questions_open=False,
                       timer_ends=None, timer_left=None, paused=False)
    if action == "reveal":
        if state.phase != "closed":
            raise LiveError(N_("Close the session before revealing the results."))
        return replace(state, phase="revealed", revealed=True)
    # hide_results: take the reveal off the screens (a mistake, or to pause the drama).
    if not state.revealed:
        raise LiveError(N_("The results are not revealed."))
    return replace(state, phase="closed", revealed=False)


def controls(state: State, *, items: int) -> tuple[tuple[str, ...], str | None]:
    """Return the controls the console offers in `state` (in the order of ACTIONS) and the
    usual next step among them, or None when there is none.

    `items` is the agenda's length. Every control offered is one `apply` accepts in that
    state; the others it accepts (closing from the lobby, say) are left off the console.
    """
    phase, position = state.phase, state.current
    if phase == "lobby":
        return ("start",), "start"
    if phase == "closed":
        return ("back", "reveal"), "reveal"
    if phase == "revealed":
        return ("hide_results",), None
    last = position + 1 >= items
    offered = {"close", "resume" if state.paused else "pause"}
    if not last:
        offered.add("next")
    if position > 0:
        offered.add("back")
    if phase in ("pitch", "questions"):
        offered |= {"open_scoring", "restart_timer",
                    "open_questions" if phase == "pitch" else "close_questions"}
    if state.scoring != "none":
        offered.add("close_scoring")
    if state.scoring != "all":
        offered.add("open_scoring_all")
    if state.paused:
        usual = "resume"
    elif phase == "pitch":
        usual = "open_questions"
    elif phase == "questions":
        usual = "open_scoring"
    else:
        usual = "next" if not last and state.scoring == "current" else "close"
    return tuple(a for a in ACTIONS if a in offered), usual


def stale() -> LiveError:
    """The refusal of a control pressed on a console that had not seen the latest state."""
    return LiveError(N_("Another console changed the session a moment ago; look at the "
                        "screen and try again."))


def check_version(seen: int | None, version: int) -> None:
    """Refuse a control sent with a version (`seen`) older or newer than the session's."""
    if seen is not None and seen != version:
        raise stale()


def scorable(state: State, position: int) -> bool:
    """Tell whether the agenda item at `position` may be scored now."""
    if state.paused:
        return False
    return state.scoring == "all" or (state.scoring == "current" and position == state.current)


def check_question(text: str) -> str:
    """Return a question as kept, refusing empty or overlong ones."""
    cleaned = " ".join(clean_text(text or "").split())
    if not cleaned:
        raise LiveError(N_("Type your question first."))
    if len(cleaned) > QUESTION_MAX:
        raise LiveError(N_("Keep your question to %(max)d characters."), max=QUESTION_MAX)
    return cleaned


def check_ask_spacing(last: float | None, now: float) -> None:
    """Refuse a phone's question asked within ASK_EVERY seconds (`now` and `last`, on one
    clock) of its previous one."""
    if last is not None and now - last < ASK_EVERY:
        raise LiveError(N_("You have just asked a question; wait a few seconds before asking "
                           "another."))


def method_for(ballot_method: str) -> str:
    """Return how a room scores for a round with `ballot_method` (of METHODS)."""
    return "approval" if TALLY_KINDS.get(ballot_method) == "approval" else "scoring"


def check_seconds(value: int) -> int:
    """Refuse pitch or question times outside 10 seconds to an hour."""
    if not 10 <= value <= MAX_SECONDS:
        raise LiveError(N_("Give times from 10 seconds to an hour."))
    return value


# Moderated questions ------------------------------------------------------------------------

def moderated_by_default(access: str) -> bool:
    """Tell whether a session joined this way holds questions for approval unless the
    facilitator says otherwise: yes in youth mode ("open"), where nobody is known."""
    return access == "open"


def asked_state(moderated: bool) -> str:
    """Return the state a new question starts in: held in a moderated session, else shown."""
    return "pending" if moderated else "open"


def moderate(state: str, action: str) -> str:
    """Return a question's state after the console's `action`, or raise LiveError why not.

    A held question can be approved, hidden or answered; a shown one hidden or answered.
    Hidden and answered questions are done with.
    """
    if action not in QUESTION_ACTIONS:
        raise LiveError(N_("That is not something the console can do."))
    if state == "pending" and action == "approve":
        return "open"
    if state in ("pending", "open") and action == "hide":
        return "hidden"
    if state in ("pending", "open") and action == "answer":
        return "answered"
    if action == "approve" and state == "open":
        raise LiveError(N_("That question is already on the screens."))
    raise LiveError(N_("That question is not open any more."))


def check_hide_reason(text: str | None) -> str:
    """Return the reason for hiding a question as kept, refusing none or an overlong one."""
    cleaned = " ".join(clean_text(text or "").split())
    if not cleaned:
        raise LiveError(N_("Say why the question is hidden; the person who asked sees it."))
    if len(cleaned) > REASON_MAX:
        raise LiveError(N_("Keep the reason to %(max)d characters."), max=REASON_MAX)
    return cleaned


def asker_state(state: str) -> str:
    """Return what the asker's phone says of its question: waiting, shown, hidden or
    answered."""
    return {"pending": "waiting", "open": "shown"}.get(state, state)


# Tonight's result -----------------------------------------------------------------------------

def tonights_ballots(ballots: list[object], agenda: list[str]) -> list[object]:
    """Return the ballots cut to the agenda's pitches (proposal ids as strings), leaving out
    ballots that score none of them: a project that did not pitch is not in tonight's count."""
    wanted = set(agenda)
    kept: list[object] = []
    for ballot in ballots:
        if isinstance(ballot, dict):
            cut: object = {k: v for k, v in ballot.items() if k in wanted and v}
        elif isinstance(ballot, list):
            cut = [k for k in ballot if k in wanted]
        else:
            continue
        if cut:
            kept.append(cut)
    return kept


def scored_pitches(ballots: list[object]) -> set[str]:
    """Return the projects some ballot scores (or supports): only they can be funded tonight."""
    found: set[str] = set()
    for ballot in ballots:
        if isinstance(ballot, (dict, list)):
            found.update(ballot)
    return found
