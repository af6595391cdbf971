"""The ballot box: the statements of the casting path, and reading ballots without the ORM.

A ballot is cast many times a second, and building, coercing and executing SQLAlchemy
statements cost more than running them (see `pb.services.prepared`), so the statements here
are built once and compiled once per database. Only ids and scalars are read, never whole ORM
objects. Nothing here commits: casting (`pb.services.voting.cast`) runs these statements in its
own transaction. Everything the box keeps about a voter is keyed with `voting_key()`: census
and code hashes, receipt fingerprints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from pb.extensions import db
from pb.models import AccessCode, Ballot, BallotSubmission, Proposal, Round
from pb.services import counting
from pb.services.prepared import Prepared


def voting_key() -> bytes:
    """Return the key of every census hash, code hash and receipt (PB_VOTING_KEY)."""
    return str(current_app.config["PB_VOTING_KEY"]).encode()


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


# Reading -----------------------------------------------------------------------------------

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


def on_ballot(round_id: int) -> list[Any]:
    """Return the (id, cost) of every proposal on the round's ballot, by id."""
    return _ON_BALLOT.all({"round_id": round_id})


def find_code(code_hash: str) -> tuple[int, int, bool] | None:
    """Return (code id, round id, whether it has voted) for a code's hash, if it is known."""
    row = _CODE.first({"code_hash": code_hash})
    return None if row is None else (row[0], row[1], bool(row[2]))


def before_cast(connection: sa.Connection, round_id: int, voter_key: str,
                key: str) -> tuple[Any, Any, list[Any]]:
    """Return what a cast reads before writing, in one statement: whether this submission
    key was seen (its id, or None), whether the voter has a ballot (its id, or None), and
    the (id, cost) of the proposals on the ballot."""
    read = _BEFORE_CAST.all({"round_id": round_id, "voter_key": voter_key, "key": key},
                            connection)
    return read[0][0], read[0][1], [(pid, cost) for _, _, pid, cost in read
                                    if pid is not None]


def submission_seen(round_id: int, voter_key: str, key: str) -> bool:
    """Tell whether the voter's submission with this key is stored."""
    return _SEEN_ONE.first({"round_id": round_id, "voter_key": voter_key,
                            "key": key}) is not None


def ballot_of(round_id: int, voter_key: str) -> Ballot | None:
    """Return the ballot counted for a voter now, if any."""
    return db.session.scalar(sa.select(Ballot).where(Ballot.round_id == round_id,
                                                     Ballot.voter_key == voter_key))


def counts(round_: Round) -> dict[str, int]:
    """Return how many ballots the round holds, by source."""
    rows = db.session.execute(sa.select(Ballot.source, sa.func.count())
                              .where(Ballot.round_id == round_.id).group_by(Ballot.source))
    return {source: n for source, n in rows}


# Writing (in the caller's transaction) -----------------------------------------------------

def store_submission(connection: sa.Connection, round_id: int, voter_key: str, key: str,
                     fingerprint: str, now: datetime) -> bool:
    """Record a submission; False when its key is taken (the same one, a moment ago)."""
    submission, _ = _upserts(connection.dialect)
    row = {"round_id": round_id, "voter_key": voter_key, "key": key, "receipt_fp": fingerprint,
           "at": now}
    if connection.dialect.insert_returning:
        return submission.first(row, connection) is not None
    return submission.rowcount(row, connection) == 1


def mark_code_used(connection: sa.Connection, code_id: int, now: datetime) -> None:
    """Mark an access code as having voted (once: a later vote keeps the first time)."""
    _CODE_USED.run({"code_id": code_id, "now": now}, connection).close()


def store_ballot(connection: sa.Connection, row: dict[str, Any]) -> tuple[bool, bool]:
    """Write the voter's ballot over any earlier one, if the round is still voting.

    Returns (written, replaced): nothing is written once the round has left voting.
    """
    _, ballot = _upserts(connection.dialect)
    if connection.dialect.insert_returning:  # the upsert itself says whether it replaced
        written = ballot.first(row, connection)
        return written is not None, written is not None and not written[0]
    existed = _BALLOT_ID_ONE.first({"round_id": row["round_id"], "voter_key": row["voter_key"]},
                                   connection) is not None
    return bool(ballot.rowcount(row, connection)), existed


def _upserts(dialect: sa.Dialect) -> tuple[Prepared, Prepared]:
    """Return the two inserts of a cast: the submission (unless its key is taken) and the
    ballot (replacing the voter's), which writes nothing once the round has left voting.
    Where the database has RETURNING (SQLite 3.35+, PostgreSQL), the first returns its id
    when it stored a row and the second whether it inserted rather than replaced."""
    returning = bool(dialect.insert_returning)
    if (dialect.name, returning) not in _UPSERTS:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
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
