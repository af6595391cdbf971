"""A phone's Socket.IO connection to `/live`, spoken directly over aiohttp: one websocket
(`PhoneSocket`), or Engine.IO's long polling (`PollingSocket`), as a phone on a network that
refuses websockets.

Engine.IO 4 carries packets as text: "0{...}" opens, "2" pings (answered "3"), "1" closes;
Socket.IO 5 packets follow a "4": "0/live," connects the namespace, "2/live,<id>[event, data]"
emits with an acknowledgement id, "3/live,<id>[data]" is the acknowledgement. Over a
websocket each packet is one frame; over long polling a request carries several, separated
by a record separator (0x1e), sent by POST and received by a GET the server holds open.
python-socketio's client runs a task per received event, and with thousands of phones in
one process the load generator, not the server, became the limit; these do only this.

aiohttp comes with the `test` extra, so it is imported where used.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pb.loadtest.phones import Phone

SEPARATOR = "\x1e"  # between the packets of one long-polling request
POLL_BATCH = 16  # packets a POST carries at most (Engine.IO's own default limit)


class _Socket:
    """What both transports share: the Socket.IO packets, acks and what the phone records."""

    def __init__(self, phone: Phone, project: str) -> None:
        self.phone = phone
        self.project = project
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_id = 0
        self.connected: asyncio.Future[None] | None = None
        self.closed = False  # by the phone itself, at the end of the run

    async def _send(self, packet: str) -> None:
        raise NotImplementedError

    async def call(self, event: str, data: Any, timeout: float) -> Any:
        """Emit `event` and wait for its acknowledgement."""
        self.next_id += 1
        ack = self.acks[self.next_id] = asyncio.get_running_loop().create_future()
        await self._send(f"42/live,{self.next_id}{json.dumps([event, data])}")
        return await asyncio.wait_for(ack, timeout)

    def _handle(self, data: str) -> None:
        if data == "2":
            asyncio.get_running_loop().create_task(self._send("3"))
        elif data.startswith('42/live,["tally"'):
            payload = json.loads(data[8:])[1]
            self.phone.tallies.append((time.perf_counter(),
                                       int(payload["scored"].get(self.project, 0))))
        elif data.startswith('42/live,["questions"'):
            payload = json.loads(data[8:])[1]
            self.phone.questions.append((time.perf_counter(),
                                         sum(int(q["votes"]) for q in payload["questions"])))
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
        elif data == "1":
            self._fail(ConnectionError("the server closed the connection"))

    def _fail(self, error: Exception) -> None:
        if (self.phone.lost is None and not self.closed and self.connected is not None
                and self.connected.done()):
            self.phone.lost = f"{type(error).__name__}: {error}"
        for future in (self.connected, *self.acks.values()):
            if future is not None and not future.done():
                future.set_exception(error)
        self.acks.clear()


class PhoneSocket(_Socket):
    """A phone's connection over one websocket."""

    def __init__(self, phone: Phone, project: str) -> None:
        super().__init__(phone, project)
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None

    async def connect(self, http: Any, url: str, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        self.connected = loop.create_future()
        address = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await asyncio.wait_for(
            http.ws_connect(address, headers={"Origin": url}, max_msg_size=0), timeout)
        self.reader = loop.create_task(self._read())
        await self._send("40/live,")
        await asyncio.wait_for(self.connected, timeout)

    async def _send(self, packet: str) -> None:
        await self.ws.send_str(packet)

    async def _read(self) -> None:
        import aiohttp  # noqa: PLC0415  (optional: the test extra)

        try:
            async for message in self.ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                self._handle(message.data)
        finally:
            self._fail(ConnectionError("the connection closed"))

    async def disconnect(self) -> None:
        self.closed = True
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with suppress(Exception):
                await self.reader


class PollingSocket(_Socket):
    """A phone's connection over Engine.IO's long polling: a GET held open to receive, and
    POSTs to send, one at a time, each carrying what was queued meanwhile."""

    def __init__(self, phone: Phone, project: str) -> None:
        super().__init__(phone, project)
        self.http: Any = None
        self.address = ""
        self.headers: dict[str, str] = {}
        self.outbox: list[str] = []
        self.sent: asyncio.Event | None = None
        self.sender: asyncio.Task[None] | None = None
        self.poller: asyncio.Task[None] | None = None

    async def connect(self, http: Any, url: str, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        self.http, self.headers = http, {"Origin": url}
        self.connected = loop.create_future()
        base = url + "/socket.io/?EIO=4&transport=polling"
        async with http.get(base, headers=self.headers,
                            timeout=_timeout(timeout)) as response:
            body = await response.text()
        if response.status != 200 or not body.startswith("0"):
            raise ConnectionError(f"no Engine.IO handshake: {response.status} {body[:200]}")
        self.address = f"{base}&sid={json.loads(body[1:].split(SEPARATOR)[0])['sid']}"
        self.sent = asyncio.Event()
        self.poller = loop.create_task(self._poll())
        self.sender = loop.create_task(self._post())
        await self._send("40/live,")
        await asyncio.wait_for(self.connected, timeout)

    async def _send(self, packet: str) -> None:
        self.outbox.append(packet)
        if self.sent is not None:
            self.sent.set()

    async def _post(self) -> None:
        assert self.sent is not None
        try:
            while not self.closed:
                await self.sent.wait()
                self.sent.clear()
                while self.outbox:
                    batch, self.outbox = self.outbox[:POLL_BATCH], self.outbox[POLL_BATCH:]
                    async with self.http.post(self.address, data=SEPARATOR.join(batch),
                                              headers=self.headers,
                                              timeout=_timeout(60)) as response:
                        answer = await response.text()
                    if response.status != 200:
                        raise ConnectionError(f"POST answered {response.status}: {answer[:200]}")
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the connection is lost: tell the waiters
            self._fail(ConnectionError(f"sending failed: {error}"))

    async def _poll(self) -> None:
        try:
            while not self.closed:
                async with self.http.get(self.address, headers=self.headers,
                                         timeout=_timeout(90)) as response:
                    body = await response.text()
                if response.status != 200:
                    raise ConnectionError(f"GET answered {response.status}: {body[:200]}")
                for packet in body.split(SEPARATOR):
                    self._handle(packet)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001
            self._fail(ConnectionError(f"polling failed: {error}"))

    async def disconnect(self) -> None:
        self.closed = True
        if self.address:
            with suppress(Exception):
                async with self.http.post(self.address, data="1", headers=self.headers,
                                          timeout=_timeout(10)):
                    pass
        for task in (self.sender, self.poller):
            if task is not None:
                task.cancel()
                with suppress(BaseException):
                    await task


def _timeout(seconds: float) -> Any:
    import aiohttp  # noqa: PLC0415  (optional: the test extra)

    return aiohttp.ClientTimeout(total=seconds)
