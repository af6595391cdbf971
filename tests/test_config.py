"""Settings: safe defaults, SQLite tuned, production refuses to start without a secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pb import create_app
from pb.config import ConfigError, load
from pb.extensions import db


def test_production_without_a_secret_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load(str(tmp_path), environ={"PB_ENV": "production"})


def test_production_needs_the_sites_address(tmp_path: Path) -> None:
    production = {"PB_ENV": "production", "SECRET_KEY": "s" * 64}
    with pytest.raises(ConfigError, match="PB_BASE_URL is not set"):
        load(str(tmp_path), environ=production)
    for wrong in ("pb.example.org", "ftp://pb.example.org", "https://pb.example.org/pb",
                  "https://user:pw@pb.example.org", "https://"):
        with pytest.raises(ConfigError, match="nothing after the host"):
            load(str(tmp_path), environ={**production, "PB_BASE_URL": wrong})
    found = load(str(tmp_path), environ={**production, "PB_BASE_URL": "https://pb.example.org/",
                                         "PB_TRUSTED_HOSTS": "10.0.0.5, lb.internal"})
    assert found["SERVER_NAME"] == "pb.example.org" and found["PREFERRED_URL_SCHEME"] == "https"
    assert found["TRUSTED_HOSTS"] == ["pb.example.org", "10.0.0.5", "lb.internal", "localhost",
                                      "127.0.0.1", "[::1]"]


def test_production_cookies_are_secure(tmp_path: Path) -> None:
    settings = load(str(tmp_path), environ={"PB_ENV": "production", "SECRET_KEY": "s" * 64,
                                            "PB_BASE_URL": "https://pb.example.org"})
    assert settings["SESSION_COOKIE_SECURE"] and settings["SESSION_COOKIE_HTTPONLY"]
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_keeps_a_generated_secret_in_the_instance_folder(tmp_path: Path) -> None:
    first = load(str(tmp_path), environ={})
    again = load(str(tmp_path), environ={})
    assert first["SECRET_KEY"] == again["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/pb.sqlite3"
    assert not first["SESSION_COOKIE_SECURE"]


def test_unknown_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PB_ENV must be one of"):
        load(str(tmp_path), environ={"PB_ENV": "staging"})


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(app: Any) -> None:
    with db.engine.connect() as connection:
        pragma = lambda name: connection.execute(sa.text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 5000


def test_the_database_url_comes_from_the_environment(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("PB_DATABASE_URL", f"sqlite:///{tmp_path}/elsewhere.db")
    app = create_app({"PB_ENV": "testing", "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("elsewhere.db")


def test_one_redis_url_serves_the_message_queue_and_the_rate_limits(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6379/0"
    settings = load(str(tmp_path), environ={"PB_REDIS_URL": url})
    assert settings["PB_SOCKETIO_MESSAGE_QUEUE"] == url
    assert settings["RATELIMIT_STORAGE_URI"] == url
    apart = load(str(tmp_path), environ={"PB_REDIS_URL": url,
                                         "PB_SOCKETIO_MESSAGE_QUEUE": "redis://mq:6379/2",
                                         "PB_RATELIMIT_STORAGE_URI": "memcached://m:11211"})
    assert apart["PB_SOCKETIO_MESSAGE_QUEUE"] == "redis://mq:6379/2"
    assert apart["RATELIMIT_STORAGE_URI"] == "memcached://m:11211"
    alone = load(str(tmp_path), environ={})
    assert alone["PB_SOCKETIO_MESSAGE_QUEUE"] is None
    assert alone["RATELIMIT_STORAGE_URI"] == "memory://"


def test_only_server_databases_are_pinged_before_use(tmp_path: Path) -> None:
    sqlite = load(str(tmp_path), environ={})
    assert sqlite["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}
    postgres = load(str(tmp_path), environ={"PB_DATABASE_URL": "postgresql+psycopg://db/pb"})
    assert postgres["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


def test_socketio_transports_are_checked(tmp_path: Path) -> None:
    assert load(str(tmp_path), environ={})["PB_SOCKETIO_TRANSPORTS"] == []
    only = load(str(tmp_path), environ={"PB_SOCKETIO_TRANSPORTS": " websocket "})
    assert only["PB_SOCKETIO_TRANSPORTS"] == ["websocket"]
    with pytest.raises(ConfigError, match="PB_SOCKETIO_TRANSPORTS takes polling and websocket"):
        load(str(tmp_path), environ={"PB_SOCKETIO_TRANSPORTS": "websockets"})


def test_only_pb_serve_in_production_runs_on_gevent() -> None:
    from pb.cli import _serves_on_gevent as gevent

    production = {"PB_ENV": "production"}
    assert gevent(["/venv/bin/pb", "serve", "--port", "8001"], production)
    assert gevent(["/venv/bin/pb", "serve"], {"PB_ASYNC_MODE": "gevent"})
    assert not gevent(["/venv/bin/pb", "serve"], {})
    assert not gevent(["/venv/bin/pb", "serve"], {**production, "PB_ASYNC_MODE": "threading"})
    assert not gevent(["/venv/bin/pb", "db", "upgrade"], production)
    assert not gevent(["/venv/bin/pytest", "serve"], production)


def test_pb_serve_makes_full_collections_rare() -> None:
    import gc

    from pb import serve

    before = gc.get_threshold()
    try:
        serve._tune_collector()
        assert gc.get_threshold() == serve.COLLECTOR_THRESHOLDS
        assert serve.COLLECTOR_THRESHOLDS[2] > before[2]
        assert gc.get_freeze_count() > 0  # start-up's objects are left out of collections
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def test_the_source_address_is_a_web_address(tmp_path: Path) -> None:
    assert load(str(tmp_path), environ={})["PB_SOURCE_URL"] == ""
    given = load(str(tmp_path), environ={"PB_SOURCE_URL": " https://example.org/pb.git "})
    assert given["PB_SOURCE_URL"] == "https://example.org/pb.git"
    with pytest.raises(ConfigError, match="PB_SOURCE_URL must be a web address"):
        load(str(tmp_path), environ={"PB_SOURCE_URL": "javascript:alert(1)"})


def test_every_page_links_the_source_when_it_is_set(app: Any, client: Any) -> None:
    link = 'href="https://example.org/pb.git"'
    assert link not in client.get("/").get_data(as_text=True)
    app.config["PB_SOURCE_URL"] = "https://example.org/pb.git"
    for page in ("/", "/auth/login", "/no-such-page"):
        assert link in client.get(page).get_data(as_text=True), page
    assert "Source code of this site (GNU AGPL)" in client.get("/").get_data(as_text=True)
