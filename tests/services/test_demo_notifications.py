"""The demo resident finds notifications waiting, and seeding again adds none."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.models import Notification, User
from pb.services import notifications


def test_the_demo_resident_has_notifications_waiting(app: Any) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    resident = db.session.scalar(sa.select(User).where(
        User.email == "resident@demo.example.org"))
    kinds = {n.kind for n in notifications.latest(resident)}
    assert {"phase", "results", "review"} <= kinds
    assert notifications.unread_count(resident) >= 3
    assert "notifications for resident@demo.example.org" in first.output
    assert "Kept the notifications of resident@demo.example.org" in runner.invoke(
        args=["demo"]).output
    seeded = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == seeded
