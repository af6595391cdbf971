"""The backup drill: `pb backup` while ballots stream in, `pb restore` into a fresh database,
and every ballot acknowledged before the backup began is there exactly once, with a decision
record that verifies. Bad backups and full targets are refused, changing nothing."""

from __future__ import annotations

import io
import json
import tarfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from pb import create_app
from pb.extensions import db
from pb.models import Ballot
from pb.services import accounts, outcomes, records, rounds, voting
from pb.services import backup as backups
from pb.services.voting import codes
from tests.conftest import PASSWORD, make_config
from tests.factories import add_projects
from tests.servers import PostgresServer

VOTERS = 120


def codes_round() -> tuple[int, list[str], list[str]]:
    """A round open for voting by code, certified results elsewhere for a record entry."""
    officer = accounts.do_register("officer@drill.example", "Officer", PASSWORD,
                                   extra_roles=("officer",))
    round_ = rounds.do_create_round(officer, rounds.RoundData(
        title="Drill", area="Town", budget_minor=100_000, currency="GBP",
        ballot_method="approval", tally_rule="greedy", eligibility="codes"))
    for phase in ("proposals", "review", "deliberation"):
        rounds.do_change_phase(officer, round_, phase)
    ids = [str(p.id) for p in add_projects(round_, [40_000, 50_000, 30_000])]
    rounds.do_change_phase(officer, round_, "voting")
    made = codes.do_generate_codes(officer, round_, VOTERS, "drill")
    return round_.id, ids, made


def certified_round() -> None:
    """Another round whose certified count puts an entry in the decision record."""
    officer = accounts.do_register("certifier@drill.example", "Certifier", PASSWORD,
                                   extra_roles=("officer",))
    round_ = rounds.do_create_round(officer, rounds.RoundData(
        title="Past", area="Town", budget_minor=100_000, currency="GBP",
        ballot_method="approval", tally_rule="greedy"))
    for phase in ("proposals", "review", "deliberation"):
        rounds.do_change_phase(officer, round_, phase)
    (project,) = add_projects(round_, [60_000])
    rounds.do_change_phase(officer, round_, "voting")
    box = voting.ballot_box(round_.id)
    voting.do_cast(box, voting.voter_for_user(box, officer), [str(project.id)], "past-ballot-1")
    rounds.do_change_phase(officer, round_, "results")
    outcomes.do_certify(officer, round_)


def stream(app: Flask, round_id: int, ids: list[str], voters: list[str],
           acked: list[tuple[str, float]], stop: threading.Event) -> None:
    """Cast one ballot per code, recording each acknowledged key and when its ack came."""
    with app.app_context():
        cast_each(app.test_client(), round_id, ids, voters, acked, stop)


def cast_each(client: Any, round_id: int, ids: list[str], voters: list[str],
              acked: list[tuple[str, float]], stop: threading.Event) -> None:
    for n, code in enumerate(voters):
        if stop.is_set():
            return
        key = f"drill-{n:05d}"
        answer = client.post(f"/rounds/{round_id}/ballot",
                             json={"code": code, "key": key, "items": ids[n % 3:n % 3 + 1]})
        if answer.status_code == 200 and answer.get_json()["ok"]:
            acked.append((key, time.monotonic()))
        else:
            raise AssertionError(answer.get_data(as_text=True))


def drill(source: Flask, empty: Flask, folder: Path) -> str:
    """`pb backup` from `source` while ballots stream in; `pb restore` into `empty`; check
    every ballot acknowledged before the backup began is there exactly once and `pb
    verify-records` passes. Return what `pb backup` said."""
    certified_round()
    round_id, ids, voters = codes_round()
    acked: list[tuple[str, float]] = []
    stop = threading.Event()
    worker = threading.Thread(target=stream, args=(source, round_id, ids, voters, acked, stop))
    worker.start()
    deadline = time.monotonic() + 60
    while len(acked) < VOTERS // 3:  # a stream well under way
        assert worker.is_alive() and time.monotonic() < deadline, f"{len(acked)} acked"
        time.sleep(0.01)
    began = time.monotonic()
    made = source.test_cli_runner().invoke(args=["backup", str(folder / "site.pbbackup")])
    worker.join(60)
    stop.set()
    assert made.exit_code == 0 and "Backed up" in made.output, made.output
    before = {key for key, at in acked if at < began}
    assert before
    runner = empty.test_cli_runner()
    with empty.app_context():  # the commands run in the app context they find
        restored = runner.invoke(args=["restore", str(folder / "site.pbbackup")])
        assert restored.exit_code == 0 and "Restored" in restored.output, restored.output
        keys = db.session.scalars(sa.select(Ballot.submission_key)
                                  .where(Ballot.round_id == round_id)).all()
        assert len(keys) == len(set(keys))  # each ballot once
        assert before <= set(keys)
        verified = runner.invoke(args=["verify-records"])
        assert verified.exit_code == 0 and "intact" in verified.output, verified.output
        db.session.remove()
    return made.output


def test_a_backup_during_voting_restores_every_acknowledged_ballot(app: Flask,
                                                                   tmp_path: Path) -> None:
    empty = create_app(make_config(tmp_path / "restored.sqlite3"))
    said = drill(app, empty, tmp_path)
    assert "sqlite" in said and backups.head_revision() in said


@pytest.fixture()
def backup_file(app: Flask, tmp_path: Path) -> Path:
    certified_round()
    backups.do_backup(tmp_path / "site.pbbackup")
    return tmp_path / "site.pbbackup"


def tables_of(app: Flask) -> list[str]:
    with app.app_context():
        return sa.inspect(db.engine).get_table_names()


def test_a_truncated_backup_is_refused_and_changes_nothing(backup_file: Path,
                                                           tmp_path: Path) -> None:
    whole = backup_file.read_bytes()
    cut = tmp_path / "cut.pbbackup"
    cut.write_bytes(whole[:len(whole) // 2])
    empty = create_app(make_config(tmp_path / "target.sqlite3"))
    with empty.app_context(), pytest.raises(backups.BackupError, match="not a whole pb backup"):
        backups.do_restore(cut)
    assert tables_of(empty) == []


def test_a_backup_of_another_schema_is_refused(backup_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.pbbackup"
    with tarfile.open(backup_file) as original, tarfile.open(other, "w") as copy:
        manifest = json.loads(original.extractfile("manifest.json").read())  # type: ignore[union-attr]
        body = json.dumps({**manifest, "revision": "0123abcd"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        copy.addfile(info, io.BytesIO(body))
        data = original.getmember("database")
        copy.addfile(data, original.extractfile(data))
    empty = create_app(make_config(tmp_path / "target.sqlite3"))
    with empty.app_context(), pytest.raises(backups.BackupError, match="schema 0123abcd"):
        backups.do_restore(other)
    assert tables_of(empty) == []


def test_a_database_that_is_not_empty_needs_replace(app: Flask, backup_file: Path) -> None:
    refused = app.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert refused.exit_code == 1 and "--replace" in refused.output
    with pytest.raises(backups.BackupError, match="--replace"):
        backups.do_restore(backup_file)
    assert backups.do_restore(backup_file, replace=True).kind == "sqlite"
    assert records.verify().problem is None


@pytest.mark.postgres
def test_the_drill_on_postgresql(tmp_path: Path) -> None:
    server = PostgresServer()
    server.start()
    try:
        with sa.create_engine(server.url, isolation_level="AUTOCOMMIT").connect() as admin:
            admin.execute(sa.text("CREATE DATABASE source"))
            admin.execute(sa.text("CREATE DATABASE target"))
        base = server.url.rsplit("/", 1)[0]
        source = create_app(make_config(f"{base}/source"))
        empty = create_app(make_config(f"{base}/target"))
        with source.app_context():
            upgrade()
            made = drill(source, empty, tmp_path)
            db.session.remove()
            db.engine.dispose()
        with empty.app_context():
            db.engine.dispose()
        assert "postgresql" in made
    finally:
        server.remove()

