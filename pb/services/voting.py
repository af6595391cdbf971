"""Casting ballots: who may vote, exactly-once storage with idempotency keys, and receipts.

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

import sqlalchemy as sa
from flask import current_app

from pb.domain import phases
from pb.domain.ballots import BallotRules, Items, check_ballot
from pb.domain.eligibility import (
    check_code_shape,
    keyed_hash,
    normalise_check,
    normalise_code,
    normalise_identifier,
    receipt_code,
    receipt_fingerprint,
)
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import (
    AccessCode,
    Ballot,
    BallotSubmission,
    CensusEntry,
    Certification,
    Round,
    User,
)
from pb.models.base import utcnow
from pb.services import ServiceError, counting

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Voter:
    """Someone allowed to vote in one round: `key` identifies them in that round only.

    `fresh_only` marks an access code sent with the ballot itself (API and sockets): such a
    code may cast once, and repeat that same submission, but not change it afterwards.
    """

    round_id: int
    key: str
    fresh_only: bool = False


@dataclass(frozen=True)
class Cast:
    """The answer to a submission: the receipt, and the ballot now counted for the voter."""

    receipt: str
    items: Items
    repeated: bool  # this key had been seen before: nothing new was stored
    replaced: bool  # the voter had a ballot, and this one now counts instead


def _key() -> bytes:
    return str(current_app.config["PB_VOTING_KEY"]).encode()


def rules(round_: Round) -> BallotRules:
    """Return what the round's ballots are checked against."""
    proposals = counting.ballot_proposals(round_)
    return BallotRules(
        method=round_.ballot_method, costs={str(p.id): p.cost_minor for p in proposals},
        budget=round_.budget_minor, limit=round_.ballot_limit, points=round_.ballot_points,
        max_points=round_.ballot_max_points, min_spend=round_.min_spend_percent,
        currency=round_.currency, order=tuple(str(p.id) for p in proposals))


def voting_open(round_: Round) -> bool:
    """Tell whether the round takes ballots now."""
    return round_.phase == "voting"


def check_open(round_: Round) -> None:
    """Refuse a ballot outside the voting phase, saying which side of it the round is on."""
    if voting_open(round_):
        return
    if phases.index(round_.phase) > phases.index("voting"):
        raise ServiceError(N_("Voting in this round has closed, so no more ballots can be "
                              "cast. Ballots cast before the close are all counted."))
    raise ServiceError(N_("Voting in this round has not opened yet; check the timeline for "
                          "when it starts."))


# Who is voting -----------------------------------------------------------------------------

def voter_for_user(round_: Round, user: User | None) -> Voter:
    """Return the voter an account is, in a round open to accounts."""
    if round_.eligibility != "accounts":
        raise ServiceError(N_("This round does not use accounts to vote; use the code or "
                              "details the organisers gave you."))
    if user is None or not user.is_authenticated:
        raise ServiceError(N_("Log in to vote in this round."))
    if round_.verified_only and user.email_verified_at is None:
        raise ServiceError(N_("This round only takes votes from accounts with a confirmed "
                              "email address. Confirm yours from your profile page first."))
    return Voter(round_.id, f"user:{user.id}")


def voter_for_code(round_: Round, text: str, *, fresh_only: bool = False) -> Voter:
    """Return the voter a printed access code is, refusing unknown and used codes.

    A code that has voted is refused here; the browser that used it keeps its identity in the
    session, so the same person can still change their ballot before the close.
    """
    if round_.eligibility != "codes":
        raise ServiceError(N_("This round does not use voting codes."), field="code")
    code = normalise_code(text or "")
    check_code_shape(code)
    found = db.session.scalar(sa.select(AccessCode).where(
        AccessCode.code_hash == keyed_hash(_key(), "code", code)))
    if found is None or found.round_id != round_.id:
        raise ServiceError(N_("That code is not one of this round's voting codes. Check the "
                              "card and try again."), field="code")
    voter = Voter(round_.id, f"code:{found.id}", fresh_only=fresh_only)
    if found.used_at is not None and not fresh_only:
        raise ServiceError(N_("That code has already been used to vote. If you voted with it "
                              "on this device, your ballot is safe; each code votes once."),
                           field="code")
    return voter


def voter_for_census(round_: Round, identifier: str, check: str) -> Voter:
    """Return the voter whose census identifier and checking detail both match."""
    if round_.eligibility != "census":
        raise ServiceError(N_("This round does not use a census."))
    ident = normalise_identifier(identifier or "")
    if not ident:
        raise ServiceError(N_("Fill in your identifier."), field="identifier")
    value = normalise_check(round_.census_check or "postcode", check or "")
    entry = db.session.scalar(sa.select(CensusEntry).where(
        CensusEntry.round_id == round_.id,
        CensusEntry.id_hash == keyed_hash(_key(), "census-id", ident)))
    if entry is None or entry.check_hash != keyed_hash(_key(), "census-check", value):
        # One message for both, so the form does not tell who is on the census.
        raise ServiceError(N_("Those details do not match anyone on this round's list of "
                              "voters. Check them against your letter and try again."))
    return Voter(round_.id, f"census:{entry.id}")


def check_ballot_for(round_: Round, raw: Any) -> Items:
    """Return the ballot in its stored form, or raise BallotError saying what to change."""
    return check_ballot(rules(round_), raw)


# Casting -----------------------------------------------------------------------------------

def check_submission_key(key: Any) -> str:
    """Refuse a missing or malformed idempotency key."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ServiceError(N_("This ballot form is out of date; reload the page and vote "
                              "again."))
    return key


def _receipt(voter: Voter, key: str) -> str:
    return receipt_code(_key(), voter.round_id, voter.key, key)


def _repeat(voter: Voter, key: str) -> Cast | None:
    seen = db.session.scalar(sa.select(BallotSubmission.id).where(
        BallotSubmission.round_id == voter.round_id, BallotSubmission.voter_key == voter.key,
        BallotSubmission.key == key))
    if seen is None:
        return None
    ballot = current(voter)
    return Cast(_receipt(voter, key), ballot.items if ballot else [], repeated=True,
                replaced=False)


def _insert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def do_cast(round_: Round, voter: Voter, raw: Any, key: Any) -> Cast:
    """Store the voter's ballot (replacing any earlier one) and return its receipt.

    Returns only after the commit; the same `key` from the same voter returns the first answer
    again without storing anything.
    """
    key = check_submission_key(key)
    if voter.round_id != round_.id:
        raise ServiceError(N_("That ballot belongs to another round; reload the page."))
    repeat = _repeat(voter, key)
    if repeat is not None:
        return repeat
    check_open(round_)
    items = check_ballot_for(round_, raw)
    if voter.fresh_only and current(voter) is not None:
        raise ServiceError(N_("That code has already been used to vote. If you voted with it "
                              "on this device, your ballot is safe; each code votes once."),
                           field="code")
    receipt = _receipt(voter, key)
    fingerprint = receipt_fingerprint(receipt)
    now = utcnow()
    insert = _insert(db.engine.dialect.name)
    try:
        stored = db.session.execute(
            insert(BallotSubmission).values(round_id=round_.id, voter_key=voter.key, key=key,
                                            receipt_fp=fingerprint, at=now)
            .on_conflict_do_nothing()).rowcount
        if stored != 1:  # the same submission, a moment ago, from a concurrent retry
            db.session.rollback()
            return _repeat(voter, key) or _lost()
        existed = current(voter) is not None
        values = {"items": items, "submission_key": key, "receipt_fp": fingerprint,
                  "updated_at": now}
        db.session.execute(
            insert(Ballot).values(round_id=round_.id, voter_key=voter.key, source="online",
                                  cast_at=now, **values)
            .on_conflict_do_update(index_elements=["round_id", "voter_key"], set_=values))
        if voter.key.startswith("code:"):
            db.session.execute(sa.update(AccessCode).where(
                AccessCode.id == int(voter.key[5:]), AccessCode.used_at.is_(None))
                .values(used_at=now))
        # Still voting at commit time: a close that raced this ballot wins cleanly.
        if not db.session.scalar(sa.select(Round.phase == "voting").where(
                Round.id == round_.id)):
            db.session.rollback()
            raise ServiceError(N_("Voting in this round has closed, so no more ballots can be "
                                  "cast. Ballots cast before the close are all counted."))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    from pb.services import totals

    totals.ballot_cast(round_)
    return Cast(receipt, items, repeated=False, replaced=existed)


def _lost() -> Cast:
    raise ServiceError(N_("Your ballot could not be stored; please submit it again."))


def current(voter: Voter) -> Ballot | None:
    """Return the ballot counted for the voter now, if any."""
    return db.session.scalar(sa.select(Ballot).where(Ballot.round_id == voter.round_id,
                                                     Ballot.voter_key == voter.key))


def current_receipt(voter: Voter) -> str | None:
    """Return the receipt of the voter's counted ballot (derived again, never stored)."""
    ballot = current(voter)
    if ballot is None or ballot.submission_key is None:
        return None
    return _receipt(voter, ballot.submission_key)


# Receipts ----------------------------------------------------------------------------------

def certified(round_: Round) -> bool:
    """Tell whether the round's results are certified (and so published)."""
    return db.session.scalar(sa.select(Certification.id).where(
        Certification.round_id == round_.id)) is not None


def receipt_status(round_: Round, code: str) -> str:
    """Say what became of a receipt: "counted", "stored" (before results), "replaced" or
    "unknown"."""
    fingerprint = receipt_fingerprint(code or "")
    if db.session.scalar(sa.select(Ballot.id).where(Ballot.round_id == round_.id,
                                                    Ballot.receipt_fp == fingerprint)):
        return "counted" if certified(round_) else "stored"
    if db.session.scalar(sa.select(BallotSubmission.id).where(
            BallotSubmission.round_id == round_.id,
            BallotSubmission.receipt_fp == fingerprint)):
        return "replaced"
    return "unknown"


def receipt_fingerprints(round_: Round) -> list[str]:
    """Return the fingerprints of every counted online ballot's receipt, sorted, so the list
    cannot be matched to the (shuffled) ballots by position."""
    return sorted(db.session.scalars(sa.select(Ballot.receipt_fp).where(
        Ballot.round_id == round_.id, Ballot.receipt_fp.is_not(None))))


def counts(round_: Round) -> dict[str, int]:
    """Return how many ballots the round holds, by source."""
    rows = db.session.execute(sa.select(Ballot.source, sa.func.count())
                              .where(Ballot.round_id == round_.id).group_by(Ballot.source))
    return {source: n for source, n in rows}
