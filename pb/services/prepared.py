"""Statements of the hot paths, compiled once per database and run on the DB-API cursor.

Running a Core statement through SQLAlchemy (cache key, execution context, result set-up)
costs several times what SQLite takes to run it; on the few statements run for every ballot,
that machinery was most of the database time of a cast. A `Prepared` statement is compiled
once per dialect by SQLAlchemy itself, so its SQL and the conversion of every parameter
(aware datetimes, JSON) are SQLAlchemy's own; only the execution skips the machinery. It runs
on the session's connection, inside the session's transaction, so `db.session.commit()` and
`rollback()` apply to it as to anything else, and a database error comes out as SQLAlchemy's
own exception (`sa.exc.IntegrityError` and so on).

Rows come back as the driver gives them: plain tuples, with no result processing (SQLite
gives booleans as 0 and 1, and datetimes as text), so select ids, numbers and text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pb.extensions import db


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # parameter names, in order for positional drivers
    positional: bool
    processors: Mapping[str, Callable[[Any], Any]]
    defaults: Mapping[str, Any]  # values fixed in the statement itself


class Prepared:
    """A Core statement to run many times: `run(params)` returns the driver's cursor.

    `keys` names the columns an INSERT without `.values()` is given, as `execute` would learn
    them from the parameters.
    """

    def __init__(self, statement: sa.Executable, keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.keys = list(keys) if keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: sa.Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.keys)
            binds = compiled.binds
            processors = {}
            for name, bind in binds.items():
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    processors[name] = process
            names = tuple(compiled.positiontup or ()) if dialect.positional else tuple(binds)
            defaults = {name: bind.effective_value for name, bind in binds.items()
                        if not bind.required and bind.effective_value is not None}
            found = _Compiled(compiled.string, names, dialect.positional, processors, defaults)
            self._compiled[dialect.name] = found
        return found

    def run(self, params: Mapping[str, Any], connection: sa.Connection | None = None) -> Any:
        """Run the statement in the session's transaction; return the DB-API cursor.

        `connection` is `db.session.connection()`, for a caller running several statements
        (asking the session for it each time costs about as much as running one).
        """
        connection = connection or db.session.connection()
        dialect = connection.dialect
        compiled = self._for(dialect)
        values = []
        for name in compiled.names:
            value = params[name] if name in params else compiled.defaults.get(name)
            process = compiled.processors.get(name)
            values.append(value if process is None or value is None else process(value))
        arguments: Any = tuple(values) if compiled.positional else dict(
            zip(compiled.names, values, strict=True))
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise sa.exc.DBAPIError.instance(compiled.sql, arguments, error,
                                             dialect.loaded_dbapi.Error,
                                             dialect=dialect) from error
        return cursor

    def first(self, params: Mapping[str, Any],
              connection: sa.Connection | None = None) -> tuple[Any, ...] | None:
        """Run the statement and return its first row, or None."""
        cursor = self.run(params, connection)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def all(self, params: Mapping[str, Any],
            connection: sa.Connection | None = None) -> list[tuple[Any, ...]]:
        """Run the statement and return every row."""
        cursor = self.run(params, connection)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def rowcount(self, params: Mapping[str, Any], connection: sa.Connection | None = None) -> int:
        """Run the statement and return how many rows it changed."""
        cursor = self.run(params, connection)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
