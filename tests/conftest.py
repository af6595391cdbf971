"""Fixtures: an app on its own database whose schema the migrations built.

The database is a fresh SQLite file per test, or with `--database postgresql` a fresh database
per test on a throwaway PostgreSQL server (cloned from a migrated template), as production
runs: `./dev test` runs the services and sockets both ways.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from pb import create_app
from pb.extensions import db, limiter
from pb.models import Round, User
from pb.services import accounts, rounds

PASSWORD = "correct horse battery"


def make_config(database: Path | str, **extra: Any) -> dict[str, Any]:
    """Return test settings for an app on the SQLite file `database`, or a database URL."""
    uri = f"sqlite:///{database}" if isinstance(database, Path) else database
    return {"PB_ENV": "testing", "SECRET_KEY": "test-secret-not-for-production",
            "SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "pb.test", **extra}


def schema_drift(app: object) -> list:
    """Return how the database of the current app context differs from the models ([] when
    the migrations built exactly what the models describe)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--database", choices=("sqlite", "postgresql"), default="sqlite",
                     help="where the app fixture keeps its data: a SQLite file per test, or a "
                          "database per test on a throwaway PostgreSQL server")


def on_postgresql(config: pytest.Config) -> bool:
    return config.getoption("--database") == "postgresql"


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
    from pb.i18n.catalogues import compile_catalogues

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


TEMPLATE = "pb_template"


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """With --database postgresql: a throwaway server holding a migrated template database;
    yield an engine on its maintenance database, to create and drop each test's copy."""
    from flask_migrate import upgrade

    from tests.servers import postgres

    with postgres() as url:
        server = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with server.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {TEMPLATE}"))
        app = create_app(make_config(_on(server, TEMPLATE)))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield server
        server.dispose()


def _on(server: sa.Engine, name: str) -> str:
    return server.url.set(database=name).render_as_string(hide_password=False)


_copies = itertools.count(1)


@pytest.fixture()
def database_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of a fresh copy of the migrated database, for this test alone."""
    if not on_postgresql(request.config):
        database = tmp_path / "pb.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_db"), database)
        yield f"sqlite:///{database}"
        return
    server: sa.Engine = request.getfixturevalue("pg_server")
    name = f"test_{next(_copies)}"
    with server.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    yield _on(server, name)
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture()
def app(database_uri: str, tmp_path: Path) -> Iterator[Flask]:
    """Return an app on a fresh copy of the migrated database, keeping uploads in tmp_path."""
    app = create_app(make_config(database_uri, PB_UPLOADS=str(tmp_path / "uploads")))
    app.test_client_class = Client
    with app.app_context():
        limiter.reset()
        yield app
        _wait_for_broadcasts(app)
        db.session.remove()
        db.engine.dispose()


def _wait_for_broadcasts(app: Flask) -> None:
    """Let throttled broadcasts still scheduled finish before their database goes."""
    from pb.broadcast.throttle import Throttle

    for found in app.extensions.values():
        for throttle in (found, *vars(found).values()) if hasattr(found, "__dict__") else ():
            if isinstance(throttle, Throttle):
                throttle.wait_idle(5)


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
        from tests.factories import session_id

        with client.session_transaction() as session:
            session["_user_id"] = session_id(user)  # a session kept at the server, as a login
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
