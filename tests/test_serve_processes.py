"""`pb serve --processes N`: N gevent workers on one port, sharing rooms through a real Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests
import socketio

from tests.servers import (
    SECRET,
    free_port,
    pb_command,
    redis,
    stop,
    wait_until_answering,
)

pytestmark = pytest.mark.redis


def _env(app: Any, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PB_", "FLASK_"))}
    env.update({"PB_ENV": "production", "SECRET_KEY": SECRET, "PB_SECURE_COOKIES": "0",
                "PB_BASE_URL": f"http://127.0.0.1:{port}",
                "PB_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], **extra})
    return env


def _start(port: int, processes: int, env: dict[str, str], log: Path,
           cwd: Path | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([pb_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--processes", str(processes)], env=env, cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)


def _workers(server: subprocess.Popen[bytes], count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = psutil.Process(server.pid).children()
        if len(children) == count:
            return children
        time.sleep(0.1)
    raise AssertionError(f"expected {count} workers, found {len(children)}")


@pytest.fixture()
def two_workers(app: Any, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis())
        port, log = free_port(), tmp_path / "serve.log"
        server = _start(port, 2, _env(app, port, PB_REDIS_URL=redis_url), log)
        stack.callback(stop, server)
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(url, server, log)
        yield url, server, log


def test_workers_start_from_a_folder_that_holds_another_pb(app: Any, tmp_path: Path) -> None:
    decoy = tmp_path / "pb"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('this is not the installed pb')\n")
    with redis() as redis_url:
        port, log = free_port(), tmp_path / "serve.log"
        server = _start(port, 2, _env(app, port, PB_REDIS_URL=redis_url), log, cwd=tmp_path)
        try:
            wait_until_answering(f"http://127.0.0.1:{port}", server, log)
            assert len(_workers(server, 2)) == 2
        finally:
            stop(server)


def test_several_processes_need_redis(app: Any, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    port = free_port()
    server = _start(port, 2, _env(app, port), log)
    assert server.wait(60) != 0
    assert "PB_REDIS_URL" in log.read_text()


def test_workers_share_the_port_and_take_websockets_only(
        two_workers: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    url, server, log = two_workers
    port = int(url.rsplit(":", 1)[1])
    for worker in _workers(server, 2):  # each listens on the port itself, once started
        deadline = time.monotonic() + 30
        while not any(c.status == psutil.CONN_LISTEN and c.laddr.port == port
                      for c in worker.net_connections(kind="tcp")):
            assert time.monotonic() < deadline, f"worker {worker.pid} never listened on {port}"
            time.sleep(0.1)
    for _ in range(10):  # new connections, each to one worker or the other
        with requests.Session() as http:
            assert http.get(url + "/", timeout=10).status_code == 200
    # Long polling is refused (its requests could reach different workers); websockets work.
    polling = requests.get(url + "/socket.io/?EIO=4&transport=polling", timeout=10)
    assert polling.status_code == 400
    client = socketio.Client(reconnection=False)
    client.connect(url, transports=["websocket"], wait_timeout=10)
    try:
        answer = client.call("watch", {"round": 999_999}, timeout=10)
        assert answer["ok"] is False and answer["error"]  # the handler ran, and refused
    finally:
        client.disconnect()
    text = log.read_text()
    assert "with 2 gevent processes sharing rooms through Redis" in text
    assert text.count("pb worker") == 2


def test_sigterm_stops_every_worker(two_workers: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    _url, server, _log = two_workers
    workers = _workers(server, 2)
    server.send_signal(signal.SIGTERM)
    assert server.wait(30) == 0
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive


def test_a_dead_worker_takes_the_others_down(
        two_workers: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    _url, server, log = two_workers
    first, second = _workers(server, 2)
    first.kill()
    assert server.wait(30) == 1  # non-zero, for the service manager to restart it all
    _gone, alive = psutil.wait_procs([second], timeout=15)
    assert not alive
    assert "a server process stopped" in log.read_text()
