"""Who is voting: the one answer, for the ballot pages, the JSON API and the socket.

A voter is an account (rounds open to accounts), a printed access code, or a census entry
matched by an identifier and a second detail. Code and census voters prove who they are once
per device; the web session then remembers them for that round only, under `SESSION_KEY`, and
"Finish on this device" forgets them. A code sent with the ballot itself (API, sockets) may
cast once and repeat that submission, but not change it afterwards.

Callers hand in the current user and the (signed) web session; nothing here reads the request.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pb.domain.eligibility import (
    check_code_shape,
    keyed_hash,
    normalise_check,
    normalise_code,
    normalise_identifier,
)
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import CensusEntry, User
from pb.services import ServiceError
from pb.services.voting.store import AnyRound, find_code, voting_key

SESSION_KEY = "voters"  # the web session's {round id: voter key} of code and census voters
_REMEMBERED = ("census", "code")  # the kinds of voter a session remembers


@dataclass(frozen=True)
class Voter:
    """Someone allowed to vote in one round: `key` identifies them in that round only.

    `fresh_only` marks an access code sent with the ballot itself (API and sockets): such a
    code may cast once, and repeat that same submission, but not change it afterwards.
    """

    round_id: int
    key: str
    fresh_only: bool = False


# Proving who you are -----------------------------------------------------------------------

def voter_for_user(round_: AnyRound, user: User | None) -> Voter:
    """Return the voter an account is, in a round open to accounts."""
    if round_.eligibility != "accounts":
        raise ServiceError(N_("This round does not use accounts to vote; use the code or "
                              "details the organisers gave you."))
    if user is None or not user.is_authenticated:
        raise _log_in()
    if round_.verified_only and user.email_verified_at is None:
        raise ServiceError(N_("This round only takes votes from accounts with a confirmed "
                              "email address. Confirm yours from your profile page first."))
    return Voter(round_.id, f"user:{user.id}")


def voter_for_code(round_: AnyRound, text: str, *, fresh_only: bool = False) -> Voter:
    """Return the voter a printed access code is, refusing unknown and used codes.

    A code that has voted is refused here; the browser that used it keeps its identity in the
    session, so the same person can still change their ballot before the close.
    """
    if round_.eligibility != "codes":
        raise ServiceError(N_("This round does not use voting codes."), field="code")
    code = normalise_code(text or "")
    check_code_shape(code)
    found = find_code(keyed_hash(voting_key(), "code", code))
    if found is None or found[1] != round_.id:
        raise ServiceError(N_("That code is not one of this round's voting codes. Check the "
                              "card and try again."), field="code")
    code_id, _, used = found
    voter = Voter(round_.id, f"code:{code_id}", fresh_only=fresh_only)
    if used and not fresh_only:
        raise code_used()
    return voter


def voter_for_census(round_: AnyRound, identifier: str, check: str) -> Voter:
    """Return the voter whose census identifier and checking detail both match."""
    if round_.eligibility != "census":
        raise ServiceError(N_("This round does not use a census."))
    ident = normalise_identifier(identifier or "")
    if not ident:
        raise ServiceError(N_("Fill in your identifier."), field="identifier")
    value = normalise_check(round_.census_check or "postcode", check or "")
    entry = db.session.scalar(sa.select(CensusEntry).where(
        CensusEntry.round_id == round_.id,
        CensusEntry.id_hash == keyed_hash(voting_key(), "census-id", ident)))
    if entry is None or entry.check_hash != keyed_hash(voting_key(), "census-check", value):
        # One message for both, so the form does not tell who is on the census.
        raise ServiceError(N_("Those details do not match anyone on this round's list of "
                              "voters. Check them against your letter and try again."))
    return Voter(round_.id, f"census:{entry.id}")


def code_used() -> ServiceError:
    """The refusal of a code that has voted already."""
    return ServiceError(N_("That code has already been used to vote. If you voted with it on "
                           "this device, your ballot is safe; each code votes once."),
                        field="code")


def _log_in() -> ServiceError:
    return ServiceError(N_("Log in to vote in this round."))


# Who is voting here ------------------------------------------------------------------------

def session_voter(round_: AnyRound, user: Any,
                  session: MutableMapping[str, Any]) -> Voter | None:
    """Return who is voting in this browser (or socket), or None when they have not said yet.

    `user` is the logged-in account (or an anonymous user, or None); `session` the web
    session. Raises ServiceError when an account may not vote (say, an unconfirmed email
    address).
    """
    if round_.eligibility == "accounts":
        if user is None or not user.is_authenticated:
            return None
        return voter_for_user(round_, user)
    key = (session.get(SESSION_KEY) or {}).get(str(round_.id))
    if isinstance(key, str) and key.split(":", 1)[0] in _REMEMBERED:
        return Voter(round_.id, key)
    return None


def submitting_voter(round_: AnyRound, user: Any, session: MutableMapping[str, Any],
                     code: Any = None) -> Voter:
    """Return who casts a ballot sent in one message (the JSON API, the socket).

    With `code`, that access code alone, which may cast once; without it, the session's
    voter. Raises ServiceError saying what to do when there is none.
    """
    if code is not None:
        if not isinstance(code, str):
            raise ServiceError(N_("Send the code as text."))
        return voter_for_code(round_, code, fresh_only=True)
    voter = session_voter(round_, user, session)
    if voter is not None:
        return voter
    if round_.eligibility == "accounts":
        raise _log_in()
    raise ServiceError(N_("Give your voting code or details first."))


def remember(session: MutableMapping[str, Any], voter: Voter) -> None:
    """Remember a code or census voter in the web session, for their round only."""
    if voter.key.split(":", 1)[0] not in _REMEMBERED:
        return  # accounts are the login's to remember
    known = dict(session.get(SESSION_KEY) or {})
    known[str(voter.round_id)] = voter.key
    session[SESSION_KEY] = known


def forget(session: MutableMapping[str, Any], round_id: int) -> None:
    """Forget the round's voter on this device ("Finish on this device")."""
    known = dict(session.get(SESSION_KEY) or {})
    known.pop(str(round_id), None)
    session[SESSION_KEY] = known
