"""Real servers for the tests that need them, on loopback: PostgreSQL and an SMTP sink."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return found[-1].parent


@contextmanager
def postgres() -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster on a free loopback port; yield its URL."""
    bin_dir = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="pb-pg-"))
    data, port = folder / "data", free_port()
    # PostgreSQL refuses to run as root; as root, run it as the postgres user.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    run = lambda *args: subprocess.run([*as_user, *map(str, args)], check=True,  # noqa: E731
                                       capture_output=True, text=True)
    run(bin_dir / "initdb", "-D", data, "-U", "pb", "--auth=trust", "-E", "UTF8")
    run(bin_dir / "pg_ctl", "-D", data, "-l", folder / "log", "-w", "-o",
        f"-p {port} -h 127.0.0.1 -k {folder} -F", "start")
    try:
        yield f"postgresql+psycopg://pb@127.0.0.1:{port}/postgres"
    finally:
        run(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
