"""`pb loadtest`: fill a live session with simulated phones and measure what they feel.

Run as its own process against a running server (`--url`), or let it start one: with no
`--url` it builds a throwaway instance (SQLite), starts `pb serve` (gevent) on a free port,
and tears everything down afterwards. It then:

1. logs a facilitator in over HTTP and opens the console over Socket.IO (python-socketio's
   asyncio client);
2. connects N phones over websockets and joins each to the session by its code, measuring the
   join time. Each phone speaks Engine.IO 4 / Socket.IO 5 itself (`PhoneSocket`, a few
   lines over aiohttp): python-socketio's client runs a task per received event, and with
   thousands of phones in one process the load generator, not the server, became the limit;
3. opens scoring, has every phone score the pitch at a random moment in a window, measuring
   each vote's acknowledgement latency;
4. records every `tally` each phone receives, and measures, for sampled votes, the delay from
   the vote's acknowledgement until each phone has seen a tally that includes it;
5. samples the server's CPU and memory throughout.

The figures are printed as a table (and appended to BENCHMARKS.md with `--record`).
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[2]  # the repository
PASSWORD = "load test facilitator"  # noqa: S105 - a throwaway instance's account


@dataclass
class Phone:
    """One simulated participant and what it saw."""

    index: int
    client: PhoneSocket | None = None
    token: str | None = None
    join_started: float = 0.0
    joined: float | None = None
    vote_sent: float | None = None
    vote_acked: float | None = None
    tallies: list[tuple[float, int]] = field(default_factory=list)  # (time, scored count)
    error: str | None = None


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


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def build_instance(participants: int) -> Instance:
    """Create a throwaway instance with a scoring round and a session; start `pb serve`."""
    folder = tempfile.mkdtemp(prefix="pb-loadtest-")
    database = Path(folder) / "load.sqlite3"
    env = {**os.environ, "PB_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "PB_DATABASE_URL": f"sqlite:///{database}", "PB_SECURE_COOKIES": "0",
           "PB_RATELIMIT_ENABLED": "0", "PB_LOGIN_LIMIT": "1000 per minute"}
    env.pop("PB_ASYNC_MODE", None)  # production: gevent
    code, project = _seed(env, folder)
    port = _free_port()
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


async def _login(url: str) -> str:
    """Log the facilitator in over HTTP; return the Cookie header for the console."""
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{url}/account/login") as response:
            page = await response.text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        form = {"email": "host@loadtest.example", "password": PASSWORD,
                "csrf_token": token.group(1) if token else ""}
        async with http.post(f"{url}/account/login", data=form, allow_redirects=False):
            pass
        return "; ".join(f"{c.key}={c.value}" for c in jar)


async def _console(url: str, code: str, cookie: str) -> Any:
    import socketio

    console = socketio.AsyncClient(reconnection=False)
    await console.connect(url, namespaces=["/live"], transports=["websocket"],
                          headers={"Cookie": cookie, "Origin": url})
    ack = await console.call("join", {"code": code, "role": "console"}, namespace="/live",
                             timeout=30)
    if not ack.get("ok"):
        raise SystemExit(f"the console could not join: {ack}")
    return console


class PhoneSocket:
    """A phone's Socket.IO connection to `/live`, spoken directly over one websocket.

    Engine.IO 4 over a websocket is one text frame per packet: "0{...}" opens, "2" pings
    (answered "3"); Socket.IO 5 packets follow a "4": "0/live," connects the namespace,
    "2/live,<id>[event, data]" emits with an acknowledgement id, "3/live,<id>[data]" is the
    acknowledgement. Only `tally` events are recorded; others are read and dropped.
    """

    PREFIX = "4"  # an Engine.IO message carrying a Socket.IO packet

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.ws: Any = None
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_id = 0
        self.connected: asyncio.Future[None] | None = None
        self.reader: asyncio.Task[None] | None = None

    async def connect(self, http: Any, url: str, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        self.connected = loop.create_future()
        address = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await asyncio.wait_for(
            http.ws_connect(address, headers={"Origin": url}, max_msg_size=0), timeout)
        self.reader = loop.create_task(self._read())
        await self.ws.send_str("40/live,")
        await asyncio.wait_for(self.connected, timeout)

    async def call(self, event: str, data: Any, timeout: float) -> Any:
        self.next_id += 1
        ack = self.acks[self.next_id] = asyncio.get_running_loop().create_future()
        await self.ws.send_str(f"42/live,{self.next_id}{json.dumps([event, data])}")
        return await asyncio.wait_for(ack, timeout)

    async def _read(self) -> None:
        import aiohttp

        try:
            async for message in self.ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                self._handle(message.data)
        finally:
            self._fail(ConnectionError("the connection closed"))

    def _handle(self, data: str) -> None:
        if data == "2":
            asyncio.get_running_loop().create_task(self.ws.send_str("3"))
        elif data.startswith('42/live,["tally"'):
            payload = json.loads(data[8:])[1]
            self.phone.tallies.append((time.perf_counter(),
                                       int(payload["scored"].get(_PROJECT, 0))))
        elif data.startswith("43/live,"):
            body = data[8:]
            start = body.index("[")
            ack = self.acks.pop(int(body[:start]), None)
            if ack is not None and not ack.done():
                ack.set_result(json.loads(body[start:])[0])
        elif data.startswith("40/live,") and self.connected and not self.connected.done():
            self.connected.set_result(None)
        elif data.startswith("44/live,"):
            self._fail(ConnectionError(f"the server refused the namespace: {data[8:]}"))

    def _fail(self, error: Exception) -> None:
        for future in (self.connected, *self.acks.values()):
            if future is not None and not future.done():
                future.set_exception(error)
        self.acks.clear()

    async def disconnect(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with suppress(Exception):
                await self.reader


async def _join(phone: Phone, http: Any, url: str, code: str) -> None:
    client = phone.client = PhoneSocket(phone)
    phone.join_started = time.perf_counter()
    try:
        await client.connect(http, url, timeout=60)
        ack = await client.call("join", {"code": code}, timeout=60)
    except Exception as error:  # noqa: BLE001 - reported in the figures, not fatal
        phone.error = f"join: {type(error).__name__}: {error}"
        return
    if not ack.get("ok"):
        phone.error = f"join refused: {ack.get('error')}"
        return
    phone.token = ack["participant"]
    phone.joined = time.perf_counter()


async def _vote(phone: Phone, delay: float) -> None:
    await asyncio.sleep(delay)
    if phone.joined is None or phone.client is None:
        return
    score = random.randint(1, 10)  # noqa: S311 - simulated voters
    phone.vote_sent = time.perf_counter()
    try:
        ack = await phone.client.call(
            "vote", {"key": uuid.uuid4().hex, "items": {_PROJECT: score}}, timeout=60)
    except Exception as error:  # noqa: BLE001
        phone.error = f"vote: {type(error).__name__}: {error}"
        return
    if ack.get("ok"):
        phone.vote_acked = time.perf_counter()
    else:
        phone.error = f"vote refused: {ack.get('error')}"


_PROJECT = ""


class Sampler:
    """Sample a process's CPU (percent of one core) and resident memory."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.cpu: list[float] = []
        self.rss: list[int] = []
        self.own_cpu: list[float] = []  # the load generator itself: is it the bottleneck?
        # How late the load generator's own event loop runs a 10 ms sleep: a busy generator
        # reads acknowledgements late, and its lag is then part of the latencies it reports.
        self.lag_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self._lag_task: asyncio.Task[None] | None = None

    async def _lag(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lag_ms.append((time.perf_counter() - start - 0.01) * 1000)

    async def _run(self) -> None:
        import psutil

        process = psutil.Process(self.pid)
        me = psutil.Process()
        process.cpu_percent(None)
        me.cpu_percent(None)
        while True:
            await asyncio.sleep(0.5)
            with suppress(psutil.Error):
                self.cpu.append(process.cpu_percent(None))
                self.rss.append(process.memory_info().rss)
                self.own_cpu.append(me.cpu_percent(None))

    def rss_now(self) -> int:
        """Return the server's resident memory now (0 without a server to watch), taken at
        once rather than from the half-second samples, which a small hall can join between."""
        import psutil

        if self.pid is None:
            return 0
        with suppress(psutil.Error):
            rss = int(psutil.Process(self.pid).memory_info().rss)
            self.rss.append(rss)
            return rss
        return 0

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.pid is not None:
            self._task = loop.create_task(self._run())
        self._lag_task = loop.create_task(self._lag())

    async def stop(self) -> None:
        for task in (self._task, self._lag_task):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task


async def run(url: str, code: str, project: str, participants: int, window: float,
              connect_rate: float, server_pid: int | None) -> dict[str, Any]:
    """Run the scenario; return the measured figures."""
    import aiohttp

    global _PROJECT
    _PROJECT = project
    sampler = Sampler(server_pid)
    sampler.start()
    console = await _console(url, code, await _login(url))
    await console.call("control", {"action": "start"}, namespace="/live", timeout=30)
    phones = [Phone(i) for i in range(participants)]
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    started = time.perf_counter()
    joins = []
    for phone in phones:  # arrive at a steady rate, as a hall fills (on the clock, not
        # after fixed sleeps, which a busy event loop stretches)
        joins.append(asyncio.create_task(_join(phone, http, url, code)))
        await asyncio.sleep(max(0.0, started + (phone.index + 1) / connect_rate
                                - time.perf_counter()))
    await asyncio.gather(*joins)
    all_joined = time.perf_counter() - started
    held_rss = sampler.rss_now()
    ack = await console.call("control", {"action": "open_scoring"}, namespace="/live",
                             timeout=30)
    if not ack.get("ok"):
        raise SystemExit(f"could not open scoring: {ack}")
    vote_start = time.perf_counter()
    await asyncio.gather(*(_vote(p, random.uniform(0, window)) for p in phones))  # noqa: S311
    votes_done = time.perf_counter() - vote_start
    await asyncio.sleep(3)  # let the last throttled tallies arrive
    await sampler.stop()
    for phone in phones:
        if phone.client is not None:
            with suppress(Exception):
                await phone.client.disconnect()
    await http.close()
    with suppress(Exception):
        await console.disconnect()
    return _figures(phones, all_joined, votes_done, window, sampler, held_rss)


def _figures(phones: list[Phone], all_joined: float, votes_done: float, window: float,
             sampler: Sampler, held_rss: int) -> dict[str, Any]:
    joined = [p for p in phones if p.joined is not None]
    acked = sorted((p for p in phones if p.vote_acked is not None),
                   key=lambda p: p.vote_acked or 0)
    join_ms = [((p.joined or 0) - p.join_started) * 1000 for p in joined]
    ack_ms = [((p.vote_acked or 0) - (p.vote_sent or 0)) * 1000 for p in acked]
    # The k-th acknowledged vote is in any tally whose count is at least k. For sampled k,
    # how long after that ack did each phone first see such a tally?
    seen_delays: list[float] = []
    never = 0
    timelines = []
    for phone in joined:
        times = [t for t, _ in phone.tallies]
        counts = [c for _, c in phone.tallies]
        # counts only grow, except for reordering across throttled sends: keep the running max
        running = []
        best = 0
        for c in counts:
            best = max(best, c)
            running.append(best)
        timelines.append((times, running))
    step = max(1, len(acked) // 200)
    for k in range(1, len(acked) + 1, step):
        at = acked[k - 1].vote_acked or 0
        for times, running in timelines:
            i = bisect.bisect_left(running, k)
            if i >= len(running):
                never += 1
                continue
            seen_delays.append(max(0.0, times[i] - at) * 1000)
    errors: dict[str, int] = {}
    for phone in phones:
        if phone.error:
            kind = phone.error.split(":")[0]
            errors[kind] = errors.get(kind, 0) + 1
    return {
        "participants": len(phones), "joined": len(joined), "votes_acked": len(acked),
        "join_all_s": all_joined, "join_p50": _percentile(join_ms, 50),
        "join_p95": _percentile(join_ms, 95), "join_p99": _percentile(join_ms, 99),
        "vote_window_s": window, "votes_s": votes_done,
        "ack_p50": _percentile(ack_ms, 50), "ack_p95": _percentile(ack_ms, 95),
        "ack_p99": _percentile(ack_ms, 99),
        "seen_p50": _percentile(seen_delays, 50), "seen_p95": _percentile(seen_delays, 95),
        "seen_p99": _percentile(seen_delays, 99), "seen_never": never,
        "cpu_mean": sum(sampler.cpu) / len(sampler.cpu) if sampler.cpu else float("nan"),
        "cpu_max": max(sampler.cpu, default=float("nan")),
        "client_cpu_mean": (sum(sampler.own_cpu) / len(sampler.own_cpu)
                            if sampler.own_cpu else float("nan")),
        "client_lag_p99": _percentile(sampler.lag_ms, 99),
        "client_lag_max": max(sampler.lag_ms, default=float("nan")),
        "rss_held_mib": held_rss / 2**20,
        "rss_max_mib": max(sampler.rss, default=0) / 2**20, "errors": errors,
    }


def report(figures: dict[str, Any]) -> str:
    """Return the figures as a Markdown table row set."""
    f = figures
    lines = [
        f"| participants | {f['participants']} (joined {f['joined']}, "
        f"votes acknowledged {f['votes_acked']}) |",
        f"| join: all joined in | {f['join_all_s']:.1f} s |",
        f"| join time p50 / p95 / p99 | {f['join_p50']:.0f} / {f['join_p95']:.0f} / "
        f"{f['join_p99']:.0f} ms |",
        f"| votes spread over | {f['vote_window_s']:.0f} s (all acknowledged after "
        f"{f['votes_s']:.1f} s) |",
        f"| vote ack p50 / p95 / p99 | {f['ack_p50']:.0f} / {f['ack_p95']:.0f} / "
        f"{f['ack_p99']:.0f} ms |",
        f"| tally seen by every phone after the ack, p50 / p95 / p99 | {f['seen_p50']:.0f} / "
        f"{f['seen_p95']:.0f} / {f['seen_p99']:.0f} ms (never seen: {f['seen_never']}) |",
        f"| server CPU mean / max | {f['cpu_mean']:.0f}% / {f['cpu_max']:.0f}% of one core |",
        f"| load generator CPU mean; its event loop's lag p99 / max | "
        f"{f['client_cpu_mean']:.0f}% of one core; {f['client_lag_p99']:.0f} / "
        f"{f['client_lag_max']:.0f} ms |",
        f"| server memory holding everyone / max | {f['rss_held_mib']:.0f} / "
        f"{f['rss_max_mib']:.0f} MiB |",
        f"| errors | {f['errors'] or 'none'} |",
    ]
    return "\n".join(["| measure | value |", "|---|---|", *lines])


def main(url: str | None, code: str | None, project: str | None, participants: int,
         window: float, connect_rate: float, record: bool) -> dict[str, Any]:
    """Run the load test (starting a throwaway server unless `url` is given)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, participants * 2 + 256))
    with suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    instance = None
    if url is None:
        instance = build_instance(participants)
        url, code, project = instance.url, instance.code, instance.project
    if not code or not project:
        raise SystemExit("give --code and --project with --url")
    pid = instance.process.pid if instance and instance.process else None
    try:
        figures = asyncio.run(run(url, code, project, participants, window, connect_rate, pid))
    finally:
        if instance is not None and instance.process is not None:
            instance.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                instance.process.wait(timeout=10)
            if instance.folder:
                shutil.rmtree(instance.folder, ignore_errors=True)
    table = report(figures)
    print(table)
    if record:
        _record(figures, table, participants, window, connect_rate)
    return figures


def _record(figures: dict[str, Any], table: str, participants: int, window: float,
            connect_rate: float) -> None:
    load = os.getloadavg()
    command = (f"pb loadtest --participants {participants} --window {window:g} "
               f"--connect-rate {connect_rate:g}")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = (f"\n### {participants} participants ({when})\n\n"
               f"`{command}` — one gevent `pb serve` process on SQLite; load generator in its "
               f"own process; load average before: {load[0]:.2f}.\n\n{table}\n")
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    marker = "## Live sessions (pb loadtest)"
    if marker not in text:
        text += f"\n{marker}\n"
    path.write_text(text + section)


@click.command("loadtest")
@click.option("--participants", "-n", default=2000, show_default=True,
              help="Simulated phones to join and score.")
@click.option("--window", default=10.0, show_default=True,
              help="Seconds over which the phones' scores arrive.")
@click.option("--connect-rate", default=200.0, show_default=True,
              help="Phones arriving per second.")
@click.option("--url", default=None, help="A running server (default: start a throwaway one).")
@click.option("--code", default=None, help="With --url: the session's join code.")
@click.option("--project", default=None, help="With --url: the proposal id being scored.")
@click.option("--record", is_flag=True, help="Append the figures to BENCHMARKS.md.")
def loadtest_command(participants: int, window: float, connect_rate: float, url: str | None,
                     code: str | None, project: str | None, record: bool) -> None:
    """Fill a live session with simulated phones and report what they feel."""
    figures = main(url, code, project, participants, window, connect_rate, record)
    if figures["votes_acked"] < figures["participants"]:
        raise SystemExit(1)
