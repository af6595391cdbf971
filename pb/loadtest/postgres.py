"""A throwaway PostgreSQL cluster on a free loopback port: for `pb loadtest --database
postgresql`, the way a council deploys several processes, and for the tests that need a
real PostgreSQL.

`initdb` makes it in a temporary folder, `pg_ctl` starts and stops it, `remove` deletes it.
PostgreSQL refuses to run as root; as root it runs as the postgres user. Like the load
test's throwaway Redis, it imports nothing of pb."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A cluster that can be stopped and started again (a restart, an outage).

    `durable=False` turns fsync off (`-F`): quicker, for tests that never pull the plug.
    The load test keeps PostgreSQL's defaults, so its commits cost what a site's do.
    """

    def __init__(self, *, durable: bool = True) -> None:
        self.bin = _pg_bin()
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="pb-pg-"))
        self.data, self.port = self.folder / "data", _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.url = f"postgresql+psycopg://pb@127.0.0.1:{self.port}/postgres"
        self._run(self.bin / "initdb", "-D", self.data, "-U", "pb", "--auth=trust", "-E",
                  "UTF8")

    def _run(self, *args: object) -> None:
        subprocess.run([*self.as_user, *map(str, args)], check=True,  # noqa: S603
                       capture_output=True, text=True)

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.folder}" + ("" if self.durable
                                                                     else " -F")
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.folder / "log", "-w", "-o",
                  options, "start")

    def pid(self) -> int | None:
        """Return the running server's process id (its backends are its children)."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def stop(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
