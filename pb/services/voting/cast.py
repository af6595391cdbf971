"""Casting a ballot: check it (round open, ballot valid, key well formed), then write it.

A ballot is committed before anyone is told it was accepted. Each submission carries a key the
client made up; the same key from the same voter always gets the same answer, so a retried or
double-clicked submit cannot cast twice, and a late retry of an old submission never undoes a
newer one. One ballot per voter per round is the database's unique constraint, written with an
atomic upsert, so concurrent submits from one voter leave exactly one ballot: the latest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pb.domain import phases
from pb.domain.ballots import BallotRules, Items, check_ballot
from pb.domain.eligibility import receipt_fingerprint
from pb.domain.errors import N_
from pb.extensions import db
from pb.models.base import utcnow
from pb.services import ServiceError
from pb.services.voting import store, totals
from pb.services.voting.identify import Voter, code_used
from pb.services.voting.receipts import current, receipt_for
from pb.services.voting.store import AnyRound

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")  # whole keys only: fullmatch, not match


@dataclass(frozen=True)
class Cast:
    """The answer to a submission: the receipt, and the ballot now counted for the voter."""

    receipt: str
    items: Items
    repeated: bool  # this key had been seen before: nothing new was stored
    replaced: bool  # the voter had a ballot, and this one now counts instead


# Checks ------------------------------------------------------------------------------------

def rules(round_: AnyRound) -> BallotRules:
    """Return what the round's ballots are checked against."""
    return _rules(round_, store.on_ballot(round_.id))


def _rules(round_: AnyRound, proposals: list[Any]) -> BallotRules:
    """Return the round's ballot rules given its (id, cost) pairs on the ballot."""
    return BallotRules(
        method=round_.ballot_method, costs={str(pid): cost for pid, cost in proposals},
        budget=round_.budget_minor, limit=round_.ballot_limit, points=round_.ballot_points,
        max_points=round_.ballot_max_points, min_spend=round_.min_spend_percent,
        currency=round_.currency, order=tuple(str(pid) for pid, _ in proposals))


def voting_open(round_: AnyRound) -> bool:
    """Tell whether the round takes ballots now."""
    return round_.phase == "voting"


def check_open(round_: AnyRound) -> None:
    """Refuse a ballot outside the voting phase, saying which side of it the round is on."""
    if voting_open(round_):
        return
    if phases.index(round_.phase) > phases.index("voting"):
        raise _closed()
    raise ServiceError(N_("Voting in this round has not opened yet; check the timeline for "
                          "when it starts."))


def _closed() -> ServiceError:
    return ServiceError(N_("Voting in this round has closed, so no more ballots can be "
                           "cast. Ballots cast before the close are all counted."))


def check_ballot_for(round_: AnyRound, raw: Any) -> Items:
    """Return the ballot in its stored form, or raise BallotError saying what to change."""
    return check_ballot(rules(round_), raw)


def check_submission_key(key: Any) -> str:
    """Refuse a missing or malformed idempotency key."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ServiceError(N_("This ballot form is out of date; reload the page and vote "
                              "again."))
    return key


# Casting -----------------------------------------------------------------------------------

def do_cast(round_: AnyRound, voter: Voter, raw: Any, key: Any) -> Cast:
    """Store the voter's ballot (replacing any earlier one) and return its receipt.

    Returns only after the commit; the same `key` from the same voter returns the first answer
    again without storing anything. It commits its own transaction (see below), so call it
    outside any `unit_of_work()`.
    """
    key = check_submission_key(key)
    if voter.round_id != round_.id:
        raise ServiceError(N_("That ballot belongs to another round; reload the page."))
    connection = db.session.connection()  # once: each call costs about a statement
    seen, had_ballot, proposals = store.before_cast(connection, round_.id, voter.key, key)
    if seen is not None:
        return _repeated(voter, key)
    check_open(round_)
    items = check_ballot(_rules(round_, proposals), raw)
    if voter.fresh_only and had_ballot is not None:
        raise code_used()
    receipt = receipt_for(voter, key)
    fingerprint = receipt_fingerprint(receipt)
    now = utcnow()
    announce = totals.shown(round_)  # read before the commit expires `round_`
    # The fast path: a hand-tuned transaction, deliberately not `unit_of_work()`. Ballots per
    # second are benchmarked (benchmarks/voting.py), and a race lost to a concurrent retry is
    # answered by reading again after the rollback, in a fresh transaction; the throughput and
    # these answers are kept as they were. The running totals are announced after the commit.
    try:
        if not store.store_submission(connection, round_.id, voter.key, key, fingerprint, now):
            # The same submission, a moment ago, from a concurrent retry.
            db.session.rollback()
            return _repeat(voter, key) or _lost()
        if voter.key.startswith("code:"):
            store.mark_code_used(connection, int(voter.key[5:]), now)
        written, existed = store.store_ballot(connection, {
            "round_id": round_.id, "voter_key": voter.key, "items": items, "source": "online",
            "submission_key": key, "receipt_fp": fingerprint, "cast_at": now,
            "updated_at": now})
        if not written:  # nothing written: the round left voting meanwhile
            db.session.rollback()
            raise _closed()
        if existed and voter.fresh_only:  # a concurrent first ballot with the same code won
            db.session.rollback()
            raise code_used()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if announce:
        totals.ballot_cast(round_)
    return Cast(receipt, items, repeated=False, replaced=existed)


def _repeat(voter: Voter, key: str) -> Cast | None:
    if not store.submission_seen(voter.round_id, voter.key, key):
        return None
    return _repeated(voter, key)


def _repeated(voter: Voter, key: str) -> Cast:
    ballot = current(voter)
    return Cast(receipt_for(voter, key), ballot.items if ballot else [], repeated=True,
                replaced=False)


def _lost() -> Cast:
    raise ServiceError(N_("Your ballot could not be stored; please submit it again."))
