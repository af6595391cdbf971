"""A throwaway pb instance for the load test: its own database (SQLite, or a throwaway
PostgreSQL cluster as a site with several processes has), a scoring round and a live
session, served by `pb serve` (gevent) on a free port, with `processes` workers sharing rooms
through a throwaway redis-server when there are several.

The server's output goes to `serve.log` in the instance's folder, never to a pipe nobody
reads: a server that logs more than a pipe holds (64 KiB) would stop, every greenlet with
it, at its next line."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from pb.loadtest.postgres import PostgresServer

PASSWORD = "load test facilitator"  # noqa: S105 - a throwaway instance's account


@dataclass
class Instance:
    url: str
    code: str
    project: str
    process: subprocess.Popen[bytes] | None = None
    folder: str | None = None
    redis: subprocess.Popen[bytes] | None = None
    postgres: PostgresServer | None = None

    def log_tail(self, size: int = 3000) -> str:
        """Return the end of the server's output."""
        if not self.folder:
            return ""
        with suppress(OSError):
            return (Path(self.folder) / "serve.log").read_text(errors="replace")[-size:]
        return ""

    def stop(self) -> None:
        """Stop the server (and its Redis and PostgreSQL) and remove the instance's folder."""
        for process in (self.process, self.redis):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        if self.postgres is not None:
            self.postgres.remove()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str,
                   log: Path | None = None) -> None:
    deadline = time.monotonic() + 120  # a busy machine starts a server slowly
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    if process.poll() is not None:
        raise SystemExit(f"{what} stopped: {tail}")
    raise SystemExit(f"{what} did not answer on port {port} within 120 s: {tail}")


def _start_redis(folder: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start a throwaway redis-server (no persistence) on a free port; return it and its URL."""
    found = shutil.which("redis-server")
    if found is None:
        raise SystemExit("--processes needs redis-server (Debian: apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - a local server for the run
        [found, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port, process, "redis-server")
    return process, f"redis://127.0.0.1:{port}/0"


def build_instance(participants: int, processes: int = 1,
                   database: str = "sqlite") -> Instance:
    """Create a throwaway instance with a scoring round and a session; start `pb serve`
    (with `processes` workers and a throwaway Redis when more than one), on SQLite or on a
    throwaway PostgreSQL cluster (`database="postgresql"`)."""
    folder = tempfile.mkdtemp(prefix="pb-loadtest-")
    port = _free_port()
    instance = Instance(f"http://127.0.0.1:{port}", "", "", folder=folder)
    try:
        url = f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        if database == "postgresql":
            instance.postgres = PostgresServer()
            instance.postgres.start()
            url = instance.postgres.url
        env = {**os.environ, "PB_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
               "PB_BASE_URL": f"http://127.0.0.1:{port}", "PB_DATABASE_URL": url,
               "PB_SECURE_COOKIES": "0", "PB_RATELIMIT_ENABLED": "0",
               "PB_LOGIN_LIMIT": "1000 per minute"}
        env.pop("PB_ASYNC_MODE", None)  # production: gevent
        instance.code, instance.project = _seed(env, folder)
        if processes > 1:
            instance.redis, env["PB_REDIS_URL"] = _start_redis(folder)
    except BaseException:
        instance.stop()
        raise
    pb = shutil.which("pb") or str(Path(sys.executable).with_name("pb"))
    log = Path(folder) / "serve.log"
    with log.open("wb") as out:
        instance.process = subprocess.Popen(  # noqa: S603 - our own command
            [pb, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--processes", str(processes)],
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    try:
        _wait_for_port(port, instance.process, "pb serve", log)
    except BaseException:
        instance.stop()
        raise
    return instance


def _seed(env: dict[str, str], folder: str) -> tuple[str, str]:
    """Build the schema and a live session in a child process (its own app and settings)."""
    script = r"""
import os
from flask_migrate import upgrade
from pb import create_app
from pb.extensions import db
from pb.models import Proposal
from pb.services import accounts, live, rounds
app = create_app()
with app.app_context():
    upgrade()
    officer = accounts.do_register("host@loadtest.example", "Load Facilitator",
                                   os.environ["PB_LOAD_PASSWORD"], extra_roles=("officer",))
    round_ = rounds.do_create_round(officer, rounds.RoundData(
        title="Load test", area="Hall", budget_minor=1_000_000, currency="GBP",
        ballot_method="scoring", tally_rule="greedy"))
    ids = []
    for i in range(4):
        p = Proposal(round_id=round_.id, title=f"Pitch {i + 1}", summary="A pitch.",
                     cost_minor=200_000, status="feasible")
        db.session.add(p)
        db.session.flush()
        ids.append(p.id)
    db.session.commit()
    for phase in ("proposals", "review", "deliberation", "voting"):
        rounds.do_change_phase(officer, round_, phase)
    session = live.do_create(officer, round_, "Load test evening", "open", "scoring",
                             [(pid, 60, 30) for pid in ids])
    print(session.join_code, ids[0])
"""
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], env={**env, "PB_LOAD_PASSWORD": PASSWORD},
        capture_output=True, text=True, check=False, cwd=folder)
    if done.returncode != 0:
        raise SystemExit("could not build the load-test instance:\n" + done.stderr[-3000:])
    code, project = done.stdout.split()[-2:]
    return code, project


