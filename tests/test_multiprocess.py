"""Two `pb serve` processes on gevent share Socket.IO rooms through a real Redis.

A facilitator's console and one phone are on server A, another phone on server B; both
servers use one SQLite file. Controls and votes on A reach the phone on B, and a vote on B
reaches the console on A, because each broadcast goes through Redis to every process.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from pb.services import live
from tests.conftest import PASSWORD
from tests.factories import open_round
from tests.servers import (
    SECRET,
    free_port,
    pb_command,
    redis,
    stop,
    wait_until_answering,
)

pytestmark = pytest.mark.redis

NS = "/live"
DEADLINE = 10.0  # seconds a broadcast may take to arrive: generous, not a speed test


@dataclass
class Evening:
    code: str
    pids: list[str]
    email: str
    database_url: str


@dataclass
class Screen:
    """A Socket.IO client on /live that keeps every `state` and `tally` it receives."""

    client: socketio.Client
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, event: str, test: Callable[[dict[str, Any]], bool],
                 what: str) -> dict[str, Any]:
        """Return the first `event` payload passing `test`, waiting up to DEADLINE."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            with self.lock:
                for name, payload in self.received:
                    if name == event and test(payload):
                        return payload
            time.sleep(0.05)
        with self.lock:
            seen = [(name, payload.get("phase"), payload.get("scored"))
                    for name, payload in self.received]
        raise AssertionError(f"no {event} with {what} within {DEADLINE:.0f} s; got {seen}")

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.client.call(event, payload, namespace=NS, timeout=DEADLINE)


@pytest.fixture()
def evening(app: Any, make_user: Any, make_round: Any) -> Evening:
    """A scoring round in voting with three pitches on an open session's agenda, on disk."""
    round_ = open_round(make_round, make_user, ballot_method="scoring")
    officer, projects = round_.officer, round_.projects
    session = live.do_create(officer, round_, "Two servers night", "open", "scoring",
                             [(p.id, 60, 30) for p in projects])
    return Evening(code=session.join_code, pids=[str(p.id) for p in projects],
                   email=officer.email, database_url=app.config["SQLALCHEMY_DATABASE_URI"])


def _serve(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([pb_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=log.parent)


@pytest.fixture()
def two_servers(evening: Evening, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Start Redis and two `pb serve` processes in production mode; yield their URLs."""
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PB_", "FLASK_"))}
        env.update({"PB_ENV": "production", "SECRET_KEY": SECRET,
                    "PB_DATABASE_URL": evening.database_url, "PB_REDIS_URL": redis_url,
                    "PB_SECURE_COOKIES": "0"})  # PB_ASYNC_MODE unset: gevent
        started = []
        for name in ("a", "b"):  # both start at once, then each is waited for
            port, log = free_port(), tmp_path / f"server-{name}.log"
            # Each server is its own site: clients send Origin http://127.0.0.1:<its port>.
            process = _serve(port, {**env, "PB_BASE_URL": f"http://127.0.0.1:{port}"}, log)
            stack.callback(stop, process)
            started.append((f"http://127.0.0.1:{port}", process, log))
        for url, process, log in started:
            wait_until_answering(url, process, log)
            assert "with gevent sharing rooms through Redis" in log.read_text()
        yield started[0][0], started[1][0]
        for _url, _process, log in started:
            text = log.read_text()
            for trouble in ("Traceback", "Error", "Invalid HTTP", "Expected GET"):
                assert trouble not in text, text


def _login_cookie(url: str, email: str) -> str:
    """Log in over HTTP like a browser; return the Cookie header for the socket."""
    with requests.Session() as http:
        form = http.get(url + "/account/login", timeout=DEADLINE).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        assert token, form
        done = http.post(url + "/account/login", timeout=DEADLINE, allow_redirects=False,
                         data={"csrf_token": token[1], "email": email, "password": PASSWORD})
        assert done.status_code == 302, done.text
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


@pytest.fixture()
def connect() -> Iterator[Callable[..., Screen]]:
    """Open websocket-only clients on /live; disconnect them all afterwards."""
    screens: list[Screen] = []

    def open_screen(url: str, cookie: str | None = None) -> Screen:
        screen = Screen(socketio.Client(reconnection=False))

        def keep(name: str) -> Callable[[dict[str, Any]], None]:
            def handler(payload: dict[str, Any]) -> None:
                with screen.lock:
                    screen.received.append((name, payload))
            return handler

        for name in ("state", "tally"):
            screen.client.on(name, keep(name), namespace=NS)
        screen.client.connect(url, namespaces=[NS], transports=["websocket"],
                              headers={"Cookie": cookie} if cookie else {},
                              wait_timeout=DEADLINE)
        screens.append(screen)
        return screen

    yield open_screen
    for screen in screens:
        screen.client.disconnect()


def test_votes_and_controls_cross_between_two_server_processes(
        two_servers: tuple[str, str], evening: Evening, connect: Any) -> None:
    server_a, server_b = two_servers
    far_phone = connect(server_b)
    joined = far_phone.call("join", {"code": evening.code})
    assert joined["ok"] and joined["state"]["phase"] == "lobby", joined

    console = connect(server_a, _login_cookie(server_a, evening.email))
    assert console.call("join", {"code": evening.code, "role": "console"})["ok"]
    assert console.call("control", {"action": "start"})["ok"]
    far_phone.wait_for("state", lambda s: s["phase"] == "pitch", "phase pitch")
    assert console.call("control", {"action": "open_scoring_all"})["ok"]
    far_phone.wait_for("state", lambda s: s["scoring"] == "all", "scoring all")

    near_phone = connect(server_a)
    assert near_phone.call("join", {"code": evening.code})["ok"]
    first = evening.pids[0]
    voted = near_phone.call("vote", {"key": "two-servers-001", "items": {first: 7}})
    assert voted["ok"] and voted["receipt"], voted
    tally = far_phone.wait_for("tally", lambda t: t["scored"].get(first) == 1,
                               f"project {first} scored once")
    assert tally["totals"] is None  # a phone still sees no values before the reveal

    second = evening.pids[1]
    assert far_phone.call("vote", {"key": "two-servers-002", "items": {second: 9}})["ok"]
    seen = console.wait_for("tally", lambda t: t["scored"].get(second) == 1,
                            f"project {second} scored once")
    assert seen["totals"][first] == 7 and seen["totals"][second] == 9


def test_one_ordering_rule_holds_across_two_server_processes(
        two_servers: tuple[str, str], evening: Evening, connect: Any) -> None:
    """Events of a session come from both processes, through Redis, in any order; a client
    applying docs/realtime.md's rule blindly (drop any event whose `version`, the same as its
    `seq`, is not larger than the last applied) ends on the latest state and every vote."""
    server_a, server_b = two_servers
    console = connect(server_a, _login_cookie(server_a, evening.email))
    joined = console.call("join", {"code": evening.code, "role": "console"})
    assert console.call("control", {"action": "start"})["ok"]
    assert console.call("control", {"action": "open_scoring_all"})["ok"]
    phones = [connect(server) for server in (server_a, server_b) for _ in range(3)]
    phones_joined = []
    for i, phone in enumerate(phones):
        phones_joined.append(phone.call("join", {"code": evening.code}))
        assert phones_joined[-1]["ok"]
        for j, pid in enumerate(evening.pids):
            assert phone.call("vote", {"key": f"two-rule-{i}-{j}-key",
                                       "items": {pid: 1 + i + j}})["ok"]
    every = {pid: len(phones) for pid in evening.pids}
    console.wait_for("tally", lambda t: t["scored"] == every, "every vote counted")
    assert console.call("control", {"action": "close_scoring"})["ok"]
    # The state after the close (the one after "start" also had scoring "none").
    closed = "scoring closed after every vote"
    console.wait_for("state", lambda s: s["scoring"] == "none" and s["scored"] == every,
                     closed)
    state, tally = _applied(console, joined["state"])
    assert state["scoring"] == "none" and state["phase"] == "pitch"
    assert tally is not None and tally["scored"] == every
    # Phones on both processes too: their tallies come from one process, through Redis.
    for phone, phone_joined in zip(phones, phones_joined, strict=True):
        phone.wait_for("state", lambda s: s["scoring"] == "none" and s["scored"] == every,
                       closed)
        state, tally = _applied(phone, phone_joined["state"])
        assert state["scoring"] == "none" and state["scored"] == every


def _applied(screen: Screen, joined: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Apply docs/realtime.md's rule to what `screen` received since joining: return the
    last `state` and `tally` kept (an event whose `version` is not larger is dropped)."""
    with screen.lock:
        arrived = list(screen.received)
    last, state, tally = joined["version"], joined, None
    for name, payload in arrived:
        assert payload["version"] == payload["seq"], (name, payload)
        if payload["version"] > last:
            last = payload["version"]
            state, tally = (payload, tally) if name == "state" else (state, payload)
    return state, tally
