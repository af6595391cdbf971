"""The `/live` namespace: phones, projector screens and facilitators' consoles.

Handlers are thin: they check who is asking and what they sent, call pb.services.live, and
acknowledge. They never touch the database session: each use case owns its transaction and
rolls back what it began when it refuses. The rules they apply (question spacing, say) are
the domain's. Who each connection is lives in `_clients` (a connection stays on one server
process; rooms and broadcasts cross processes through the message queue).

The hall's hot events (`vote`, `ask`, `upvote`: thousands a minute) run in an application
context only, in the language the phone connected in (`hot`). Flask-SocketIO's per-event
request context (the login cookie decoded, the URL matched) took about a fifth of a score's
CPU, and they need neither: who the phone is was settled by `join`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room, leave_room

from pb.broadcast import events
from pb.domain import live as rules
from pb.domain.eligibility import show_code
from pb.domain.errors import N_, UserError
from pb.extensions import current_viewer as viewer
from pb.extensions import socketio
from pb.i18n import select_locale, translate_error
from pb.realtime import UNREADABLE
from pb.realtime.handlers import check_connection, unexpected, unreadable
from pb.services import live

NS = events.LIVE
RATE = 10.0  # events a second a connection may keep up
BURST = 20.0
MAX_PAYLOAD = 8_000  # characters of JSON: more than any real event needs


@dataclass
class Client:
    """One connection: which session, as what, and its rate-limit bucket."""

    session_id: int | None = None
    participant_id: int | None = None
    voter_key: str = ""  # the phone's, kept so that scoring reads no participant
    role: str = ""
    user_id: int | None = None
    tokens: float = BURST
    stamp: float = field(default_factory=time.monotonic)
    last_ask: float = 0.0
    locale: str = ""  # the language its page asked for when it connected


_clients: dict[str, Client] = {}


def _client(sid: str | None = None) -> Client:
    """Return the connection's record: `sid`'s, or (in a request context) the asker's."""
    return _clients.setdefault(sid or request.sid, Client())  # type: ignore[attr-defined]


_HOT: dict[str, Callable[..., dict[str, Any]]] = {}


def hot(event: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Mark `handler(sid, payload)` as one of the hall's hot events: `serve_hot` registers it
    with the Socket.IO server to run in an application context only."""
    def register(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        _HOT[event] = handler
        return handler
    return register


def serve_hot(server: Any) -> None:
    """Register the hot events with `server` (the app factory calls this after init_app)."""
    for event, handler in _HOT.items():
        server.on(event, _in_app_context(server, handler), namespace=NS)


def _in_app_context(server: Any, handler: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    def run(sid: str, payload: Any = None, *_extra: Any) -> dict[str, Any] | None:
        environ = server.get_environ(sid, namespace=NS)
        if not environ:  # the connection has gone
            return None
        client = _client(sid)
        with environ["flask.app"].app_context(), force_locale(client.locale or "en_GB"):
            try:
                return handler(sid, payload)
            except Exception as error:  # as Flask-SocketIO's default error handler would
                return unexpected(error)
    return run


def _allowed(client: Client) -> bool:
    """Take a token from the connection's bucket; refuse when a client floods."""
    now = time.monotonic()
    client.tokens = min(BURST, client.tokens + (now - client.stamp) * RATE)
    client.stamp = now
    if client.tokens < 1:
        return False
    client.tokens -= 1
    return True


def _whole(value: Any) -> bool:
    """Tell whether `value` is a JSON whole number (not text, not true or false)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _items(value: Any) -> bool:
    """Scores as {"<proposal id>": <whole number>}, or approvals as ["<proposal id>"]."""
    if isinstance(value, dict):
        return all(_whole(v) for v in value.values())
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return False


# The type each field of each event must have when it is sent (null counts as left out), and
# the sentence refusing anything else: numbers are JSON numbers, never text or true/false.
# Whether a field must be there, and its range, is the service's to say.
_FIELDS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    events.LIVE_JOIN: {
        "code": (_text, N_("Send the session's code as text, such as {\"code\": \"ABC234\"}.")),
        "role": (_text, N_("Send the role as \"phone\", \"screen\" or \"console\".")),
        "participant": (_text, N_("Send the participant token as text, as your last join "
                                  "gave it, or leave it out to join as someone new.")),
        "card": (_text, N_("Send the voting code from your card as text.")),
    },
    events.LIVE_VOTE: {
        "key": (_text, N_("Send the key as text, such as {\"key\": \"a1b2c3d4e5\"}.")),
        "items": (_items, N_("Send your scores as whole numbers, such as {\"items\": "
                             "{\"12\": 8}}, or the projects you support as a list, such "
                             "as {\"items\": [\"12\"]}.")),
    },
    events.LIVE_ASK: {
        "text": (_text, N_("Send your question as text, such as {\"text\": \"Who will "
                           "run it?\"}.")),
    },
    events.LIVE_UPVOTE: {
        "question": (_whole, N_("Send the question as a number, such as "
                                "{\"question\": 12}.")),
    },
    events.LIVE_CONTROL: {
        "action": (_text, N_("Send the action as text, such as {\"action\": \"next\"}.")),
        "question": (_whole, N_("Send the question as a number, such as "
                                "{\"question\": 12}.")),
        "revision": (_whole, N_("Send the revision as a number: the `revision` of the last "
                                "state you drew.")),
        "reason": (_text, N_("Send the reason as text.")),
    },
}


def _checked(event: str, payload: Any) -> dict[str, Any] | str:
    """Return the payload as a dict, or the sentence refusing it."""
    if not isinstance(payload, dict):
        return _("Send an object, such as {\"code\": \"ABC234\"}.")
    if len(repr(payload)) > MAX_PAYLOAD:
        return _("That message is too large: send at most %(max)d characters.",
                 max=MAX_PAYLOAD)
    for name, (fits, refusal) in _FIELDS.get(event, {}).items():
        value = payload.get(name)
        if value is not None and not fits(value):
            return _(refusal)
    return payload


def _guard(event: str, payload: Any,
           sid: str | None = None) -> tuple[Client, dict[str, Any]] | dict[str, Any]:
    client = _client(sid)
    if not _allowed(client):
        return events.ack_error(_("Too many messages at once; wait a moment and try again."))
    data = _checked(event, payload)
    if isinstance(data, str):
        return events.ack_error(data)
    return client, data


def _session_of(client: Client) -> live.LiveView | None:
    if client.session_id is None:
        return None
    return live.view(client.session_id)


@socketio.on("connect", namespace=NS)
def connect(auth: Any = None) -> bool:
    """Accept the connection; who it is comes from the login cookie now and `join` next."""
    check_connection()
    client = _client()
    client.locale = select_locale()
    if current_user.is_authenticated:
        client.user_id = current_user.id
    return True


@socketio.on("disconnect", namespace=NS)
def disconnect(*_args: Any) -> None:
    client = _clients.pop(request.sid, None)  # type: ignore[attr-defined]
    if client and client.participant_id is not None:
        live.connected(client.participant_id, -1)
        if client.session_id is not None:
            live.scored(client.session_id, phones=False)  # the presence count changed


def _leave(client: Client) -> None:
    """Take the connection out of the session it was in, as if it had disconnected from it
    (it is joining another session, or the same one in another role)."""
    old = client.session_id
    if old is None:
        return
    for room in (events.live_room(old), events.live_screens_room(old),
                 events.live_console_room(old)):
        leave_room(room)
    if client.participant_id is not None:
        leave_room(events.live_phones_room(old, client.participant_id))
        live.connected(client.participant_id, -1)
        live.scored(old, phones=False)  # the presence count changed
    client.session_id, client.role, client.participant_id, client.voter_key = None, "", None, ""


@socketio.on(events.LIVE_JOIN, namespace=NS)
def join(payload: Any = None, *_extra: Any) -> dict[str, Any]:
    """Join a session by its code: as a phone (the default), a `screen` or a `console`.

    A phone sends back the `participant` token it was given to be the same participant again.
    """
    guarded = _guard(events.LIVE_JOIN, payload)
    if isinstance(guarded, dict):
        return guarded
    client, data = guarded
    code, role = data.get("code"), data.get("role") or "phone"
    if not isinstance(code, str):
        return events.ack_error(_("Send the session's code, such as {\"code\": \"ABC234\"}."))
    if role not in ("phone", "screen", "console"):
        return events.ack_error(_("Send the role as \"phone\", \"screen\" or \"console\"."))
    try:
        session = live.view_by_code(code)
        if role == "console" and not (current_user.is_authenticated and current_user.runs_live):
            return events.ack_error(_("Only facilitators can open the console; log in first."))
        if client.session_id is not None and (client.session_id, client.role) != (session.id,
                                                                                   role):
            _leave(client)
        if role == "console":
            client.session_id, client.role = session.id, role
            join_room(events.live_console_room(session.id))
            return events.ack_ok(state=live.snapshot(session, console=True))
        if role == "screen":
            client.session_id, client.role = session.id, role
            join_room(events.live_room(session.id))
            join_room(events.live_screens_room(session.id))
            return events.ack_ok(state=live.snapshot(session))
        token = data.get("participant")
        seat = None if token is None else live.rejoin(session, token)
        if token is not None and seat is None:
            # Never a new participant in its place: its phone would think its scores kept.
            return events.ack_error(_("This session does not know that participant token. "
                                      "Join again without it to take part as someone new."),
                                    field="participant")
        counted = False
        if seat is None:
            card = data.get("card")
            # Counted as connected in the same commit that lets them in.
            seat, token = live.do_join(
                session, user=viewer(),
                card=card if isinstance(card, str) else None, online=True)
            counted = True
        if client.participant_id != seat.id:
            if client.participant_id is not None:
                live.connected(client.participant_id, -1)
                if client.session_id is not None:  # one slice, so one tally per broadcast
                    leave_room(events.live_phones_room(client.session_id,
                                                       client.participant_id))
            if not counted:
                live.connected(seat.id, +1)
        client.session_id, client.role = session.id, "phone"
        client.participant_id, client.voter_key = seat.id, seat.voter_key
        join_room(events.live_room(session.id))
        join_room(events.live_phones_room(session.id, seat.id))
        live.scored(session.id, phones=False)  # the presence count changed
        return events.ack_ok(participant=token, state=live.snapshot(session),
                             mine=live.my_scores(session, seat))
    except UserError as error:
        return events.ack_error(translate_error(error))


def _as_phone(event: str, payload: Any,
              sid: str) -> tuple[live.LiveView, live.Seat, dict[str, Any]] | dict[str, Any]:
    """Return (session, participant, payload) for a joined phone, or an error ack."""
    guarded = _guard(event, payload, sid)
    if isinstance(guarded, dict):
        return guarded
    client, data = guarded
    if client.participant_id is None:
        return events.ack_error(_("Join the session with its code first."))
    session = _session_of(client)  # participants go only with their session
    if session is None:
        return events.ack_error(_("Join the session with its code first."))
    return session, live.Seat(client.participant_id, client.voter_key), data


@hot(events.LIVE_VOTE)
def vote(sid: str, payload: Any = None) -> dict[str, Any]:
    """Score the pitch (or pitches) open for scoring; the ack carries the receipt."""
    found = _as_phone(events.LIVE_VOTE, payload, sid)
    if isinstance(found, dict):
        return found
    session, participant, data = found
    try:
        cast = live.do_score(session, participant, data.get("items"), data.get("key"))
    except UserError as error:
        return events.ack_error(translate_error(error))
    return events.vote_ack(cast, show_code(cast.receipt))


@hot(events.LIVE_ASK)
def ask(sid: str, payload: Any = None) -> dict[str, Any]:
    """Ask the current pitch a question (one every few seconds per phone)."""
    found = _as_phone(events.LIVE_ASK, payload, sid)
    if isinstance(found, dict):
        return found
    session, participant, data = found
    client = _client(sid)
    try:
        rules.check_ask_spacing(client.last_ask, time.monotonic())
        question = live.do_ask(session, participant, data.get("text"))
    except UserError as error:
        return events.ack_error(translate_error(error))
    client.last_ask = time.monotonic()
    return events.ack_ok(question=question.id)


@hot(events.LIVE_UPVOTE)
def upvote(sid: str, payload: Any = None) -> dict[str, Any]:
    """Up-vote a question once."""
    found = _as_phone(events.LIVE_UPVOTE, payload, sid)
    if isinstance(found, dict):
        return found
    session, participant, data = found
    try:
        votes = live.do_upvote(session, participant, data.get("question"))
    except UserError as error:
        return events.ack_error(translate_error(error))
    return events.ack_ok(votes=votes)


@socketio.on(events.LIVE_CONTROL, namespace=NS)
def control(payload: Any = None, *_extra: Any) -> dict[str, Any]:
    """A facilitator's control: `{"action": "next" | "open_scoring" | ...}`, or
    `{"action": "approve" | "hide" | "answer", "question": <id>, "reason": <for hide>}`."""
    guarded = _guard(events.LIVE_CONTROL, payload)
    if isinstance(guarded, dict):
        return guarded
    client, data = guarded
    session = live.get(client.session_id) if client.session_id is not None else None
    if session is None or client.role != "console" or not (
            current_user.is_authenticated and current_user.runs_live):
        return events.ack_error(_("Only the facilitator's console can control the session."))
    try:
        if data.get("action") in rules.QUESTION_ACTIONS:
            live.do_moderate(current_user, session, data.get("question"), data.get("action"),
                             data.get("reason"))
        else:
            live.do_control(current_user, session, data.get("action"),
                            expected_version=data.get("revision"))
    except UserError as error:
        return events.ack_error(translate_error(error))
    return events.ack_ok(revision=session.version)


@socketio.on("*", namespace=NS)
def unknown(event: Any, *_args: Any) -> dict[str, Any]:
    """Answer an event this namespace does not have, so a client's call never waits for its
    timeout."""
    if not _allowed(_client()):
        return events.ack_error(_("Too many messages at once; wait a moment and try again."))
    if event == UNREADABLE:
        return unreadable()
    return events.ack_error(
        _("There is no event called \"%(event)s\" here. Send join, vote, ask, upvote or "
          "control (see docs/live.md).", event=str(event)[:40]), event=str(event)[:40])
