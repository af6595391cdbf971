"""The demo seed: a full town, and running it twice duplicates nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.models import AuditEntry, Proposal, Round, User


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (User, Round, Proposal, AuditEntry))


def test_demo_seeds_every_role_and_several_phases_once(app: Any) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.example.org" in first.output and "password for all" in first.output
    seeded = counts()
    phases = set(db.session.scalars(sa.select(Round.phase)))
    assert {"draft", "proposals", "deliberation", "voting", "results", "closed"} <= phases
    roles = set().union(*(u.role_names for u in db.session.scalars(sa.select(User))))
    assert roles == {"resident", "facilitator", "officer", "council", "admin"}
    assert seeded[2] >= 10
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "Kept round" in again.output
    assert counts() == seeded


def test_create_admin_command(app: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "boss@example.org", "--name", "Boss",
                                 "--password", "a long admin passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@example.org"))
    assert "admin" in user.role_names
    weak = runner.invoke(args=["create-admin", "--email", "b2@example.org", "--name", "B",
                               "--password", "short"])
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
