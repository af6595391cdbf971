"""Prepared statements: SQLAlchemy's SQL and parameter conversion, the driver's execution."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pb.extensions import db
from pb.models import AccessCode, Ballot, Round
from pb.services import voting
from pb.services.prepared import Prepared

CODES = AccessCode.__table__
BALLOTS = Ballot.__table__
INSERT_BALLOT = Prepared(sa.insert(BALLOTS), keys=("round_id", "voter_key", "items", "source",
                                                   "cast_at", "updated_at"))


def test_parameters_are_converted_as_sqlalchemy_would(app: Flask,
                                                      make_round: Callable[..., Round]) -> None:
    round_ = make_round("voting")
    at = datetime(2026, 11, 22, 20, 30, 5, 123456, tzinfo=UTC)
    INSERT_BALLOT.run({"round_id": round_.id, "voter_key": "user:1", "items": ["3", "1"],
                       "source": "online", "cast_at": at, "updated_at": at}).close()
    db.session.commit()
    stored = db.session.scalar(sa.select(Ballot).where(Ballot.round_id == round_.id))
    assert stored is not None
    assert stored.items == ["3", "1"]  # JSON, not the list's repr
    assert stored.cast_at == at  # an aware UTC datetime back, to the microsecond


def test_a_rollback_undoes_a_prepared_write(app: Flask, make_round: Callable[..., Round]) -> None:
    round_ = make_round("voting")
    at = datetime.now(UTC)
    INSERT_BALLOT.run({"round_id": round_.id, "voter_key": "user:2", "items": [],
                       "source": "online", "cast_at": at, "updated_at": at}).close()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BALLOTS)) == 0


def test_database_errors_are_sqlalchemys(app: Flask, make_round: Callable[..., Round]) -> None:
    round_ = make_round("voting")
    at = datetime.now(UTC)
    row: dict[str, Any] = {"round_id": round_.id, "voter_key": "user:3", "items": [],
                           "source": "online", "cast_at": at, "updated_at": at}
    INSERT_BALLOT.run(row).close()
    with pytest.raises(sa.exc.IntegrityError):  # one ballot per voter per round
        INSERT_BALLOT.run(row)
    db.session.rollback()


def test_rows_and_counts(app: Flask, make_round: Callable[..., Round]) -> None:
    round_ = make_round("voting")
    db.session.add_all([AccessCode(round_id=round_.id, code_hash=f"h{i}", batch="b")
                        for i in range(3)])
    db.session.commit()
    ids = Prepared(sa.select(CODES.c.code_hash).where(CODES.c.round_id == sa.bindparam("r"))
                   .order_by(CODES.c.code_hash))
    assert ids.all({"r": round_.id}) == [("h0",), ("h1",), ("h2",)]
    assert ids.first({"r": round_.id + 1}) is None
    used = Prepared(sa.update(CODES).where(CODES.c.round_id == sa.bindparam("r"))
                    .values(used_at=sa.bindparam("now", type_=CODES.c.used_at.type)))
    assert used.rowcount({"r": round_.id, "now": datetime.now(UTC)}) == 3
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(CODES.c.used_at.is_not(None))) == 3


def test_ballot_box_has_the_rounds_casting_fields(app: Flask,
                                                  make_round: Callable[..., Round]) -> None:
    round_ = make_round("voting", running_totals=True)
    box = voting.ballot_box(round_.id)
    assert box is not None
    for name in voting.BallotBox.__dataclass_fields__:
        assert getattr(box, name) == getattr(round_, name), name
    assert box.running_totals is True and box.verified_only is False  # booleans, not 1 and 0
    assert voting.ballot_box(round_.id + 1000) is None
