"""Casting ballots: who may vote, exactly-once storage with idempotency keys, and receipts.

A ballot is committed before anyone is told it was accepted. Each submission carries a key the
client made up; the same key from the same voter always gets the same answer, so a retried or
double-clicked submit cannot cast twice, and a late retry of an old submission never undoes a
newer one. One ballot per voter per round is the database's unique constraint, written with an
atomic upsert, so concurrent submits from one voter leave exactly one ballot: the latest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
    Proposal,
    Round,
    User,
)
from pb.models.base import utcnow
from pb.services import ServiceError, counting
from pb.services.prepared import Prepared
from pb.services.voting import totals

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")  # whole keys only: fullmatch, not match


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


@dataclass(frozen=True)
class BallotBox:
    """What casting needs of a round, read without the ORM: the fields of `Round` that the
    casting path uses, under the same names, so either can be passed to it.

    Loading a whole `Round` (with its identity-map bookkeeping and phase schedule) cost more
    than the rest of a ballot; this is one prebuilt statement and a tuple.
    """

    id: int
    phase: str
    eligibility: str
    verified_only: bool
    census_check: str | None
    ballot_method: str
    budget_minor: int
    currency: str
    ballot_limit: int | None
    ballot_points: int | None
    ballot_max_points: int | None
    min_spend_percent: int
    running_totals: bool


AnyRound = Round | BallotBox


def voting_key() -> bytes:
    """Return the key of every census hash, code hash and receipt (PB_VOTING_KEY)."""
    return str(current_app.config["PB_VOTING_KEY"]).encode()


# The statements of the casting path, built once and compiled once per database: a ballot is
# cast many times a second, and building, coercing and executing SQLAlchemy statements cost
# more than running them (see pb.services.prepared). Only ids and scalars are read, never
# whole ORM objects.
_PROPOSALS = Proposal.__table__
_SUBMISSIONS = BallotSubmission.__table__
_BALLOTS = Ballot.__table__
_CODES = AccessCode.__table__
_ROUNDS = Round.__table__
# The same proposals, in the same order, as counting.ballot_proposals; the statuses are our
# own constants, written into the SQL rather than expanded into parameters on every run.
_ON_BALLOT_WHERE = sa.and_(
    _PROPOSALS.c.round_id == sa.bindparam("round_id"),
    _PROPOSALS.c.status.in_([sa.literal_column(f"'{s}'") for s in counting.ON_BALLOT]))
_ON_BALLOT = Prepared(sa.select(_PROPOSALS.c.id, _PROPOSALS.c.cost_minor)
                      .where(_ON_BALLOT_WHERE).order_by(_PROPOSALS.c.id))
# Whether the code was used is read as a flag: Prepared rows are not result-processed.
_CODE = Prepared(sa.select(_CODES.c.id, _CODES.c.round_id, _CODES.c.used_at.is_not(None))
                 .where(_CODES.c.code_hash == sa.bindparam("code_hash")))
_SEEN = (sa.select(_SUBMISSIONS.c.id)
         .where(_SUBMISSIONS.c.round_id == sa.bindparam("round_id"),
                _SUBMISSIONS.c.voter_key == sa.bindparam("voter_key"),
                _SUBMISSIONS.c.key == sa.bindparam("key")))
_BALLOT_ID = (sa.select(_BALLOTS.c.id)
              .where(_BALLOTS.c.round_id == sa.bindparam("round_id"),
                     _BALLOTS.c.voter_key == sa.bindparam("voter_key")))
# All that a cast reads before writing, in one statement: has this key been seen, has the
# voter a ballot already (the same on every row), and the proposals on the ballot (none when
# the round has none: one row of NULLs).
_STATE = sa.select(_SEEN.scalar_subquery().label("seen"),
                   _BALLOT_ID.scalar_subquery().label("ballot")).subquery("state")
_BEFORE_CAST = Prepared(
    sa.select(_STATE.c.seen, _STATE.c.ballot, _PROPOSALS.c.id, _PROPOSALS.c.cost_minor)
    .select_from(_STATE.outerjoin(_PROPOSALS, _ON_BALLOT_WHERE))
    .order_by(_PROPOSALS.c.id))
_SEEN_ONE = Prepared(_SEEN)
_BALLOT_ID_ONE = Prepared(_BALLOT_ID)
_CODE_USED = Prepared(
    sa.update(_CODES).where(_CODES.c.id == sa.bindparam("code_id"), _CODES.c.used_at.is_(None))
    .values(used_at=sa.bindparam("now", type_=_CODES.c.used_at.type)))
_UPSERTS: dict[tuple[str, bool], tuple[Prepared, Prepared]] = {}
_BOX = Prepared(sa.select(*(_ROUNDS.c[name] for name in BallotBox.__dataclass_fields__))
                .where(_ROUNDS.c.id == sa.bindparam("round_id")))


def ballot_box(round_id: int) -> BallotBox | None:
    """Return what casting needs of the round, or None when there is no such round. Drafts
    are returned too: who may see a draft is the caller's question (`rounds.may_see`)."""
    row = _BOX.first({"round_id": round_id})
    if row is None:
        return None
    box = BallotBox(*row)
    # The driver's own values: SQLite keeps booleans as 0 and 1.
    return replace(box, verified_only=bool(box.verified_only),
                   running_totals=bool(box.running_totals))


def _upserts(dialect: sa.Dialect) -> tuple[Prepared, Prepared]:
    """Return the two inserts of a cast: the submission (unless its key is taken) and the
    ballot (replacing the voter's), which writes nothing once the round has left voting.
    Where the database has RETURNING (SQLite 3.35+, PostgreSQL), the first returns its id
    when it stored a row and the second whether it inserted rather than replaced."""
    returning = bool(dialect.insert_returning)
    if (dialect.name, returning) not in _UPSERTS:
        insert = _insert(dialect.name)
        submission = insert(_SUBMISSIONS).on_conflict_do_nothing()
        names = ("round_id", "voter_key", "items", "source", "submission_key", "receipt_fp",
                 "cast_at", "updated_at")
        # Still voting when the ballot is written, its transaction's last statement: a close
        # that raced this ballot wins cleanly.
        values = sa.select(*(sa.bindparam(name, type_=_BALLOTS.c[name].type)
                             for name in names)).where(
            sa.exists().where(_ROUNDS.c.id == sa.bindparam("round_id"),
                              _ROUNDS.c.phase == sa.literal_column("'voting'")))
        ballot = insert(_BALLOTS).from_select(names, values)
        columns = ("items", "submission_key", "receipt_fp", "updated_at")
        ballot = ballot.on_conflict_do_update(
            index_elements=["round_id", "voter_key"],
            set_={name: ballot.excluded[name] for name in columns})
        if returning:
            # A replaced ballot keeps the cast_at of the voter's first ballot, written by an
            # earlier commit at an earlier time; a new one has cast_at == updated_at.
            submission = submission.returning(_SUBMISSIONS.c.id)
            ballot = ballot.returning(
                (_BALLOTS.c.cast_at == _BALLOTS.c.updated_at).label("fresh"))
        _UPSERTS[dialect.name, returning] = (
            Prepared(submission, keys=("round_id", "voter_key", "key", "receipt_fp", "at")),
            Prepared(ballot))
    return _UPSERTS[dialect.name, returning]


def rules(round_: AnyRound) -> BallotRules:
    """Return what the round's ballots are checked against."""
    return _rules(round_, _ON_BALLOT.all({"round_id": round_.id}))


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
        raise ServiceError(N_("Voting in this round has closed, so no more ballots can be "
                              "cast. Ballots cast before the close are all counted."))
    raise ServiceError(N_("Voting in this round has not opened yet; check the timeline for "
                          "when it starts."))


# Who is voting -----------------------------------------------------------------------------

def voter_for_user(round_: AnyRound, user: User | None) -> Voter:
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


def voter_for_code(round_: AnyRound, text: str, *, fresh_only: bool = False) -> Voter:
    """Return the voter a printed access code is, refusing unknown and used codes.

    A code that has voted is refused here; the browser that used it keeps its identity in the
    session, so the same person can still change their ballot before the close.
    """
    if round_.eligibility != "codes":
        raise ServiceError(N_("This round does not use voting codes."), field="code")
    code = normalise_code(text or "")
    check_code_shape(code)
    found = _CODE.first({"code_hash": keyed_hash(voting_key(), "code", code)})
    if found is None or found[1] != round_.id:
        raise ServiceError(N_("That code is not one of this round's voting codes. Check the "
                              "card and try again."), field="code")
    code_id, _, used = found
    voter = Voter(round_.id, f"code:{code_id}", fresh_only=fresh_only)
    if used and not fresh_only:
        raise ServiceError(N_("That code has already been used to vote. If you voted with it "
                              "on this device, your ballot is safe; each code votes once."),
                           field="code")
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


def check_ballot_for(round_: AnyRound, raw: Any) -> Items:
    """Return the ballot in its stored form, or raise BallotError saying what to change."""
    return check_ballot(rules(round_), raw)


# Casting -----------------------------------------------------------------------------------

def check_submission_key(key: Any) -> str:
    """Refuse a missing or malformed idempotency key."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ServiceError(N_("This ballot form is out of date; reload the page and vote "
                              "again."))
    return key


def _receipt(voter: Voter, key: str) -> str:
    return receipt_code(voting_key(), voter.round_id, voter.key, key)


def _repeat(voter: Voter, key: str) -> Cast | None:
    seen = _SEEN_ONE.first({"round_id": voter.round_id, "voter_key": voter.key, "key": key})
    if seen is None:
        return None
    return _repeated(voter, key)


def _repeated(voter: Voter, key: str) -> Cast:
    ballot = current(voter)
    return Cast(_receipt(voter, key), ballot.items if ballot else [], repeated=True,
                replaced=False)


def _insert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def do_cast(round_: AnyRound, voter: Voter, raw: Any, key: Any) -> Cast:
    """Store the voter's ballot (replacing any earlier one) and return its receipt.

    Returns only after the commit; the same `key` from the same voter returns the first answer
    again without storing anything.
    """
    key = check_submission_key(key)
    if voter.round_id != round_.id:
        raise ServiceError(N_("That ballot belongs to another round; reload the page."))
    who = {"round_id": round_.id, "voter_key": voter.key}
    connection = db.session.connection()  # once: each call costs about a statement
    read = _BEFORE_CAST.all({**who, "key": key}, connection)
    seen, had_ballot = read[0][0], read[0][1]
    if seen is not None:
        return _repeated(voter, key)
    check_open(round_)
    items = check_ballot(_rules(round_, [(pid, cost) for _, _, pid, cost in read
                                         if pid is not None]), raw)
    if voter.fresh_only and had_ballot is not None:
        raise _code_used()
    receipt = _receipt(voter, key)
    fingerprint = receipt_fingerprint(receipt)
    now = utcnow()
    announce = totals.shown(round_)  # read before the commit expires `round_`
    dialect = connection.dialect
    submission, ballot = _upserts(dialect)
    returning = bool(dialect.insert_returning)
    try:
        row = {**who, "key": key, "receipt_fp": fingerprint, "at": now}
        stored = (submission.first(row, connection) is not None if returning
                  else submission.rowcount(row, connection) == 1)
        if not stored:  # the same submission, a moment ago, from a concurrent retry
            db.session.rollback()
            return _repeat(voter, key) or _lost()
        if voter.key.startswith("code:"):
            _CODE_USED.run({"code_id": int(voter.key[5:]), "now": now}, connection).close()
        row = {**who, "items": items, "source": "online", "submission_key": key,
               "receipt_fp": fingerprint, "cast_at": now, "updated_at": now}
        written: Any
        if returning:  # the upsert itself says whether the voter had a ballot
            written = ballot.first(row, connection)
            existed = written is not None and not written[0]
        else:
            existed = _BALLOT_ID_ONE.first(who, connection) is not None
            written = ballot.rowcount(row, connection) or None
        if written is None:  # nothing written: the round left voting meanwhile
            db.session.rollback()
            raise ServiceError(N_("Voting in this round has closed, so no more ballots can be "
                                  "cast. Ballots cast before the close are all counted."))
        if existed and voter.fresh_only:  # a concurrent first ballot with the same code won
            db.session.rollback()
            raise _code_used()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if announce:
        totals.ballot_cast(round_)
    return Cast(receipt, items, repeated=False, replaced=existed)


def _code_used() -> ServiceError:
    return ServiceError(N_("That code has already been used to vote. If you voted with it on "
                           "this device, your ballot is safe; each code votes once."),
                        field="code")


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
