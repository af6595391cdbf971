"""Real servers for the tests that need them, on loopback: PostgreSQL, Redis, an SMTP sink,
and `pb serve` itself."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

SECRET = "test-secret-not-for-production"  # SECRET_KEY of the `pb serve` processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return found[-1].parent


class PostgresServer:
    """A throwaway PostgreSQL cluster on a free loopback port that a test can stop and start
    again (a restart, an outage). PostgreSQL refuses to run as root; as root it runs as the
    postgres user."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="pb-pg-"))
        self.data, self.port = self.folder / "data", free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.url = f"postgresql+psycopg://pb@127.0.0.1:{self.port}/postgres"
        self._run(self.bin / "initdb", "-D", self.data, "-U", "pb", "--auth=trust", "-E",
                  "UTF8")

    def _run(self, *args: object) -> None:
        subprocess.run([*self.as_user, *map(str, args)], check=True, capture_output=True,
                       text=True)

    def start(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.folder / "log", "-w", "-o",
                  f"-p {self.port} -h 127.0.0.1 -k {self.folder} -F", "start")

    def stop(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def postgres() -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster on a free loopback port; yield its URL."""
    server = PostgresServer()
    server.start()
    try:
        yield server.url
    finally:
        server.remove()


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None,
                  timeout: float = 20.0) -> None:
    """Wait until something accepts connections on the loopback `port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited ({process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:.0f} s")


class RedisServer:
    """A throwaway redis-server on a loopback port, keeping nothing on disk, that a test can
    stop and start again on the same port (an outage). As root it runs as the `redis` user
    when there is one."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("Redis is not installed: apt-get install -y redis-server")
        self.binary = binary
        self.folder = Path(tempfile.mkdtemp(prefix="pb-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"  # database 0
        self.as_user: dict[str, str] = {}
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("redis")
            except KeyError:
                pass
            else:
                shutil.chown(self.folder, "redis", "redis")
                self.as_user = {"user": "redis", "group": "redis"}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--protected-mode",
             "yes", "--save", "", "--appendonly", "no", "--dir", str(self.folder),
             "--daemonize", "no", "--logfile", str(self.folder / "log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            **self.as_user)  # type: ignore[call-overload]
        deadline = time.monotonic() + 20
        while not _redis_pong(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.folder / "log"
                raise RuntimeError("redis-server did not start:\n"
                                   + (log.read_text() if log.exists() else ""))
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def redis() -> Iterator[str]:
    """Start a throwaway redis-server on a free loopback port; yield its URL (database 0)."""
    server = RedisServer()
    try:
        server.start()
        yield server.url
    finally:
        server.remove()


def _redis_pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """End a server process started by a test: politely, then for certain."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def pb_command() -> str:
    """Return the `pb` command installed beside this Python."""
    found = Path(sys.executable).with_name("pb")
    if not found.exists():
        raise RuntimeError(f"no `pb` command beside {sys.executable}: pip install -e .")
    return str(found)


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until a `pb serve` at `url` answers its home page; fail with its log if it dies."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited ({process.returncode}):\n{log.read_text()}")
        try:
            if requests.get(url + "/", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within 30 s:\n{log.read_text()}")
