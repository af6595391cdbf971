"""Changing a round's planned phase starts: moved, added and removed phases, kept ones."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.models import PhaseStart, Round
from pb.services import rounds
from tests.conftest import text
from tests.factories import ROUND_FORM as FORM

MARCH = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MAY = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
JUNE = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
JULY = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)


def data_of(round_: Round, **changes: Any) -> rounds.RoundData:
    """Return the round's settings as the edit form would send them, with `changes`."""
    values = {f.name: getattr(round_, f.name) for f in fields(rounds.RoundData)
              if f.name != "starts"}
    values.update(categories=round_.categories or [], areas=round_.areas or [])
    return rounds.RoundData(**{**values, "starts": dict(round_.starts), **changes})


def stored_schedule(round_: Round) -> dict[str, datetime]:
    rows = db.session.execute(sa.select(PhaseStart.phase, PhaseStart.starts_at)
                              .where(PhaseStart.round_id == round_.id)).all()
    return {phase: when.astimezone(UTC) for phase, when in rows}


def test_the_service_moves_adds_and_removes_phase_starts(make_round: Any,
                                                         make_user: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("proposals", officer=officer,
                        starts={"proposals": MARCH, "voting": MAY})
    rounds.do_update_round(officer, round_, data_of(round_, starts={
        "proposals": MARCH, "voting": JUNE}))  # one start moved, one kept
    assert stored_schedule(round_) == {"proposals": MARCH, "voting": JUNE}
    rounds.do_update_round(officer, round_, data_of(round_, starts={
        "voting": JUNE, "closed": JULY}))  # one removed, one added
    assert stored_schedule(round_) == {"voting": JUNE, "closed": JULY}
    rounds.do_update_round(officer, round_, data_of(round_, starts={}))
    assert stored_schedule(round_) == {}


def test_the_edit_form_changes_one_start_and_keeps_the_others(client: Any, make_user: Any,
                                                              login: Any) -> None:
    login(make_user("officer"))
    created = client.post("/rounds/new", data={**FORM, "starts_proposals": "2027-03-01T09:00",
                                               "starts_voting": "2027-05-01T09:00"})
    round_ = db.session.scalar(sa.select(Round))
    assert created.status_code == 302 and set(stored_schedule(round_)) == {"proposals", "voting"}
    before = stored_schedule(round_)
    schedule = {"starts_proposals": "2027-03-01T09:00", "starts_voting": "2027-05-01T09:00"}
    added = client.post(f"/rounds/{round_.id}/edit",
                        data={**FORM, **schedule, "starts_closed": "2027-06-01T10:00"})
    assert added.status_code == 302, text(added)[:500]
    after = stored_schedule(round_)
    assert set(after) == {"proposals", "voting", "closed"}
    assert after["proposals"] == before["proposals"] and after["voting"] == before["voting"]
    moved = client.post(f"/rounds/{round_.id}/edit",
                        data={**FORM, "starts_proposals": "2027-03-01T09:00",
                              "starts_voting": "2027-05-08T09:00"})  # closed removed
    assert moved.status_code == 302, text(moved)[:500]
    final = stored_schedule(round_)
    assert set(final) == {"proposals", "voting"} and final["voting"] != before["voting"]
    assert "8 May 2027" in text(client.get(f"/rounds/{round_.id}"))
