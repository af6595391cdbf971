"""The demo seed: a full town, and running it twice duplicates nothing."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from pb.demo import voting as demo_voting
from pb.extensions import db
from pb.models import AuditEntry, Proposal, Round, User
from pb.services import voting


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
    # Every round is announced once, by its title and phase, the codes round included.
    for round_ in db.session.scalars(sa.select(Round)):
        line = f"Created round {round_.id}: {round_.title} (phase: {round_.phase})"
        assert first.output.count(line) == 1, line
    assert "Schools' Choice 2026" in first.output and "(draft) (draft)" not in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "Kept round" in again.output
    assert counts() == seeded
    assert again.output.count("Kept round") == seeded[1]
    assert not re.search(CODE, again.output)  # only hashes are kept: no codes to show again


CODE = r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b"


def test_fresh_voting_codes_on_each_fresh_seed(app: Any, make_user: Any) -> None:
    officer = make_user("officer")
    first, created, lines = demo_voting.seed_voting(officer, officer)
    codes = [line.strip() for line in lines if re.fullmatch(rf"  {CODE}", line)]
    assert created and len(codes) == demo_voting.CODES == len(set(codes))
    assert voting.voter_for_code(first, codes[0]).key  # a printed code lets its holder in
    first.title = "An earlier demo"  # as if the demo town were seeded afresh
    db.session.commit()
    _second, created, lines = demo_voting.seed_voting(officer, officer)
    fresh = [line.strip() for line in lines if re.fullmatch(rf"  {CODE}", line)]
    assert created and len(fresh) == len(codes) and not set(fresh) & set(codes)


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
