"""Extensions, created unbound here and bound to an app by `init_app` in `create_app`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect


class Base(so.DeclarativeBase):
    """Declarative base of every model."""

    metadata = sa.MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login = LoginManager()


def current_viewer() -> Any:
    """Return the logged-in user of this request or socket, or None for a visitor."""
    return current_user if current_user.is_authenticated else None
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
socketio = SocketIO()

T = TypeVar("T")


def app_state(name: str, make: Callable[[], T]) -> T:
    """Return the current app's `name` object, made on first use. Per app, not per process:
    tests build many apps whose rows have the same ids, and one's state must not leak into
    another's."""
    extensions = current_app.extensions
    found = extensions.get(name)
    if found is None:
        found = extensions[name] = make()
    return found  # type: ignore[no-any-return]


@sa.event.listens_for(sa.engine.Engine, "connect")
def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    """Give every SQLite connection WAL, enforced foreign keys and a busy timeout."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
