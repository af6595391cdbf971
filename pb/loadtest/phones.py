"""The simulated hall: a facilitator's console and N phones that join, then score a pitch or
up-vote questions, each speaking Engine.IO 4 / Socket.IO 5 over aiohttp (`sockets`).

aiohttp and python-socketio come with the `test` extra, so they are imported where used:
`pb loadtest` is part of every install, its load generator only of test installs."""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from pb.loadtest.figures import figures_of, questions_figures_of
from pb.loadtest.instance import PASSWORD
from pb.loadtest.sampler import Sampler
from pb.loadtest.sockets import PhoneSocket, PollingSocket


@dataclass(frozen=True)
class Scenario:
    """What the hall does: how many phones, arriving how fast, over which transport, and
    whether they score (`questions` 0) or up-vote that many questions."""

    participants: int
    window: float
    connect_rate: float
    transport: str = "websocket"
    questions: int = 0


@dataclass
class Phone:
    """One simulated participant and what it saw."""

    index: int
    client: PhoneSocket | PollingSocket | None = None
    token: str | None = None
    join_started: float = 0.0
    joined: float | None = None
    vote_sent: float | None = None
    vote_acked: float | None = None
    tallies: list[tuple[float, int]] = field(default_factory=list)  # (time, scored count)
    questions: list[tuple[float, int]] = field(default_factory=list)  # (time, up-votes shown)
    upvotes: list[tuple[float, float]] = field(default_factory=list)  # (sent, acked)
    refusals: list[str] = field(default_factory=list)  # error acks, as the server said
    error: str | None = None
    lost: str | None = None  # the connection closed under the phone, and why


async def _login(url: str) -> str:
    """Log the facilitator in over HTTP; return the Cookie header for the console."""
    import aiohttp  # noqa: PLC0415  (optional: the test extra)

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


class Console:
    """The facilitator's console: python-socketio's client, which reconnects (and joins the
    session again) if the server drops it. A saturated server can send its pings so late
    that the client gives the connection up; the run then goes on, and the figures say how
    often that happened."""

    def __init__(self, url: str, code: str, cookie: str) -> None:
        import socketio  # noqa: PLC0415  (optional: the test extra)

        self.url, self.code, self.cookie = url, code, cookie
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5,
                                           reconnection_delay_max=2)
        self.joined = asyncio.Event()
        self.connections = 0
        self.client.on("connect", self._connected, namespace="/live")
        self.client.on("disconnect", self._dropped, namespace="/live")

    async def _connected(self) -> None:
        self.connections += 1
        asyncio.get_running_loop().create_task(self._join())

    async def _dropped(self, *_args: Any) -> None:
        self.joined.clear()

    async def _join(self) -> None:
        with suppress(Exception):
            ack = await self.client.call("join", {"code": self.code, "role": "console"},
                                         namespace="/live", timeout=60)
            if ack.get("ok"):
                self.joined.set()

    async def connect(self) -> None:
        await self.client.connect(self.url, namespaces=["/live"], transports=["websocket"],
                                  headers={"Cookie": self.cookie, "Origin": self.url})
        await asyncio.wait_for(self.joined.wait(), 60)

    async def control(self, data: dict[str, Any]) -> dict[str, Any]:
        """Send a control, waiting for the console to be back if it was dropped."""
        for _attempt in range(3):
            try:
                await asyncio.wait_for(self.joined.wait(), 120)
                ack: dict[str, Any] = await self.client.call("control", data,
                                                             namespace="/live", timeout=60)
                return ack
            except Exception:  # noqa: BLE001,S112 - dropped meanwhile: wait for it, again
                await asyncio.sleep(1)
        raise SystemExit(f"the console could not send {data}: its connection kept dropping")

    async def disconnect(self) -> None:
        await self.client.disconnect()


async def _console(url: str, code: str, cookie: str) -> Console:
    console = Console(url, code, cookie)
    await console.connect()
    return console


async def _control(console: Console, action: str) -> None:
    ack = await console.control({"action": action})
    if not ack.get("ok"):
        raise SystemExit(f"the console could not {action}: {ack}")


async def _join(phone: Phone, http: Any, url: str, code: str, scenario: Scenario,
                project: str) -> None:
    kind = PollingSocket if scenario.transport == "polling" else PhoneSocket
    client = phone.client = kind(phone, project)
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


async def _vote(phone: Phone, delay: float, project: str) -> None:
    await asyncio.sleep(delay)
    if phone.joined is None or phone.client is None:
        return
    score = random.randint(1, 10)  # noqa: S311 - simulated voters
    phone.vote_sent = time.perf_counter()
    try:
        ack = await phone.client.call(
            "vote", {"key": uuid.uuid4().hex, "items": {project: score}}, timeout=60)
    except Exception as error:  # noqa: BLE001
        phone.error = f"vote: {type(error).__name__}: {error}"
        return
    if ack.get("ok"):
        phone.vote_acked = time.perf_counter()
    else:
        phone.error = f"vote refused: {ack.get('error')}"


async def _ask(phone: Phone, number: int) -> int | None:
    """Ask a question from this phone; return its id."""
    if phone.client is None or phone.joined is None:
        return None
    try:
        ack = await phone.client.call(
            "ask", {"text": f"Question {number + 1} from the floor: what will it cost "
                            "to keep running after the first year?"}, timeout=60)
    except Exception as error:  # noqa: BLE001
        phone.error = f"ask: {type(error).__name__}: {error}"
        return None
    if not ack.get("ok"):
        phone.error = f"ask refused: {ack.get('error')}"
        return None
    return int(ack["question"])


async def _upvote(phone: Phone, delay: float, questions: list[int]) -> None:
    """Up-vote every question at once, after `delay`."""
    await asyncio.sleep(delay)
    client = phone.client
    if phone.joined is None or client is None:
        return

    async def one(question: int) -> None:
        sent = time.perf_counter()
        try:
            ack = await client.call("upvote", {"question": question}, timeout=60)
        except Exception as error:  # noqa: BLE001
            phone.error = phone.error or f"upvote: {type(error).__name__}: {error}"
            return
        if ack.get("ok"):
            phone.upvotes.append((sent, time.perf_counter()))
        else:
            phone.refusals.append(str(ack.get("error")))

    await asyncio.gather(*(one(q) for q in questions))


async def _approve_all(console: Console, questions: list[int]) -> None:
    """Approve the questions, for a session that holds them (a refusal means it did not)."""
    for question in questions:
        with suppress(Exception):
            await console.control({"action": "approve", "question": question})


async def run(url: str, code: str, project: str, scenario: Scenario,
              server_pid: int | None, database_pid: int | None = None) -> dict[str, Any]:
    """Run the scenario; return the measured figures (the database's processes, when it
    runs beside the server, counted with the server's)."""
    import aiohttp  # noqa: PLC0415  (optional: the test extra)

    sampler = Sampler(server_pid, database_pid)
    sampler.start()
    console = await _console(url, code, await _login(url))
    await _control(console, "start")
    phones = [Phone(i) for i in range(scenario.participants)]
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    sampler.mark("joins")
    started = time.perf_counter()
    joins = []
    for phone in phones:  # arrive at a steady rate, as a hall fills (on the clock, not
        # after fixed sleeps, which a busy event loop stretches)
        joins.append(asyncio.create_task(_join(phone, http, url, code, scenario, project)))
        await asyncio.sleep(max(0.0, started + (phone.index + 1) / scenario.connect_rate
                                - time.perf_counter()))
    await asyncio.gather(*joins)
    all_joined = time.perf_counter() - started
    sampler.mark("joined")
    held_rss = sampler.rss_now()
    window = scenario.window
    try:
        if scenario.questions:
            asked = [q for q in await asyncio.gather(
                *(_ask(p, i) for i, p in enumerate(phones[:scenario.questions])))
                if q is not None]
            await _approve_all(console, asked)
            await asyncio.sleep(1)  # the lists of the questions asked reach every phone
            for phone in phones:
                phone.questions.clear()
            sampler.mark("votes")
            vote_start = time.perf_counter()
            await asyncio.gather(*(_upvote(p, random.uniform(0, window), asked)  # noqa: S311
                                   for p in phones))
        else:
            await _control(console, "open_scoring")
            sampler.mark("votes")
            vote_start = time.perf_counter()
            await asyncio.gather(*(_vote(p, random.uniform(0, window), project)  # noqa: S311
                                   for p in phones))
        votes_done = time.perf_counter() - vote_start
        sampler.mark("voted")
        await asyncio.sleep(3)  # let the last throttled tallies (or question lists) arrive
    finally:
        await sampler.stop()
        for phone in phones:
            if phone.client is not None:
                with suppress(Exception):
                    await phone.client.disconnect()
        await http.close()
        with suppress(Exception):
            await console.disconnect()
    if scenario.questions:
        figures = questions_figures_of(phones, all_joined, votes_done, scenario, len(asked),
                                       sampler, held_rss)
    else:
        figures = figures_of(phones, all_joined, votes_done, scenario, sampler, held_rss)
    figures["console_dropped"] = console.connections - 1
    return figures
