"""What the transport under Socket.IO does with bursts and large messages, against a real
`pb serve` (gevent, as in production) and the python-socketio client a third party uses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from pb.realtime import MAX_MESSAGE_BYTES
from tests.servers import pb_served

NS = "/live"


@pytest.fixture()
def served(app: Any, tmp_path: Path) -> Iterator[str]:
    """`pb serve` (one gevent process) on the test's database; yield its URL."""
    with pb_served(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as url:
        yield url


def joined_phone(url: str, code: str, transport: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(url, namespaces=[NS], transports=[transport], wait_timeout=10)
    ack = client.call("join", {"code": code}, namespace=NS, timeout=10)
    assert ack["ok"], ack
    return client


def test_a_burst_over_long_polling_gets_an_ack_for_every_event(served: str,
                                                               evening: Any) -> None:
    # python-engineio clients read 16 events per polling answer unless told more (see
    # docs/realtime.md); pb's import has told this process's already, the server's too.
    phone = joined_phone(served, evening.join_code, "polling")
    acks: list[dict[str, Any]] = []
    done = threading.Event()

    def answered(ack: dict[str, Any]) -> None:
        acks.append(ack)
        if len(acks) == 40:
            done.set()

    for _ in range(40):  # queued at once: the client sends them in one or two requests
        phone.emit("upvote", {"question": 999}, namespace=NS, callback=answered)
    assert done.wait(30), f"{len(acks)} of 40 events answered"
    assert all(a["ok"] is False for a in acks)
    errors = {a["error"] for a in acks}
    assert any("Too many messages" in e for e in errors)  # refused by the rate limit, aloud
    assert any("not open" in e for e in errors)  # and the first ones reached the service
    phone.disconnect()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_message_of_a_megabyte_gets_an_error_ack(served: str, evening: Any,
                                                   transport: str) -> None:
    phone = joined_phone(served, evening.join_code, transport)
    ack = phone.call("ask", {"text": "x" * 1_000_000}, namespace=NS, timeout=20)
    assert ack["ok"] is False and "too large" in ack["error"]
    assert phone.call("upvote", {"question": 999}, namespace=NS, timeout=10)["ok"] is False
    phone.disconnect()


def test_a_message_over_the_limit_closes_the_connection(served: str, evening: Any) -> None:
    phone = joined_phone(served, evening.join_code, "websocket")
    gone = threading.Event()
    phone.on("disconnect", lambda *_: gone.set(), namespace=NS)
    phone.emit("ask", {"text": "x" * (MAX_MESSAGE_BYTES + 1)}, namespace=NS)
    assert gone.wait(20)  # documented: the server stops reading and closes it


def test_a_polling_request_of_more_than_500_events_closes_the_connection(served: str) -> None:
    import requests

    from pb.realtime import MAX_POLL_PACKETS

    base = f"{served}/socket.io/?EIO=4&transport=polling"
    opened = requests.get(base, timeout=10)
    sid = json.loads(opened.text[1:])["sid"]  # "0{...}": Engine.IO's open packet
    assert requests.post(f"{base}&sid={sid}", data="40/live,", timeout=10).ok
    assert requests.get(f"{base}&sid={sid}", timeout=10).text.startswith("40/live,")
    polled: list[str] = []  # a polling client always has a request waiting for news
    waiting = threading.Thread(target=lambda: polled.append(
        requests.get(f"{base}&sid={sid}", timeout=30).text))
    waiting.start()
    burst = "\x1e".join(f'42/live,{i}["upvote",{{"question":999}}]'
                        for i in range(MAX_POLL_PACKETS + 1))
    requests.post(f"{base}&sid={sid}", data=burst, timeout=30)
    waiting.join(30)
    assert polled and "upvote" not in polled[0] and '"ok"' not in polled[0]  # none read
    assert requests.get(f"{base}&sid={sid}", timeout=10).status_code == 400  # closed
