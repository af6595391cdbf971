"""Behind a reverse proxy: PB_TRUSTED_PROXIES says how many, and only then do X-Forwarded-*
headers count (for rate limits, and for the scheme and host of links in pages, feeds and
emails)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pb import create_app
from pb.extensions import db, limiter
from pb.models import OutboxMessage
from tests.conftest import make_config

WRONG = {"email": "a@example.org", "password": "not the password"}
SEEN_BY_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "pb.example.org"}


def app_with(database_uri: str, hops: int) -> Iterator[Flask]:
    app = create_app(make_config(database_uri, PB_TRUSTED_PROXIES=hops, SERVER_NAME=None,
                                 PB_LOGIN_LIMIT="3 per minute"))
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def proxied(database_uri: str) -> Iterator[Flask]:
    yield from app_with(database_uri, 1)


@pytest.fixture()
def direct(database_uri: str) -> Iterator[Flask]:
    yield from app_with(database_uri, 0)


def failed_login(app: Flask, address: str) -> int:
    return app.test_client().post("/account/login", data=WRONG,
                                  headers={"X-Forwarded-For": address}).status_code


def test_rate_limits_count_per_forwarded_address(proxied: Flask) -> None:
    assert [failed_login(proxied, "192.0.2.10") for _ in range(4)][-1] == 429
    assert failed_login(proxied, "192.0.2.11") != 429  # someone else in the same hall


def test_forged_forwarded_headers_change_nothing_without_trusted_proxies(direct: Flask) -> None:
    codes = [failed_login(direct, f"192.0.2.{n}") for n in range(4)]
    assert codes[-1] == 429  # every request came from the one real address
    feed = direct.test_client().get("/records/feed.atom", headers=SEEN_BY_PROXY)
    assert "https://pb.example.org" not in feed.get_data(as_text=True)
    assert "http://localhost/records/feed.atom" in feed.get_data(as_text=True)


def test_feeds_and_emails_link_to_the_forwarded_scheme_and_host(proxied: Flask,
                                                                make_user: Any) -> None:
    client = proxied.test_client()
    feed = client.get("/records/feed.atom", headers=SEEN_BY_PROXY).get_data(as_text=True)
    assert "https://pb.example.org/records/feed.atom" in feed
    make_user(email="sam@example.org")
    client.post("/account/forgot", data={"email": "sam@example.org"}, headers=SEEN_BY_PROXY)
    body = db.session.scalars(sa.select(OutboxMessage.body)).one()
    assert "https://pb.example.org/account/reset/" in body
