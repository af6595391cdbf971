"""Scores from the hall, as ballots of the round.

A phone's scores are cast through pb.services.voting, so they have the same guarantees and
receipts as an online ballot; a participant's ballot holds their scores of every pitch so
far, and each new score is merged into it.
"""

from __future__ import annotations

import json
from typing import Any

from pb.domain import live as rules
from pb.domain.errors import N_, UserError
from pb.services import ServiceError, discard, voting
from pb.services.live.screens import scored
from pb.services.live.store import (
    MY_ITEMS,
    AnyParticipant,
    AnySession,
    Seat,
    no_session,
    pitches,
    state_of,
)


def do_score(session: AnySession, participant: AnyParticipant, items: Any,
             key: Any) -> voting.Cast:
    """Take a phone's scores of pitches now open for scoring; return the receipt.

    `items` maps proposal ids to scores (scoring) or lists the supported ones (approval),
    for open pitches only; they are added to the participant's earlier scores.

    Not a `unit_of_work()`: the only write is the ballot, which `voting.do_cast` stores in
    its own hand-tuned transaction (the casting fast path; it must run outside any unit).
    Until then this only reads, and a refusal rolls back what the reads began.
    """
    try:
        round_, voter, merged = _ballot(session, participant, items)
    except UserError:
        discard()
        raise
    cast = voting.do_cast(round_, voter, merged, key)
    # do_cast has committed (or refused and rolled back). The tally is throttled, so a hall's
    # thousand scores a second cost a few tallies a second; asking for it needs no queue.
    scored(session.id)
    return cast


def _ballot(session: AnySession, participant: AnyParticipant,
            items: Any) -> tuple[voting.BallotBox, voting.Voter, Any]:
    """Check a phone's scores; return the ballot box, the voter and their merged ballot."""
    state = state_of(session)
    positions = {str(i.proposal_id): i.position for i in pitches(session)}
    if isinstance(items, dict):
        if session.method == "approval" and any(v not in (1, True) for v in items.values()):
            raise ServiceError(N_("Send the projects you support as a list."))
        chosen = list(items)
    elif isinstance(items, list) and session.method == "approval":
        chosen = [str(i) for i in items]
    else:
        raise ServiceError(N_("Send your scores as projects with a score for each."))
    if not chosen:
        raise ServiceError(N_("Choose a score before you send it."))
    for pid in chosen:
        if str(pid) not in positions:
            raise ServiceError(N_("That project is not on tonight's agenda."))
        if not rules.scorable(state, positions[str(pid)]):
            raise ServiceError(N_("Scoring for that pitch is not open. Wait for the "
                                  "facilitator to open it."))
    round_ = voting.ballot_box(session.round_id)
    if round_ is None:
        raise no_session()
    voter = voting.Voter(session.round_id, participant.voter_key)
    earlier = my_scores(session, participant)
    merged: Any
    if session.method == "approval":
        earlier = list(earlier) if isinstance(earlier, list) else []
        merged = [*earlier, *(p for p in chosen if p not in earlier)]
    else:
        earlier = dict(earlier) if isinstance(earlier, dict) else {}
        merged = {**earlier, **{str(k): v for k, v in items.items()}}
    return round_, voter, merged


def my_scores(session: AnySession, participant: AnyParticipant | None) -> Any:
    """Return the participant's ballot items so far ({} before their first score)."""
    if participant is None or (isinstance(participant, Seat) and participant.new):
        return {}
    row = MY_ITEMS.first({"round_id": session.round_id, "voter_key": participant.voter_key})
    return json.loads(row[0]) if row and row[0] is not None else {}
