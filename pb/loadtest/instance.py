"""A throwaway pb instance for the load test: its own SQLite database, a scoring round and a
live session, served by `pb serve` (gevent) on a free port."""

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

PASSWORD = "load test facilitator"  # noqa: S105 - a throwaway instance's account


@dataclass
class Instance:
    url: str
    code: str
    project: str
    process: subprocess.Popen[bytes] | None = None
    folder: str | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_instance(participants: int) -> Instance:
    """Create a throwaway instance with a scoring round and a session; start `pb serve`."""
    folder = tempfile.mkdtemp(prefix="pb-loadtest-")
    database = Path(folder) / "load.sqlite3"
    port = _free_port()
    env = {**os.environ, "PB_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "PB_BASE_URL": f"http://127.0.0.1:{port}",
           "PB_DATABASE_URL": f"sqlite:///{database}", "PB_SECURE_COOKIES": "0",
           "PB_RATELIMIT_ENABLED": "0", "PB_LOGIN_LIMIT": "1000 per minute"}
    env.pop("PB_ASYNC_MODE", None)  # production: gevent
    code, project = _seed(env, folder)
    pb = shutil.which("pb") or str(Path(sys.executable).with_name("pb"))
    process = subprocess.Popen(  # noqa: S603 - our own command
        [pb, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            break
        if process.poll() is not None:
            raise SystemExit("pb serve stopped: " + process.stderr.read().decode()[-2000:])
        time.sleep(0.2)
    return Instance(url, code, project, process, folder)


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


