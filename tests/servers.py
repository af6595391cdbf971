"""Real servers for the tests that need them, on loopback: PostgreSQL, Redis, an SMTP sink,
and `pb serve` itself."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from pb.loadtest.postgres import PostgresServer as _Cluster

SECRET = "test-secret-not-for-production"  # SECRET_KEY of the `pb serve` processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer(_Cluster):
    """A throwaway PostgreSQL cluster (`pb.loadtest.postgres`) without fsync: no test pulls
    the plug on the machine, and every commit is quicker."""

    def __init__(self) -> None:
        super().__init__(durable=False)


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


# The production recipe ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Site:
    url: str  # https, through nginx
    plain: str  # http, through nginx (redirects)
    round_id: int  # the demo round that votes by code
    codes: list[str]
    join_code: str  # the demo's live session
    session_id: int


def nginx_config(folder: Path, upstream: int, https: int, http: int) -> Path:
    """The shipped site file, pointed at this test's ports and certificate, in a minimal
    nginx.conf of its own (no packaged service, nothing outside `folder`)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    site = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    for shipped, here in (
            ("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstream};"),
            ("listen 80;", f"listen 127.0.0.1:{http};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
            ("/etc/letsencrypt/live/pb.example.org/fullchain.pem", str(folder / "cert.pem")),
            ("/etc/letsencrypt/live/pb.example.org/privkey.pem", str(folder / "key.pem")),
            ("pb.example.org", "localhost")):
        if shipped not in site:
            raise RuntimeError(f"docs/deploy/nginx.conf no longer has {shipped!r}")
        site = site.replace(shipped, here)
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = folder / "nginx.conf"
    config.write_text(f"""user root;
daemon off;
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'};
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder / 'access.log'};
{temp}
{site}
}}
""")
    return config


# After `pb demo`: the codes round shows running totals, and the live evening's round is in
# voting, so a browser can watch totals arrive and a phone can score.
PREPARE = """
import sqlalchemy as sa
from pb import create_app
from pb.extensions import db
from pb.models import Round
from pb.services import accounts, rounds
app = create_app()
with app.app_context():
    officer = accounts.find_by_email("officer@demo.example.org")
    for round_ in db.session.scalars(sa.select(Round)):
        if round_.eligibility == "codes" and round_.phase == "voting":
            round_.running_totals = True
    db.session.commit()
    youth = db.session.scalar(sa.select(Round).where(Round.title == "Youth Decide 2026"))
    if youth.phase != "voting":
        rounds.do_change_phase(officer, youth, "voting")
"""


@contextmanager
def production_site(folder: Path) -> Iterator[Site]:
    """The README's production recipe on loopback: the demo town on a throwaway PostgreSQL
    and Redis, `pb serve --processes 2` with PB_TRUSTED_PROXIES=1, behind Debian's nginx
    running the shipped docs/deploy/nginx.conf with a throwaway certificate."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed: apt-get install -y nginx (./dev test does)")
    database, redis = PostgresServer(), RedisServer()
    running: list[subprocess.Popen[bytes]] = []
    try:
        database.start()
        redis.start()
        upstream, https, http = free_port(), free_port(), free_port()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "PB_ENV": "production",
               "PB_BASE_URL": f"https://localhost:{https}",
               "SECRET_KEY": SECRET, "PB_DATABASE_URL": database.url,
               "PB_REDIS_URL": redis.url, "PB_TRUSTED_PROXIES": "1",
               "PB_LOGIN_LIMIT": "3 per minute", "PB_INSTANCE_PATH": str(folder / "instance")}
        pb = pb_command()
        for command in (["db", "upgrade"], ["demo"]):
            done = subprocess.run([pb, *command], env=env, cwd=folder, capture_output=True,
                                  text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"pb {' '.join(command)} failed:\n{done.stderr}")
        demo = done.stdout
        prepared = subprocess.run([str(Path(pb).with_name("python")), "-c", PREPARE],
                                  env=env, cwd=folder, capture_output=True, text=True,
                                  check=False)
        if prepared.returncode != 0:
            raise RuntimeError(prepared.stderr)
        found = re.search(r"Voting codes for round (\d+)", demo)
        joining = re.search(r"Live session (\d+) .*join code (\w+)", demo)
        if not (found and joining):
            raise RuntimeError(f"the demo did not say its codes and live session:\n{demo}")
        codes = re.findall(r"^  ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})$", demo, re.M)
        log = folder / "serve.log"
        with log.open("wb") as out:
            running.append(subprocess.Popen(
                [pb, "serve", "--host", "127.0.0.1", "--port", str(upstream), "--processes",
                 "2"], env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT))
        wait_until_answering(f"http://127.0.0.1:{upstream}", running[0], log)
        config = nginx_config(folder, upstream, https, http)
        running.append(subprocess.Popen([nginx, "-c", str(config), "-p", str(folder), "-e",
                                         str(folder / "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port(https, running[1])
        yield Site(f"https://localhost:{https}", f"http://localhost:{http}",
                   int(found.group(1)), codes, joining.group(2), int(joining.group(1)))
    finally:
        for process in reversed(running):
            stop(process)
        redis.remove()
        database.remove()


@contextmanager
def pb_served(database_url: str, folder: Path) -> Iterator[str]:
    """`pb serve` (one gevent process, production settings) on `database_url`, its output
    in `folder`/serve.log; yield its URL."""
    port, log = free_port(), folder / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PB_", "FLASK_"))}
    env.update({"PB_ENV": "production", "SECRET_KEY": SECRET, "PB_SECURE_COOKIES": "0",
                "PB_BASE_URL": f"http://127.0.0.1:{port}", "PB_DATABASE_URL": database_url})
    with ExitStack() as stack, log.open("wb") as out:
        server = subprocess.Popen([pb_command(), "serve", "--host", "127.0.0.1", "--port",
                                   str(port)], env=env, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT)
        stack.callback(stop, server)
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(url, server, log)
        yield url
