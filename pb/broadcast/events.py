"""The catalogue of Socket.IO events: every name and payload, and the only place that emits.

`CATALOGUE` lists every event of the public protocol; docs/realtime.md (namespace `/`) and
docs/live.md (namespace `/live`) document each one for third-party clients, and
tests/test_event_catalogue.py keeps the three in step. Services send events through
`pb.services.on_commit`, so no client hears of data that was rolled back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pb.broadcast import turns
from pb.extensions import socketio

# Ordering: every event the server sends carries `seq`, one rule for every room (documented
# once, in docs/realtime.md "Ordering events"), and `version`, the same number. It is the
# server clock in microseconds since the epoch, made larger than the last `seq` this process
# gave the same room, so it only grows for a room and means the same on every server process
# (they share the clock). It is taken before the data the event carries is read, so an
# event with a larger `seq` never carries older data than one with a smaller.
_last_seq: dict[str, int] = {}
_seq_lock = threading.Lock()


def next_seq(room: str) -> int:
    """Return the next `seq` for `room`: the clock in microseconds, never repeated or lower."""
    now = time.time_ns() // 1_000
    with _seq_lock:
        seq = max(now, _last_seq.get(room, 0) + 1)
        _last_seq[room] = seq
    # In the room's turn with several processes: from Redis, above every process's last.
    shared = turns.next_seq(room, seq)
    if shared != seq:
        with _seq_lock:
            _last_seq[room] = max(shared, _last_seq[room])
    return shared


# Taking `seq` before reading is not enough on its own: a throttled `tally` that took a later
# `seq` could be sent before a `state` that took an earlier one and is still reading, and a
# client applying the rule would then drop the `state`. So a process takes a live room's
# `seq`, reads and sends inside `in_order(room)`: its events reach the room in `seq` order.
_room_turns: dict[str, Any] = {}


@contextmanager
def in_order(room: str) -> Iterator[None]:
    """Hold `room`'s turn while taking a `seq`, reading what the event carries and sending
    it, so this process sends the room's events in `seq` order (re-entrant: a broadcast
    may build snapshots that take their own turn)."""
    turn = _room_turns.get(room)
    if turn is None:
        with _seq_lock:  # created lazily, so under gevent it is gevent's lock
            turn = _room_turns.setdefault(room, threading.RLock())
    with turn, turns.across_processes(room):  # and, with several processes, Redis's
        yield


def stamp(room: str, seq: int | None = None) -> dict[str, int]:
    """Return the ordering fields of an event for `room`: `seq` and `version`, one number
    (`seq` when the caller took it before reading what the event carries)."""
    seq = next_seq(room) if seq is None else seq
    return {"version": seq, "seq": seq}


WATCH = "watch"
ROUND_PHASE = "round_phase"


def round_room(round_id: int) -> str:
    """Return the room of people watching one round's public page."""
    return f"round:{round_id}"


def round_phase_payload(round_: Any) -> dict[str, Any]:
    """Build the `round_phase` payload; `version` lets clients drop stale updates."""
    return {"round": round_.id, "phase": round_.phase, **stamp(round_room(round_.id))}


def round_phase_changed(round_: Any) -> None:
    """Tell everyone watching the round that its phase changed."""
    socketio.emit(ROUND_PHASE, round_phase_payload(round_), to=round_room(round_.id),
                  namespace="/")


def ack_error(message: str, **extra: Any) -> dict[str, Any]:
    """Build the acknowledgement of a refused request (`extra`: say, the `field` to fix)."""
    return {"ok": False, "error": message, **extra}


def ack_ok(**extra: Any) -> dict[str, Any]:
    """Build the acknowledgement of an accepted request."""
    return {"ok": True, **extra}


# The public register of council recommendations (namespace "/").
WATCH_REGISTER = "watch_register"
REGISTER_CHANGED = "register_changed"
REGISTER_ROOM = "register"


def register_changed_payload(council_id: int, recommendation_ids: list[int],
                             change: str) -> dict[str, Any]:
    """Build the `register_changed` payload; `version` lets clients drop stale updates."""
    return {"council": council_id, "recommendations": list(recommendation_ids),
            "change": change, **stamp(REGISTER_ROOM)}


def register_changed(council_id: int, recommendation_ids: list[int], change: str) -> None:
    """Tell everyone reading the register that advice or a response was published."""
    socketio.emit(REGISTER_CHANGED,
                  register_changed_payload(council_id, recommendation_ids, change),
                  to=REGISTER_ROOM, namespace="/")


# The discussion of a proposal (namespace "/"): see docs/realtime.md.
WATCH_PROPOSAL = "watch_proposal"
COMMENT_ADDED = "comment_added"
COMMENT_HIDDEN = "comment_hidden"
STANCE_COUNTS = "stance_counts"


def proposal_room(proposal_id: int) -> str:
    """Return the room of people reading one proposal's discussion."""
    return f"proposal:{proposal_id}"


def comment_added_payload(comment: Any, html: dict[str, str],
                          counts: dict[str, int]) -> dict[str, Any]:
    """Build the `comment_added` payload: the comment as safe HTML in each language."""
    return {"proposal": comment.proposal_id, "comment": comment.id,
            "parent": comment.parent_id, "depth": comment.depth, "stance": comment.stance,
            "html": html, "counts": dict(counts), **stamp(proposal_room(comment.proposal_id))}


# A live comment is the page's own template, so that it looks like a reloaded one. Pages are
# a layer above this one, so the web layer hands its renderer over when the app is built.
_fragments: dict[str, Callable[[Any], dict[str, str]]] = {}


def render_fragments_with(kind: str, render: Callable[[Any], dict[str, str]]) -> None:
    """Set how an object of `kind` ("comment") is rendered as HTML, once per language."""
    _fragments[kind] = render


def comment_added(comment: Any, counts: dict[str, int]) -> None:
    """Show a new comment to everyone reading its proposal (call after the commit)."""
    socketio.emit(COMMENT_ADDED,
                  comment_added_payload(comment, _fragments["comment"](comment), counts),
                  to=proposal_room(comment.proposal_id), namespace="/")


def comment_hidden_payload(comment: Any, counts: dict[str, int]) -> dict[str, Any]:
    """Build the `comment_hidden` payload: which comment, and the moderator's public reason."""
    return {"proposal": comment.proposal_id, "comment": comment.id,
            "reason": comment.hidden_reason, "counts": dict(counts),
            **stamp(proposal_room(comment.proposal_id))}


def comment_hidden(comment: Any, counts: dict[str, int]) -> None:
    """Tell everyone reading the proposal that a moderator hid a comment, and why."""
    socketio.emit(COMMENT_HIDDEN, comment_hidden_payload(comment, counts),
                  to=proposal_room(comment.proposal_id), namespace="/")


def stance_counts_payload(proposal_id: int, counts: dict[str, int]) -> dict[str, Any]:
    """Build the `stance_counts` payload: visible comments for, against and questions."""
    return {"proposal": proposal_id, "counts": dict(counts), **stamp(proposal_room(proposal_id))}


def stance_counts(proposal_id: int, counts: dict[str, int]) -> None:
    """Send the proposal's stance counts after an edit or a comment shown again."""
    socketio.emit(STANCE_COUNTS, stance_counts_payload(proposal_id, counts),
                  to=proposal_room(proposal_id), namespace="/")


# Voting (namespace "/"): see docs/realtime.md.
VOTE = "vote"
ROUND_TOTALS = "round_totals"


def vote_ack(cast: Any, receipt: str) -> dict[str, Any]:
    """Build the acknowledgement of a stored ballot: its receipt and what now counts."""
    return ack_ok(receipt=receipt, items=cast.items, replaced=cast.replaced,
                  repeated=cast.repeated)


def round_totals_payload(round_id: int, totals: dict[str, Any]) -> dict[str, Any]:
    """Build the `round_totals` payload: ballots so far and each project's support."""
    return {"round": round_id, "ballots": totals["ballots"],
            "support": dict(totals["support"]), **stamp(round_room(round_id))}


def round_totals(round_id: int, totals: dict[str, Any]) -> None:
    """Send the round's running totals to everyone watching its page."""
    socketio.emit(ROUND_TOTALS, round_totals_payload(round_id, totals), to=round_room(round_id),
                  namespace="/")


# Live sessions (namespace "/live"): see docs/live.md.
LIVE = "/live"
LIVE_JOIN = "join"
LIVE_STATE = "state"
LIVE_VOTE = "vote"
LIVE_TALLY = "tally"
LIVE_ASK = "ask"
LIVE_UPVOTE = "upvote"
LIVE_CONTROL = "control"
LIVE_QUESTIONS = "questions"

IN, OUT, CONSOLE = "client → server", "server → client", "console → server"
# Every event of the public protocol, as (namespace, direction, name).
CATALOGUE: tuple[tuple[str, str, str], ...] = (
    ("/", IN, WATCH), ("/", OUT, ROUND_PHASE),
    ("/", IN, VOTE), ("/", OUT, ROUND_TOTALS),
    ("/", IN, WATCH_REGISTER), ("/", OUT, REGISTER_CHANGED),
    ("/", IN, WATCH_PROPOSAL), ("/", OUT, COMMENT_ADDED), ("/", OUT, COMMENT_HIDDEN),
    ("/", OUT, STANCE_COUNTS),
    (LIVE, IN, LIVE_JOIN), (LIVE, OUT, LIVE_STATE), (LIVE, IN, LIVE_VOTE),
    (LIVE, OUT, LIVE_TALLY), (LIVE, IN, LIVE_ASK), (LIVE, IN, LIVE_UPVOTE),
    (LIVE, OUT, LIVE_QUESTIONS), (LIVE, CONSOLE, LIVE_CONTROL),
)
LIVE_TALLY_INTERVAL = 0.3  # seconds: a few tallies a second at most, however many votes
# Phones get theirs less often: each tally is one message per phone, and a hall holds
# thousands; half a second still shows every phone a new score within the second.
LIVE_PHONE_TALLY_INTERVAL = 0.5
# Question lists go to every phone too, so however many up-votes arrive they are coalesced
# like tallies: at most two `questions` events a second per session.
LIVE_QUESTIONS_INTERVAL = 0.5


def live_room(session_id: int) -> str:
    """Return the room of the session's phones and projector screens."""
    return f"live:{session_id}"


# A tally goes to the phones in slices, with a pause between them for the event loop to
# take in votes: one emit to 2,000 phones wakes 2,000 writers at once, and a vote arriving
# then waited behind all of them at each step of its way.
LIVE_PHONE_SLICES = 8
LIVE_PHONE_SLICE_PAUSE = 0.002  # seconds


def live_phones_room(session_id: int, slice_: int) -> str:
    """Return the room of one slice of the session's phones (for their own, sparser
    tallies); a phone's slice is its participant id modulo LIVE_PHONE_SLICES."""
    return f"live:{session_id}:phones:{slice_ % LIVE_PHONE_SLICES}"


def live_console_room(session_id: int) -> str:
    """Return the room of the facilitators' consoles, which see totals before the reveal."""
    return f"live:{session_id}:console"


def live_state_payload(session: Any, *, agenda: list[dict[str, Any]],
                       current: dict[str, Any] | None, now: int, present: int,
                       questions: list[dict[str, Any]], scored: dict[str, int], paper: int,
                       totals: dict[str, int] | None, results: dict[str, Any] | None,
                       controls: list[str], next_control: str | None,
                       question_states: dict[str, dict[str, str]] | None = None,
                       seq: int | None = None, round_phase: str | None = None) -> dict[str, Any]:
    """Build the `state` snapshot: everything a screen needs to draw the session, with the
    console's buttons in this state (`controls`, and the usual next one). `questions` is
    what that screen lists (a console's includes the held ones); `question_states` says
    where each question on the current pitch is, so an asker's phone can tell its own.
    `revision` is the session's own counter, which a console sends back with `control`;
    `seq` (and `version`, the same) orders it among the session's events."""
    return {"session": session.id, "revision": session.version, "title": session.title,
            "code": session.join_code, "method": session.method, "access": session.access,
            "phase": session.phase, "position": session.current, "current": current,
            "agenda": agenda, "scoring": session.scoring,
            "questions_open": session.questions_open, "round_phase": round_phase,
            "timer": {"ends": session.timer_ends, "left": session.timer_left,
                      "paused": session.paused},
            "server_now": now, "present": present, "questions": questions,
            "moderated": session.moderated,
            "question_states": question_states or {},
            "scored": scored, "paper": paper, "totals": totals,
            "results_visible": session.revealed, "results": results,
            "controls": controls, "next_control": next_control,
            **stamp(live_room(session.id), seq)}


def live_state(session_id: int, public: dict[str, Any], console: dict[str, Any]) -> None:
    """Send the new state to every screen: totals only to consoles until the reveal."""
    socketio.emit(LIVE_STATE, public, to=live_room(session_id), namespace=LIVE)
    socketio.emit(LIVE_STATE, console, to=live_console_room(session_id), namespace=LIVE)


def live_questions(session_id: int, questions: list[dict[str, Any]],
                   console: list[dict[str, Any]] | None = None,
                   states: dict[str, dict[str, str]] | None = None,
                   seq: int | None = None) -> None:
    """Send the current pitch's shown questions, most up-voted first, with where each of
    its questions is (`states`); consoles get `console` (the held ones too) instead."""
    payload = {"session": session_id, "questions": questions, "question_states": states or {},
               **stamp(live_room(session_id), seq)}
    if console is None:
        socketio.emit(LIVE_QUESTIONS, payload,
                      to=[live_room(session_id), live_console_room(session_id)], namespace=LIVE)
        return
    socketio.emit(LIVE_QUESTIONS, payload, to=live_room(session_id), namespace=LIVE)
    socketio.emit(LIVE_QUESTIONS, {**payload, "questions": console},
                  to=live_console_room(session_id), namespace=LIVE)


def live_tally_payload(session: Any, counts: dict[str, Any], present: int,
                       console: bool, seq: int | None = None) -> dict[str, Any]:
    """Build the `tally` payload: how many scores each pitch has (values for consoles, and
    for everyone once revealed)."""
    show = console or session.revealed
    return {"session": session.id, "present": present, "scored": counts["scored"],
            "paper": counts["paper"], "totals": counts["totals"] if show else None,
            **stamp(live_room(session.id), seq)}


def live_screens_room(session_id: int) -> str:
    """Return the room of the session's projector screens (they also show who is here)."""
    return f"live:{session_id}:screens"


def live_tally(session: Any, counts: dict[str, Any], present: int,
               seq: int | None = None) -> None:
    """Send the throttled running tally to the projector screens and consoles."""
    seq = next_seq(live_room(session.id)) if seq is None else seq
    socketio.emit(LIVE_TALLY, live_tally_payload(session, counts, present, False, seq),
                  to=live_screens_room(session.id), namespace=LIVE)
    socketio.emit(LIVE_TALLY, live_tally_payload(session, counts, present, True, seq),
                  to=live_console_room(session.id), namespace=LIVE)


def live_phone_tally(session: Any, counts: dict[str, Any], present: int,
                     seq: int | None = None, *, local: bool = False) -> None:
    """Send the (more sparsely) throttled running tally to every phone, slice by slice;
    `local`: only to the phones connected to this server process (each process counts
    for its own when several share the rooms), not through the message queue."""
    payload = live_tally_payload(session, counts, present, False, seq)
    for slice_ in range(LIVE_PHONE_SLICES):
        if slice_:
            socketio.sleep(LIVE_PHONE_SLICE_PAUSE)
        socketio.emit(LIVE_TALLY, payload, to=live_phones_room(session.id, slice_),
                      namespace=LIVE, ignore_queue=local)
