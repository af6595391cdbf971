"""Cast ballots concurrently over HTTP and Socket.IO against a running `pb serve`.

Usage: python benchmarks/voting.py [--ballots N] [--concurrency C] [--rate R ...]
                                   [--transports http socketio] [--processes N ...]
                                   [--callgrind N] [--py-spy DIR] [--record]

Needs python-socketio with aiohttp, and psutil (and valgrind for --callgrind, py-spy for
--py-spy). Builds a throwaway instance (a temporary folder with a SQLite file, the schema from
the migrations, a round in the voting phase with feasible projects and one access code per
ballot), starts `pb serve` on a free loopback port in production mode with gevent, and casts
ballots from this process (asyncio): over HTTP (`POST /rounds/<id>/ballot` with the code in
the body, one keep-alive connection per client, a minimal HTTP/1.1 client) and over
Socket.IO (the `vote` event with an acknowledgement, websocket transport, python-socketio's
AsyncClient). Every ballot has its own code and its own idempotency key.

Each transport is run closed-loop (C clients, each sending its next ballot as soon as the
last is acknowledged: the most the server sustains) and, for each `--rate R`, open-loop (R
ballots a second offered on a fixed schedule whatever the server does, latency counted from
the scheduled time, so a server that falls behind shows it). Latency is from send to
acknowledgement as the client sees it. Server CPU is the servers' CPU time over the run's
wall time (100 % = one core), RSS their peak resident memory. CPU time swings with whatever
else the machine runs; `--callgrind N` also counts the instructions the server runs per
ballot, which does not.

Afterwards the servers are stopped and the database checked: exactly one ballot per
acknowledged code, with the acknowledged receipt's fingerprint and the ballot sent, the code
marked used, and no ballot for a code that was not acknowledged. Any difference (or any
refused ballot) fails the run (exit 1).

`--record` replaces the "Benchmarks: casting ballots" section of BENCHMARKS.md (or appends
it) with the table, the command, the date and the machine's load, keeping the section's
hand-written "## Notes".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import secrets
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTION = "# Benchmarks: casting ballots"
SECRET = "benchmark-secret-" + "0" * 32
VOTING_KEY = "benchmark-voting-key-" + "1" * 32


# The instance --------------------------------------------------------------------------------

@dataclass
class Instance:
    """A throwaway pb instance: its folder, database, round, projects and unused codes."""

    folder: Path
    database: Path
    round_id: int
    costs: dict[str, int]
    budget: int
    method: str
    codes: list[str]  # plaintext, each unused
    code_ids: dict[str, int]  # plaintext code -> AccessCode.id

    def take(self, n: int) -> list[str]:
        taken, self.codes = self.codes[:n], self.codes[n:]
        if len(taken) < n:
            raise RuntimeError("not enough access codes were made for this run")
        return taken


def build_instance(folder: Path, *, codes: int, projects: int, method: str,
                   running_totals: bool = False) -> Instance:
    """Create the schema, a round in voting with `projects` feasible projects, and codes."""
    os.environ["PB_ASYNC_MODE"] = "threading"  # this process never serves
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from pb import create_app
    from pb.domain.eligibility import keyed_hash, new_code
    from pb.extensions import db
    from pb.models import AccessCode, Proposal
    from pb.services import accounts, rounds

    database = folder / "pb.sqlite3"
    app = create_app({"PB_ENV": "production", "SECRET_KEY": SECRET, "PB_VOTING_KEY": VOTING_KEY,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "RATELIMIT_ENABLED": False})
    rng = random.Random(5)
    with app.app_context():
        upgrade()
        officer = accounts.do_register("officer@example.org", "Officer", "benchmark password",
                                       extra_roles=("officer",))
        costs = [rng.randrange(20, 200) * 1_000_00 for _ in range(projects)]
        budget = sum(costs) // 3
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title="Benchmark round", area="Loopback", budget_minor=budget, currency="GBP",
            ballot_method=method, tally_rule="greedy", eligibility="codes",
            running_totals=running_totals))
        made = [Proposal(round_id=round_.id, title=f"Project {i}", summary=f"Summary {i}",
                         cost_minor=cost, status="feasible")
                for i, cost in enumerate(costs, start=1)]
        db.session.add_all(made)
        db.session.commit()
        rounds.do_change_phase(officer, round_, "voting")
        plain: set[str] = set()
        while len(plain) < codes:
            plain.add(new_code())
        ordered = sorted(plain)
        rng.shuffle(ordered)
        key = VOTING_KEY.encode()
        db.session.execute(sa.insert(AccessCode), [
            {"round_id": round_.id, "code_hash": keyed_hash(key, "code", code), "batch": "bench"}
            for code in ordered])
        db.session.commit()
        by_hash = {keyed_hash(key, "code", code): code for code in ordered}
        code_ids = {by_hash[h]: i for i, h in db.session.execute(
            sa.select(AccessCode.id, AccessCode.code_hash)
            .where(AccessCode.round_id == round_.id))}
        instance = Instance(folder, database, round_.id,
                            {str(p.id): p.cost_minor for p in made}, budget, method, ordered,
                            code_ids)
        db.session.remove()
        db.engine.dispose()
    return instance


def ballot(instance: Instance, rng: random.Random) -> list[str]:
    """Return a random valid ballot: projects in random order while they fit the budget."""
    ids = list(instance.costs)
    rng.shuffle(ids)
    chosen, spent = [], 0
    for pid in ids:
        if instance.method == "approval" and len(chosen) >= 5:
            break
        if spent + instance.costs[pid] <= instance.budget:
            chosen.append(pid)
            spent += instance.costs[pid]
    return chosen


# The server ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(instance: Instance, port: int, async_mode: str, wrapper: tuple[str, ...] = (),
                 timeout: float = 60, processes: int = 1,
                 redis_url: str | None = None) -> subprocess.Popen[bytes]:
    """Start `pb serve` on the instance (under `wrapper`, if any) and return once it answers.

    With `processes` above 1, `pb serve --processes N` (N workers on the port, sharing rooms
    through the Redis at `redis_url`); the workers are the returned process's children."""
    env = {**os.environ, "PB_ENV": "production", "SECRET_KEY": SECRET,
           "PB_VOTING_KEY": VOTING_KEY, "PB_DATABASE_URL": f"sqlite:///{instance.database}",
           "PB_RATELIMIT_ENABLED": "0", "PB_ASYNC_MODE": async_mode,
           "PB_SOCKETIO_ORIGINS": f"http://127.0.0.1:{port}"}
    if redis_url:
        env["PB_REDIS_URL"] = redis_url
    script = Path(sys.executable).with_name("pb")
    command = ([*wrapper, sys.executable, str(script)] if script.exists()
               else [*wrapper, sys.executable, "-c", "from pb.cli import cli; cli()"])
    log = (instance.folder / f"server-{port}.log").open("wb")
    server = subprocess.Popen([*command, "serve", "--port", str(port),  # noqa: S603
                               "--processes", str(processes)],
                              cwd=instance.folder, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/rounds/{instance.round_id}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"pb serve exited; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"pb serve did not answer within {timeout:g} s")


def server_pids(server: subprocess.Popen[bytes], processes: int) -> list[int]:
    """Return the pids that serve: the process itself, or its `processes` workers."""
    if processes == 1:
        return [server.pid]
    import psutil

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = psutil.Process(server.pid).children()
        if len(children) == processes:
            return [child.pid for child in children]
        time.sleep(0.1)
    raise RuntimeError(f"pb serve did not start {processes} workers")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class Watch:
    """Sample the servers' CPU time and resident memory (added up) while a run goes on."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self.processes = [psutil.Process(pid) for pid in pids]
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _rss(self) -> int:
        return sum(p.memory_info().rss for p in self.processes)

    def _cpu(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self.processes)

    def _system(self) -> float:
        return sum(p.cpu_times().system for p in self.processes)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self._rss())
            self._stop.wait(0.25)

    def __enter__(self) -> Watch:
        self.cpu0, self.system0 = self._cpu(), self._system()
        self.own0 = sum(os.times()[:2])
        self.wall0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        wall = time.perf_counter() - self.wall0
        self.peak_rss = max(self.peak_rss, self._rss())
        self.server_cpu = (self._cpu() - self.cpu0) / wall
        self.server_system = (self._system() - self.system0) / wall
        self.client_cpu = (sum(os.times()[:2]) - self.own0) / wall


def count_instructions(instance: Instance, transports: list[str], n: int, rng: random.Random,
                       runs: list[Run]) -> dict[str, float]:
    """Return the server's instructions per ballot for each transport, counted by valgrind's
    callgrind over `n` ballots from 4 clients after a warm-up: unlike CPU time, the count does
    not depend on what else the machine is doing."""
    out = instance.folder / "callgrind.out"
    port = free_port()
    server = start_server(instance, port, "gevent", ("valgrind", "--tool=callgrind",
                          "--instr-atstart=no", f"--callgrind-out-file={out}"), timeout=600)
    bases = [f"http://127.0.0.1:{port}"]

    def control(*args: str) -> None:
        subprocess.run(["callgrind_control", *args, str(server.pid)],  # noqa: S603,S607
                       check=True, capture_output=True)

    counts = {}
    try:
        for transport in transports:
            runs.append(one_run(instance, bases, [server.pid],
                                Run(transport, "warm-up", 4, warmup=True), 50, rng))
            control("--zero")
            control("--instr=on")
            run = one_run(instance, bases, [server.pid],
                          Run(transport, "callgrind", 4, warmup=True), n, rng)
            runs.append(run)
            control("--instr=off")
            control(f"--dump={transport}")
            if run.errors:
                raise RuntimeError(f"ballots refused under callgrind: {run.errors[:3]}")
            counts[transport] = len(run.acked)
    finally:
        stop_server(server)
    found = {}
    for dump in out.parent.glob(out.name + ".*"):
        text = dump.read_text(errors="replace")
        label = next((line.split("dump ", 1)[1].strip() for line in text.splitlines()
                      if line.startswith("desc: Trigger:") and "dump " in line), None)
        total = next((int(line.split()[1]) for line in text.splitlines()
                      if line.startswith("totals:")), None)
        if label in counts and total is not None:
            found[label] = total / counts[label]
    return found


# The clients ---------------------------------------------------------------------------------

@dataclass
class Acked:
    code: str
    receipt: str
    items: list[str]


@dataclass
class Run:
    """One run: what was sent, what came back, and how long each acknowledgement took."""

    transport: str
    mode: str
    concurrency: int
    rate: float | None = None
    servers: int = 1
    latencies: list[float] = field(default_factory=list)
    acked: list[Acked] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # codes whose ballot was refused or lost
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0
    server_system: float = 0.0  # of which in the kernel
    client_cpu: float = 0.0
    peak_rss: int = 0
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    warmup: bool = False

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


Job = tuple[str, str, list[str]]  # code, idempotency key, items


class HttpCaster:
    """Client i posts over its own keep-alive connection to server i % N (sticky, like a proxy).

    A plain HTTP/1.1 client on asyncio streams rather than aiohttp: on a 2-core machine the
    load generator shares the cores with the server, and aiohttp spent about 0.6 ms of CPU per
    request, which the server then did not get. It sends a complete request and reads one
    response with a Content-Length (what pb's JSON answers have); anything else fails the
    ballot, loudly.
    """

    def __init__(self, bases: list[str], round_id: int, concurrency: int) -> None:
        self.bases, self.round_id, self.concurrency = bases, round_id, concurrency
        self.streams: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def __aenter__(self) -> HttpCaster:
        return self

    async def __aexit__(self, *_: object) -> None:
        for _reader, writer in self.streams.values():
            writer.close()

    async def _stream(self, worker: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if worker not in self.streams:
            host, port = self.bases[worker % len(self.bases)].rsplit("/", 1)[1].split(":")
            self.streams[worker] = await asyncio.open_connection(host, int(port))
        return self.streams[worker]

    async def cast(self, worker: int, job: Job) -> dict[str, Any]:
        code, key, items = job
        body = json.dumps({"code": code, "key": key, "items": items}).encode()
        host = self.bases[worker % len(self.bases)].rsplit("/", 1)[1]
        request = (f"POST /rounds/{self.round_id}/ballot HTTP/1.1\r\nHost: {host}\r\n"
                   "Content-Type: application/json\r\nAccept-Encoding: identity\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        reader, writer = await self._stream(worker)
        try:
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            lines = head.decode("latin-1").split("\r\n")
            fields = {name.strip().lower(): value.strip() for name, _, value in
                      (line.partition(":") for line in lines[1:] if line)}
            if "content-length" not in fields:
                raise RuntimeError(f"no Content-Length in the answer: {lines[0]}")
            answer = await reader.readexactly(int(fields["content-length"]))
        except BaseException:
            writer.close()
            self.streams.pop(worker, None)
            raise
        if fields.get("connection", "").lower() == "close":
            writer.close()
            self.streams.pop(worker, None)
        return json.loads(answer)


class SocketCaster:
    """Client i is one Socket.IO connection (websocket) to server i % N."""

    def __init__(self, bases: list[str], round_id: int, concurrency: int) -> None:
        self.bases, self.round_id, self.concurrency = bases, round_id, concurrency

    async def __aenter__(self) -> SocketCaster:
        import socketio

        self.clients = [socketio.AsyncClient(reconnection=False)
                        for _ in range(self.concurrency)]
        await asyncio.gather(*(c.connect(self.bases[i % len(self.bases)],
                                         transports=["websocket"], wait_timeout=30)
                               for i, c in enumerate(self.clients)))
        return self

    async def __aexit__(self, *_: object) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients))

    async def cast(self, worker: int, job: Job) -> dict[str, Any]:
        code, key, items = job
        return await self.clients[worker].call(
            "vote", {"round": self.round_id, "code": code, "key": key, "items": items},
            timeout=60)


async def _drive(caster: Any, jobs: list[Job], run: Run) -> None:
    """Send every job through `caster`: closed-loop, or on a schedule when run.rate is set."""
    queue: asyncio.Queue[tuple[Job, float] | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def worker(number: int) -> None:
        while (entry := await queue.get()) is not None:
            job, scheduled = entry
            sent = loop.time() if run.rate is None else scheduled
            try:
                answer = await caster.cast(number, job)
            except Exception as error:  # noqa: BLE001 (counted, and the run fails)
                run.errors.append(f"{type(error).__name__}: {error}")
                run.refused.append(job[0])
                continue
            done = loop.time()
            if isinstance(answer, dict) and answer.get("ok"):
                run.latencies.append(done - sent)
                run.acked.append(Acked(job[0], answer["receipt"], job[2]))
            else:
                run.errors.append(str(answer)[:200])
                run.refused.append(job[0])

    workers = [asyncio.create_task(worker(i)) for i in range(run.concurrency)]
    start = loop.time()
    if run.rate is None:
        for job in jobs:
            queue.put_nowait((job, 0.0))
    else:
        for i, job in enumerate(jobs):
            at = start + i / run.rate
            if at > loop.time():
                await asyncio.sleep(at - loop.time())
            queue.put_nowait((job, at))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    run.wall = loop.time() - start


def profiler(server_pid: int, output: Path | None) -> subprocess.Popen[bytes] | None:
    """Start py-spy sampling the server into `output` (collapsed stacks), if asked."""
    if output is None:
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen([spy, "record", "--pid", str(server_pid), "--format", "raw",  # noqa: S603
                             "--rate", "200", "--nonblocking", "--output", str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def one_run(instance: Instance, bases: list[str], server_pids: list[int], run: Run, n: int,
            rng: random.Random, profile: Path | None = None) -> Run:
    """Cast `n` ballots with fresh codes in one run, watching the server meanwhile."""
    jobs = [(code, secrets.token_urlsafe(12), ballot(instance, rng))
            for code in instance.take(n)]
    kind = HttpCaster if run.transport == "HTTP" else SocketCaster

    async def main() -> None:
        async with kind(bases, instance.round_id, run.concurrency) as caster:
            spy = profiler(server_pids[0], profile)
            with Watch(server_pids) as watch:
                await _drive(caster, jobs, run)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(30)
        run.server_cpu, run.client_cpu = watch.server_cpu, watch.client_cpu
        run.server_system = watch.server_system
        run.peak_rss = watch.peak_rss

    asyncio.run(main())
    run.load = os.getloadavg()
    return run


# Checking the database -----------------------------------------------------------------------

def verify(instance: Instance, runs: list[Run]) -> list[str]:
    """Return every way the stored ballots differ from what was acknowledged."""
    from pb.domain.eligibility import receipt_fingerprint

    problems = []
    with sqlite3.connect(instance.database) as con:
        stored = {key: (fp, items, submission) for key, fp, items, submission in con.execute(
            "SELECT voter_key, receipt_fp, items, submission_key FROM ballots "
            "WHERE round_id = ?", (instance.round_id,))}
        used = {row[0] for row in con.execute(
            "SELECT id FROM access_codes WHERE used_at IS NOT NULL")}
    acked = 0
    for run in runs:
        for a in run.acked:
            acked += 1
            voter = f"code:{instance.code_ids[a.code]}"
            row = stored.get(voter)
            if row is None:
                problems.append(f"{run.transport}: acknowledged ballot of {voter} not stored")
                continue
            if row[0] != receipt_fingerprint(a.receipt):
                problems.append(f"{run.transport}: {voter} stored under another receipt")
            if sorted(json.loads(row[1])) != sorted(a.items):
                problems.append(f"{run.transport}: {voter} stored other items")
            if instance.code_ids[a.code] not in used:
                problems.append(f"{run.transport}: code of {voter} not marked used")
        for code in run.refused:
            if f"code:{instance.code_ids[code]}" in stored:
                problems.append(f"{run.transport}: unacknowledged ballot of code "
                                f"{instance.code_ids[code]} was stored")
    if len(stored) != acked:
        problems.append(f"{len(stored)} ballots stored for {acked} acknowledged")
    return problems


# Reporting -----------------------------------------------------------------------------------

HEADER = ("| transport | processes | load offered | ballots | ballots/s | p50 (ms) | p95 (ms) | "
          "p99 (ms) | max (ms) | server CPU (of which kernel) | server CPU per ballot (ms) | "
          "server RSS (MiB) | client CPU | errors | load avg |")


def row(run: Run) -> str:
    offered = (f"closed loop, {run.concurrency} clients" if run.rate is None
               else f"{run.rate:g}/s over {run.concurrency} clients")
    ms = lambda p: f"{run.percentile(p) * 1000:.0f}"  # noqa: E731
    per_ballot = run.server_cpu * run.wall / max(1, len(run.latencies)) * 1000
    return (f"| {run.transport} | {run.servers} | {offered} | {len(run.latencies)} | "
            f"{run.per_second:.0f} | "
            f"{ms(50)} | {ms(95)} | {ms(99)} | {ms(100)} | "
            f"{run.server_cpu:.0%} ({run.server_system:.0%} kernel) | "
            f"{per_ballot:.1f} | {run.peak_rss / 2**20:.0f} | {run.client_cpu:.0%} | "
            f"{len(run.errors)} | {run.load[0]:.1f} |")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} vCPU {cpu}, {memory:.0f} GiB RAM, {platform.system()}, "
            f"CPython {platform.python_version()}")


def versions() -> str:
    from importlib.metadata import version

    names = ("flask", "flask-socketio", "python-socketio", "python-engineio", "gevent",
             "sqlalchemy")
    found = []
    for name in names:
        with contextlib.suppress(Exception):
            found.append(f"{name} {version(name)}")
    return ", ".join(found) + f", SQLite {sqlite3.sqlite_version}"


def section(runs: list[Run], args: argparse.Namespace, command: str, before: tuple[float, ...],
            problems: list[str], instructions: dict[str, float]) -> str:
    """Return the BENCHMARKS.md section: how the figures were made, then the table."""
    rows = "\n".join(row(r) for r in runs if not r.warmup)
    totals = (" that shows running totals (recounted and broadcast while voting)"
              if args.running_totals else "")
    checked = ("every acknowledged ballot was stored exactly once, under its receipt, and "
               "nothing else was" if not problems else "FAILED: " + "; ".join(problems[:5]))
    paragraphs = [
        f"Date: {dt.date.today().isoformat()}. Machine: {machine()}; {versions()}. Load "
        f"average (1, 5, 15 min) before the runs: {before[0]:.1f}, {before[1]:.1f}, "
        f"{before[2]:.1f} on 2 cores (shared with other work, so the figures are noisy); the "
        "*load avg* column is the 1-minute load just after each run.",
        "`pb serve` (gevent, `PB_ENV=production`, rate limits off) on a fresh SQLite file in "
        "WAL mode; *processes* is `pb serve --processes N`: N workers on one port (the kernel "
        "shares out connections) and one database, sharing rooms through a throwaway "
        f"redis-server when N > 1. A {args.method} round with "
        f"{args.projects} projects{totals}; every ballot is cast with its own access code and "
        "idempotency key from one asyncio client process on the same machine. *Closed loop*: "
        "each client sends its next ballot as soon as the last is acknowledged. *N/s*: "
        "ballots offered on a fixed schedule, latency counted from the scheduled time. "
        "Latency is from sending to the acknowledgement (`{\"ok\": true, \"receipt\": ...}`), "
        "which comes only after the commit. *Server CPU* is the servers' CPU time over the "
        "run's wall time (100 % = one core), *per ballot* the same divided by the ballots "
        "acknowledged, *RSS* the servers' resident memory added up, *client CPU* the "
        f"benchmark process's. {args.warmup} ballots per transport and process count were cast "
        "first as a warm-up and are not in the table. Checked afterwards in the database: "
        f"{checked}.",
    ]
    table = f"{HEADER}\n|{'---|' * HEADER.count(' | ')}---|\n{rows}"
    if instructions:
        table += "\n\n" + textwrap.fill(
            "Instructions the server runs per ballot (valgrind's callgrind, user space only, "
            f"{args.callgrind} ballots from 4 clients after a warm-up; unlike CPU time this "
            "does not depend on the machine's load): " + ", ".join(
                f"{label} {count / 1e6:.2f} million"
                for label, count in sorted(instructions.items())) + ".", 95)
    text = "\n\n".join(textwrap.fill(p, 95, break_on_hyphens=False) for p in paragraphs)
    return f"{SECTION}\n\nProduced with:\n\n```\n{command}\n```\n\n{text}\n\n{table}\n"


def record(text: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Replace this benchmark's section of BENCHMARKS.md, or append it.

    The section runs up to the next heading of level 1 or 2 other than its own "## Notes",
    which is kept (notes are written by hand), so other benchmarks' sections are left alone.
    """
    old = path.read_text() if path.exists() else ""
    if SECTION not in old:
        path.write_text(old.rstrip("\n") + "\n\n" + text)
        return
    before, rest = old.split(SECTION, 1)
    lines = rest.split("\n")
    end = next((i for i, line in enumerate(lines) if i and line.startswith(("# ", "## "))
                and line.strip() != "## Notes"), len(lines))
    body, after = "\n".join(lines[:end]), "\n".join(lines[end:])
    notes = ""
    if "\n## Notes" in body:
        notes = "\n## Notes" + body.split("\n## Notes", 1)[1].rstrip("\n") + "\n"
    path.write_text(before + text + notes + ("\n" + after if after else ""))


# Main ----------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=10_000,
                        help="ballots per run (default 10000)")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="connections (HTTP) or connected clients (Socket.IO)")
    parser.add_argument("--rate", type=float, nargs="*", default=[500.0],
                        help="open-loop runs at these ballots per second (default 500; "
                             "none for closed loop only)")
    parser.add_argument("--no-closed", action="store_true", help="skip the closed-loop runs")
    parser.add_argument("--transports", nargs="+", default=["http", "socketio"],
                        choices=["http", "socketio"])
    parser.add_argument("--method", default="knapsack", choices=["knapsack", "approval"])
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=500, help="ballots cast first, not timed")
    parser.add_argument("--async-mode", default="gevent", choices=["gevent", "threading"])
    parser.add_argument("--processes", type=int, nargs="+", default=[1],
                        help="run everything with `pb serve --processes N` for each N: N "
                             "gevent workers on one port and one database, sharing rooms "
                             "through a throwaway redis-server (default 1; e.g. 1 2)")
    parser.add_argument("--running-totals", action="store_true",
                        help="the round shows running totals (recounted and broadcast while "
                             "ballots come in)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    parser.add_argument("--py-spy", metavar="DIR", default=None,
                        help="sample the server with py-spy during each timed run and keep "
                             "the collapsed stacks in DIR")
    parser.add_argument("--callgrind", type=int, metavar="N", default=0,
                        help="also count the server's instructions per ballot over N ballots "
                             "per transport under valgrind (slow; needs valgrind)")
    parser.add_argument("--record", action="store_true",
                        help="write the table into BENCHMARKS.md")
    args = parser.parse_args()
    for name in ("aiohttp", "socketio", "psutil"):
        try:
            __import__(name)
        except ImportError:
            parser.error(f"this benchmark needs {name}: pip install aiohttp python-socketio "
                         "psutil")

    plan: list[tuple[str, float | None]] = []
    for transport in args.transports:
        label = "HTTP" if transport == "http" else "Socket.IO"
        if not args.no_closed:
            plan.append((label, None))
        plan.extend((label, rate) for rate in args.rate)
    total = len(args.processes) * (len(plan) * args.ballots
                                 + len(args.transports) * args.warmup)
    total += len(args.transports) * (args.callgrind + 50) if args.callgrind else 0
    before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="pb-bench-voting-"))
    print(f"Building the instance in {folder} ({total} codes) ...", flush=True)
    instance = build_instance(folder, codes=total, projects=args.projects, method=args.method,
                              running_totals=args.running_totals)
    rng = random.Random(7)
    runs: list[Run] = []
    print(HEADER, flush=True)
    for count in args.processes:
        servers: list[subprocess.Popen[bytes]] = []
        with contextlib.ExitStack() as stack:
            if count > 1:
                from tests.servers import redis  # the test suite's throwaway redis-server

                redis_url: str | None = stack.enter_context(redis())
            else:
                redis_url = None
            port = free_port()
            servers.append(start_server(instance, port, args.async_mode, processes=count,
                                        redis_url=redis_url))
            stack.callback(stop_server, servers[0])
            bases = [f"http://127.0.0.1:{port}"]
            pids = server_pids(servers[0], count)
            warmed: set[str] = set()
            for transport, rate in plan:
                if transport not in warmed and args.warmup:
                    runs.append(one_run(instance, bases, pids,
                                        Run(transport, "warm-up", args.concurrency,
                                            servers=count, warmup=True), args.warmup, rng))
                    warmed.add(transport)
                profile = None
                if args.py_spy:
                    Path(args.py_spy).mkdir(parents=True, exist_ok=True)
                    name = f"{transport.replace('.', '')}-{count}-{rate or 'closed'}"
                    profile = Path(args.py_spy) / f"{name.lower()}.txt"
                run = one_run(instance, bases, pids,
                              Run(transport, "closed" if rate is None else "open",
                                  args.concurrency, rate, servers=count),
                              args.ballots, rng, profile)
                runs.append(run)
                print(row(run), flush=True)
                for error in sorted(set(run.errors))[:3]:
                    print(f"    error: {error}", flush=True)
    instructions: dict[str, float] = {}
    if args.callgrind:
        print(f"Counting instructions under callgrind ({args.callgrind} ballots each) ...",
              flush=True)
        labels = ["HTTP" if t == "http" else "Socket.IO" for t in args.transports]
        instructions = count_instructions(instance, labels, args.callgrind, rng, runs)
        for label, count in instructions.items():
            print(f"    {label}: {count / 1e6:.2f} million instructions per ballot", flush=True)
    problems = verify(instance, runs)
    acked = sum(len(r.acked) for r in runs)
    if problems:
        print(f"DATABASE CHECK FAILED ({len(problems)} problems):")
        for problem in problems[:20]:
            print(f"    {problem}")
    else:
        print(f"Database check: {acked} acknowledged ballots, each stored exactly once under "
              "its receipt; nothing else stored.")
    command = "python benchmarks/voting.py " + shlex.join(sys.argv[1:])
    text = section(runs, args, command.strip(), before, problems, instructions)
    if args.record:
        record(text)
        print("Recorded in BENCHMARKS.md.")
    if args.keep:
        print(f"Instance kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if problems or any(r.errors for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
