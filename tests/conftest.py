"""Fixtures: an app on its own SQLite file whose schema the migrations built."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pb import create_app
from pb.extensions import db, limiter
from pb.models import Round, User
from pb.services import accounts, rounds

PASSWORD = "correct horse battery"


def make_config(database: Path, **extra: Any) -> dict[str, Any]:
    """Return test settings for an app on the SQLite file `database`."""
    return {"PB_ENV": "testing", "SECRET_KEY": "test-secret-not-for-production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "pb.test", **extra}


class Client(FlaskClient):
    """A test client whose requests each see who is logged in afresh.

    Tests keep an app context open (to use services), and Flask reuses it for requests, so
    per-context caches (Flask-Login's user, Flask-Babel's locale) are dropped before each request.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from flask import g
        from flask_babel import refresh

        g.pop("_login_user", None)
        refresh()  # Flask-Babel caches the locale per context too
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Compile the translations, so a plain `pytest` run sees the current Welsh."""
    from pb.i18n_check import compile_catalogues

    compile_catalogues()


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the schema from nothing with the migrations, once per test session."""
    from flask_migrate import upgrade

    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    app = create_app(make_config(path))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture()
def app(migrated_db: Path, tmp_path: Path) -> Iterator[Flask]:
    """Return an app on a fresh copy of the migrated database."""
    database = tmp_path / "pb.sqlite3"
    shutil.copy(migrated_db, database)
    app = create_app(make_config(database))
    app.test_client_class = Client
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def make_user(app: Flask) -> Callable[..., User]:
    """Create users: make_user("officer") gives an officer with a unique email."""
    counter = iter(range(1, 10_000))

    def make(*roles: str, email: str | None = None, name: str = "Test Person") -> User:
        address = email or f"person{next(counter)}@example.org"
        return accounts.do_register(address, name, PASSWORD, extra_roles=roles)

    return make


@pytest.fixture()
def login(client: FlaskClient) -> Callable[[User], User]:
    """Log `user` in on the test client, as Flask-Login's session would after a real login."""

    def log_in(user: User) -> User:
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return user

    return log_in


@pytest.fixture()
def make_round(make_user: Callable[..., User]) -> Callable[..., Round]:
    """Create rounds in a given phase, through the services."""

    def make(phase: str = "draft", officer: User | None = None, **fields: Any) -> Round:
        officer = officer or make_user("officer")
        data = rounds.RoundData(**{
            "title": "Test round", "area": "Northfield", "budget_minor": 25_000_000,
            "currency": "GBP", "ballot_method": "approval", "tally_rule": "greedy", **fields})
        round_ = rounds.do_create_round(officer, data)
        from pb.domain.phases import PHASES

        for step in PHASES[1:PHASES.index(phase) + 1]:
            rounds.do_change_phase(officer, round_, step)
        return round_

    return make


def csrf_token(client: FlaskClient, url: str) -> str:
    """Return the CSRF token of the form at `url`."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def text(response: Any) -> str:
    """Return a response's body as text, with HTML entities for quotes decoded."""
    import html

    return html.unescape(response.get_data(as_text=True))
