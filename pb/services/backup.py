"""Back up the whole database while the site runs, and restore a backup into an empty one.

A backup is one tar file: `manifest.json` (the database kind, the schema revision, when it
was made, what it holds, and the SHA-256 of the data) and `database`, a consistent snapshot:
SQLite's online backup API for SQLite, `pg_dump --format=custom` for PostgreSQL. Both read a
snapshot without stopping writers, so a backup may be made while voting is open. A restore
checks everything first (a whole file, the same kind of database, the schema this pb
expects, an empty target unless told to replace) and changes nothing when a check fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from pb.config import ROOT
from pb.extensions import db
from pb.services import security_log

FORMAT = 1
MANIFEST, DATA = "manifest.json", "database"


class BackupError(RuntimeError):
    """A backup that cannot be made or restored, with what to do instead (for the operator
    at the command line, in English like the rest of its output)."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds, and what making or restoring it took."""

    kind: str
    revision: str
    ballots: int
    size: int
    seconds: float


def head_revision() -> str:
    """Return the schema revision this pb's migrations build."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:  # pragma: no cover - the repository always has migrations
        raise BackupError("This pb has no database migrations.")
    return head


def _engine() -> sa.Engine:
    return db.engine


def _kind() -> str:
    return _engine().dialect.name


def _tables(connection: sa.Connection) -> list[str]:
    return sa.inspect(connection).get_table_names()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """Return a libpq address for pg_dump and pg_restore, the password in the environment
    (so it never shows in the process list)."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    """Return PostgreSQL's `name` command: on the PATH, or the newest installed one."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                reverse=True)), None)
    if found is None:
        raise BackupError(f"PostgreSQL's {name} is not installed: install the PostgreSQL "
                          "client (apt-get install postgresql-client).")
    return found


def _snapshot(target: Path) -> str:
    """Write a consistent copy of the database to `target`; return its schema revision."""
    engine = _engine()
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(str(engine.url.database), timeout=30)
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)  # one step: a snapshot that writers do not disturb
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            copy.close()
            source.close()
        return str(row[0])
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            revision = connection.execute(
                sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        address, env = _libpq(engine.url)
        done = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner",  # noqa: S603
                               "--no-privileges", "--file", str(target), "--dbname", address],
                              env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError("pg_dump could not back up the database: "
                              + done.stderr.strip()[-500:])
        return str(revision)
    raise BackupError(f"pb backs up SQLite and PostgreSQL databases, not "
                      f"{engine.dialect.name}.")


def _ballots() -> int:
    with _engine().connect() as connection:
        if "ballots" not in _tables(connection):
            return 0
        return int(connection.execute(sa.text("SELECT count(*) FROM ballots")).scalar_one())


def do_backup(path: Path) -> Summary:
    """Back the database up into the file `path` (written whole, or not at all)."""
    started = time.monotonic()
    ballots = _ballots()  # at least these are in the snapshot taken next
    with tempfile.TemporaryDirectory(prefix="pb-backup-") as folder:
        data = Path(folder) / DATA
        revision = _snapshot(data)
        manifest = {"format": FORMAT, "kind": _kind(), "revision": revision,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "ballots_at_start": ballots, "sha256": _sha256(data),
                    "size": data.stat().st_size}
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            body = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(time.time())
            archive.addfile(info, io.BytesIO(body))
            archive.add(data, arcname=DATA)
        partial.replace(path)
    security_log.event("data.exported", None, what="backup", ballots=ballots)
    return Summary(manifest["kind"], revision, ballots, path.stat().st_size,
                   time.monotonic() - started)


@contextmanager
def _opened(path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """Check a backup file whole and yield its manifest and its data, unpacked."""
    refused = BackupError(f"{path.name} is not a whole pb backup (it may be truncated or "
                          "another kind of file); nothing was changed. Make a new backup "
                          "with pb backup.")
    with tempfile.TemporaryDirectory(prefix="pb-restore-") as folder:
        try:
            with tarfile.open(path, "r:") as archive:
                manifest = json.loads(archive.extractfile(MANIFEST).read())  # type: ignore[union-attr]
                archive.extract(DATA, folder, filter="data")
        except (OSError, tarfile.TarError, KeyError, AttributeError, ValueError,
                EOFError) as error:
            raise refused from error
        data = Path(folder) / DATA
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or \
                _sha256(data) != manifest.get("sha256"):
            raise refused
        yield manifest, data


def check_restore(manifest: dict[str, Any], replace: bool) -> None:
    """Refuse a backup of another kind or schema, or a target that is not empty."""
    if manifest["kind"] != _kind():
        raise BackupError(f"This backup is of a {manifest['kind']} database and this site "
                          f"uses {_kind()}: restore it into a {manifest['kind']} database.")
    head = head_revision()
    if manifest["revision"] != head:
        raise BackupError(f"This backup has schema {manifest['revision']} and this pb builds "
                          f"{head}: restore it with the pb version that made it, then "
                          "upgrade (pb db upgrade). Nothing was changed.")
    with _engine().connect() as connection:
        tables = _tables(connection)
    if tables and not replace:
        raise BackupError(f"The database is not empty ({len(tables)} tables): restore into "
                          "an empty database, or add --replace to overwrite everything in it. "
                          "Nothing was changed.")


def do_restore(path: Path, replace: bool = False) -> Summary:
    """Restore the backup at `path`; with `replace`, over what the database holds."""
    started = time.monotonic()
    with _opened(path) as (manifest, data):
        check_restore(manifest, replace)
        db.session.remove()
        engine = _engine()
        engine.dispose()  # nothing of ours holds the database while it is replaced
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(str(data))
            target = sqlite3.connect(str(engine.url.database), timeout=30)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            address, env = _libpq(engine.url)
            command = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges",
                       "--single-transaction", "--exit-on-error", "--dbname", address]
            if replace:
                command += ["--clean", "--if-exists"]
            done = subprocess.run([*command, str(data)], env=env, capture_output=True,  # noqa: S603
                                  text=True, check=False)
            if done.returncode != 0:
                raise BackupError("pg_restore could not restore the backup, and changed "
                                  "nothing: " + done.stderr.strip()[-500:])
        engine.dispose()
    return Summary(manifest["kind"], manifest["revision"], _ballots(), path.stat().st_size,
                   time.monotonic() - started)
