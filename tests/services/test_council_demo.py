"""The demo council: a history with overdue and amended responses, seeded once."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Recruitment
from pb.services import records
from pb.services.council import recruitment as recruitment_service
from pb.services.council import register as council_register
from tests.factories import counts


def test_the_demo_council_has_history_and_is_seeded_once(app: Any) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Created council" in first.output
    seeded = counts()
    rows = council_register.rows()
    statuses = [row.status for row in rows]
    assert {"accepted", "not_accepted", "partly", "overdue"} <= set(statuses)
    assert any(len(row.rec.responses) > 1 for row in rows)  # amended
    assert any(row.days_overdue >= 10 for row in rows)
    # The council's next members are ready to draw: a few hundred volunteers, published.
    recruitment = db.session.scalars(sa.select(Recruitment)).one()
    assert len(recruitment_service.pool(recruitment)) == 300
    assert recruitment.published_at is not None and recruitment.drawn_at is None
    assert 0 < recruitment.smallest <= recruitment.mean == pytest.approx(12 / 300)
    verdict = records.verify()
    assert verdict.ok and verdict.count == seeded["RecordEntry"] >= 9
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "Kept council" in again.output
    assert counts() == seeded
    check = runner.invoke(args=["verify-records"])
    assert check.exit_code == 0 and "intact" in check.output
