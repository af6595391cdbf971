"""Socket.IO handlers: thin adapters that check who is connecting and call services."""

from __future__ import annotations

import logging
from typing import Any

from flask import request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from pb.broadcast import events
from pb.domain.eligibility import show_code
from pb.domain.errors import UserError
from pb.domain.values import is_id
from pb.extensions import current_viewer as viewer
from pb.extensions import socketio
from pb.i18n import translate_error
from pb.realtime import UNREADABLE
from pb.services import database_unavailable, discard, discussion, rounds, two_factor, voting


def check_connection() -> None:
    """Refuse a connection that carries a login but no `Origin` header, or the login of staff
    who must still enrol in two-factor login (PB_REQUIRE_TWO_FACTOR).

    Browsers always send `Origin` with a socket, and the Socket.IO server refuses origins other
    than the site's (and PB_SOCKETIO_ORIGINS), so a page on another site cannot use a
    visitor's login. A client that is not a browser may leave `Origin` out: it can still watch
    what the public sees, without a login. Sockets skip the pages' checks, so the enrolment
    rule those pages keep is kept here too.
    """
    if not current_user.is_authenticated:
        return
    if not request.headers.get("Origin"):
        raise ConnectionRefusedError(_("A connection that uses a login must come from a page "
                                       "of this site. Connect without the login cookie to "
                                       "watch what the public sees."))
    if two_factor.needs_enrolment(current_user):
        raise ConnectionRefusedError(_("Turn on two-factor login on your account page first."))


@socketio.on("connect")
def connect(auth: Any = None) -> bool:
    """Accept public watchers; who they are comes from the login session cookie, if any."""
    check_connection()
    return True


@socketio.on(events.WATCH)
def watch(payload: Any = None, *_extra: Any) -> dict[str, Any]:
    """Join the room of a round the person is allowed to see."""
    round_id = payload.get("round") if isinstance(payload, dict) else None
    if not is_id(round_id):
        return events.ack_error(_("Send the round as a number, e.g. {\"round\": 3}."))
    who = viewer()
    if rounds.get_round(round_id, who) is None:
        return events.ack_error(_("There is no such round."))
    join_room(events.round_room(round_id))
    return events.ack_ok()


@socketio.on(events.WATCH_REGISTER)
def watch_register(payload: Any = None, *_extra: Any) -> dict[str, Any]:
    """Join the room of people reading the public register of recommendations."""
    join_room(events.REGISTER_ROOM)
    return events.ack_ok()


@socketio.on(events.WATCH_PROPOSAL)
def watch_proposal(payload: Any = None, *_extra: Any) -> dict[str, Any]:
    """Join the room of a proposal's discussion, if the person may read it."""
    proposal_id = payload.get("proposal") if isinstance(payload, dict) else None
    if not is_id(proposal_id):
        return events.ack_error(_("Send the proposal as a number, e.g. {\"proposal\": 3}."))
    who = viewer()
    if discussion.get_proposal(proposal_id, who) is None:
        return events.ack_error(_("There is no such proposal."))
    join_room(events.proposal_room(proposal_id))
    return events.ack_ok(counts=discussion.counts(proposal_id))


@socketio.on(events.VOTE)
def vote(payload: Any = None, *_extra: Any) -> dict[str, Any]:
    """Cast a ballot over the socket: the same service and guarantees as the web form.

    The voter is the session's (logged-in account, or the code or census details given on
    this device), or an access code sent with the ballot: `voting.submitting_voter` decides,
    as for the JSON API.
    """
    if not isinstance(payload, dict):
        return events.ack_error(_("Send the ballot as an object with round, key and items."))
    round_id = payload.get("round")
    if not is_id(round_id):
        return events.ack_error(_("Send the round as a number, e.g. {\"round\": 3}."))
    if not _json_typed(payload.get("items")):
        return events.ack_error(_("Send numbers as JSON numbers, not text: {\"12\": 8}, and "
                                  "project ids as text or numbers: [\"12\", \"15\"]."))
    round_ = voting.ballot_box(round_id)  # what casting needs, without the ORM
    if round_ is None or not rounds.may_see(round_.phase, current_user):
        return events.ack_error(_("There is no such round."))
    try:
        voter = voting.submitting_voter(round_, viewer(), session, payload.get("code"))
        cast = voting.do_cast(round_, voter, payload.get("items"), payload.get("key"))
    except UserError as error:
        return events.ack_error(translate_error(error))
    return events.vote_ack(cast, show_code(cast.receipt))


def unreadable() -> dict[str, Any]:
    """Build the error ack of a message whose JSON could not be read."""
    return events.ack_error(_("We could not read that message. Send JSON, with numbers of at "
                              "most 100 digits."))


def _json_typed(items: Any) -> bool:
    """Tell whether a socket ballot's numbers are JSON numbers (a web form's are text; a
    socket client has no reason to send "8" for 8, nor true for 1)."""
    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(items, dict):
        return all(whole(v) for v in items.values())
    if isinstance(items, list):
        return all(isinstance(v, str) or whole(v) for v in items)
    return True  # the service refuses what is not a ballot at all


@socketio.on("*")
def unknown(event: Any, *_args: Any) -> dict[str, Any]:
    """Answer an event this namespace does not have, so a client's call never waits for its
    timeout."""
    if event == UNREADABLE:
        return unreadable()
    return events.ack_error(
        _("There is no event called \"%(event)s\" here. Send watch, watch_register, "
          "watch_proposal or vote (see docs/realtime.md).", event=str(event)[:40]),
        event=str(event)[:40])


@socketio.on_error_default
def unexpected(error: Exception) -> dict[str, Any]:
    """Answer any handler's unexpected failure with an error ack, never a dropped connection.

    The failure is logged with its traceback; what it left in the database session is
    discarded so the next event starts clean.
    """
    log = logging.getLogger("pb.realtime")
    unavailable = database_unavailable(error)
    if unavailable:
        log.warning("socket handler: database unavailable: %s", error)
    else:
        log.exception("socket handler failed", exc_info=error)
    try:
        discard()
    except Exception:  # the database is down: the next event starts on a fresh connection
        log.warning("could not roll back after a socket handler failed", exc_info=True)
    if unavailable:
        return events.ack_error(_("We cannot reach our database for a moment; nothing was "
                                  "saved. Please try again in a minute."))
    return events.ack_error(_("Something went wrong on our side. Please try again."))
