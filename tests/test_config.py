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


def test_production_cookies_are_secure(tmp_path: Path) -> None:
    settings = load(str(tmp_path), environ={"PB_ENV": "production", "SECRET_KEY": "s" * 64})
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
