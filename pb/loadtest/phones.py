"""The simulated hall: a facilitator's console and N phones that join and score, each speaking
Engine.IO 4 / Socket.IO 5 over aiohttp (`PhoneSocket`).

aiohttp and python-socketio come with the `test` extra, so they are imported where used:
`pb loadtest` is part of every install, its load generator only of test installs."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from pb.loadtest.figures import figures_of
from pb.loadtest.instance import PASSWORD
from pb.loadtest.sampler import Sampler


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


async def _console(url: str, code: str, cookie: str) -> Any:
    import socketio  # noqa: PLC0415  (optional: the test extra)

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
        import aiohttp  # noqa: PLC0415  (optional: the test extra)

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


async def run(url: str, code: str, project: str, participants: int, window: float,
              connect_rate: float, server_pid: int | None) -> dict[str, Any]:
    """Run the scenario; return the measured figures."""
    import aiohttp  # noqa: PLC0415  (optional: the test extra)

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
    return figures_of(phones, all_joined, votes_done, window, sampler, held_rss)


