"""PostgreSQL restarted in the middle of a vote: requests in the gap get "try again in a
minute" (503 with Retry-After, or an error ack on a socket), nothing is half-written, and the
app recovers by itself once the database is back (the pool pings each connection first)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from pb import create_app
from pb.extensions import db, socketio
from pb.models import Ballot
from tests.conftest import Client, make_config
from tests.factories import BROWSER, open_round
from tests.servers import PostgresServer

pytestmark = pytest.mark.postgres


@pytest.fixture()
def server() -> Iterator[PostgresServer]:
    found = PostgresServer()
    found.start()
    yield found
    found.remove()


@pytest.fixture()
def app(server: PostgresServer) -> Iterator[Flask]:
    """The app on its own PostgreSQL (this module's `app`, which the usual fixtures use)."""
    app = create_app(make_config(server.url))
    app.test_client_class = Client
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def ballot(client: Any, round_id: int, key: str, items: list[str]) -> Any:
    return client.post(f"/rounds/{round_id}/ballot", json={"key": key, "items": items})


def test_a_vote_through_a_database_restart(app: Flask, server: PostgresServer, client: Any,
                                           login: Any, make_round: Any,
                                           make_user: Any) -> None:
    round_ = open_round(make_round, make_user)
    round_id, ids = round_.id, round_.ids  # the test reads nothing from the database below
    first, second = make_user(), make_user()
    login(first)
    assert ballot(client, round_id, "before-outage-1", ids[:1]).get_json()["ok"]
    login(second)
    sock = socketio.test_client(app, flask_test_client=client, headers=BROWSER)

    server.stop()
    during = [ballot(client, round_id, f"during-outage-{n}", ids[1:2]) for n in range(3)]
    assert [r.status_code for r in during] == [503, 503, 503]
    assert all(r.headers["Retry-After"] == "60" for r in during)
    assert "try again in a minute" in during[0].get_data(as_text=True)
    ack = sock.emit("vote", {"round": round_id, "key": "during-outage-socket",
                             "items": ids[1:2]}, callback=True)
    assert ack["ok"] is False and "try again in a minute" in ack["error"]
    assert client.get("/healthz").status_code == 200  # the process itself answers
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["database"] == "unreachable"

    server.start()
    started = time.monotonic()
    after = ballot(client, round_id, "after-outage-1", ids[2:3])
    recovered_in = time.monotonic() - started
    assert after.status_code == 200 and after.get_json()["ok"], after.get_data(as_text=True)
    assert client.get("/readyz").get_json() == {"status": "ok", "database": "ok"}
    print(f"database outage: {len(during) + 1} requests in the gap, all refused with 503 or "
          f"an error ack; first request after the restart served in {recovered_in:.2f} s")

    db.session.rollback()  # the test's own session lost its connection in the gap too
    stored = db.session.execute(sa.select(Ballot.voter_key, Ballot.items)
                                .where(Ballot.round_id == round_id)).all()
    assert sorted(items for _key, items in stored) == sorted([ids[:1], ids[2:3]])
