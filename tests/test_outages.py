"""Outages a council's site lives through: Redis (the rate limits' store) stops for a while.
Every form still answers, limits go on counting in the process's memory with a warning, and
the store is used again once it is back. The servers are real, started and stopped here."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_client
import requests
import socketio
from flask import Flask

from pb import create_app
from pb.extensions import db, limiter
from pb.services.voting import codes
from tests.conftest import make_config
from tests.factories import open_round
from tests.servers import (
    SECRET,
    RedisServer,
    free_port,
    pb_command,
    stop,
    wait_until_answering,
)

pytestmark = pytest.mark.redis

WRONG = {"email": "a@example.org", "password": "not the password"}


@pytest.fixture()
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.remove()


@pytest.fixture()
def app(database_uri: str, redis_server: RedisServer) -> Iterator[Flask]:
    app = create_app(make_config(database_uri, RATELIMIT_STORAGE_URI=redis_server.url,
                                 PB_LOGIN_LIMIT="3 per minute",
                                 PB_ELIGIBILITY_LIMIT="3 per minute"))
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


def keys_in(server: RedisServer) -> int:
    return int(redis_client.Redis.from_url(server.url).dbsize())


def test_forms_answer_while_redis_is_down_and_limits_count_in_memory(
        app: Flask, redis_server: RedisServer, make_round: Any, make_user: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    client = app.test_client()
    codes = make_round("voting", officer=make_user("officer"), eligibility="codes")
    refused = client.post("/account/login", data=WRONG).status_code
    assert refused == 400  # the form says the email or password is wrong
    assert keys_in(redis_server) > 0  # the limits count in Redis while it answers
    assert client.get("/readyz").get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    redis_server.stop()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["redis"] == "unreachable"
    with caplog.at_level(logging.WARNING):
        during = [client.post("/account/login", data=WRONG).status_code for _ in range(4)]
        assert during == [400, 400, 400, 429]  # still limited, now in this process's memory
        assert client.post(f"/rounds/{codes.id}/vote/code",
                           data={"code": "WRONGCODE234"}).status_code < 500
        assert client.post("/account/register", data={
            "display_name": "Sam", "email": "sam@example.org", "password": "long enough password",
            "confirm": "long enough password"}).status_code < 500
    assert "falling back to in-memory storage" in caplog.text


def test_the_store_is_used_again_once_redis_is_back(app: Flask,
                                                    redis_server: RedisServer) -> None:
    client = app.test_client()
    redis_server.stop()
    assert client.post("/account/login", data=WRONG).status_code == 400
    redis_server.start()  # on the same port, empty
    started = time.monotonic()
    deadline = started + 40
    while keys_in(redis_server) == 0 and time.monotonic() < deadline:
        assert client.get("/account/login").status_code == 200
        assert client.post("/account/login", data=WRONG).status_code in (400, 429)
        time.sleep(0.5)
    assert keys_in(redis_server) > 0
    print(f"redis outage: limits back in Redis {time.monotonic() - started:.1f} s after it "
          "restarted")


def test_socketio_keeps_serving_its_own_process_while_redis_is_down(
        app: Flask, redis_server: RedisServer, make_round: Any, make_user: Any,
        tmp_path: Path) -> None:
    """`pb serve` on gevent with Redis as its message queue: with Redis stopped, its own
    sockets still vote and watch, and its pages still answer; after, it carries on."""
    round_ = open_round(make_round, make_user, eligibility="codes")
    round_id, ids = round_.id, round_.ids
    cards = codes.do_generate_codes(round_.officer, round_, 3, "outage")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PB_", "FLASK_"))}
    port, log = free_port(), tmp_path / "serve.log"
    env.update({"PB_ENV": "production", "SECRET_KEY": SECRET, "PB_SECURE_COOKIES": "0",
                "PB_BASE_URL": f"http://127.0.0.1:{port}",
                "PB_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "PB_REDIS_URL": redis_server.url})
    with log.open("wb") as out:
        server = subprocess.Popen([pb_command(), "serve", "--host", "127.0.0.1", "--port",
                                   str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    client = socketio.Client(reconnection=False)
    try:
        wait_until_answering(url, server, log)
        client.connect(url, transports=["websocket"], wait_timeout=10)
        assert client.call("watch", {"round": round_id}, timeout=10)["ok"]

        def vote(n: int) -> dict[str, Any]:
            return client.call("vote", {"round": round_id, "code": cards[n],
                                        "key": f"outage-socket-{n}", "items": ids[:1]},
                               timeout=10)

        redis_server.stop()
        during = vote(0)
        assert during["ok"] and during["receipt"], during
        assert client.call("watch", {"round": round_id}, timeout=10)["ok"]
        assert requests.get(url + "/", timeout=10).status_code == 200
        redis_server.start()
        after = vote(1)
        assert after["ok"] and after["receipt"], after
    finally:
        if client.connected:
            client.disconnect()
        stop(server)
