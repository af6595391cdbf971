"""URL converters: `<int:...>` parts that name a row only if a database could hold it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from pb.domain.values import MAX_ID


class IdConverter(IntegerConverter):
    """Accept whole numbers up to MAX_ID: a bigger one names nothing, so the page is a 404
    rather than a query the database refuses (SQLite past 2**63, PostgreSQL past 2**31)."""

    def __init__(self, map: Any, *args: Any, max: int | None = MAX_ID, **kwargs: Any) -> None:
        super().__init__(map, *args, max=max, **kwargs)


def register(app: Flask) -> None:
    """Make every `<int:...>` route part an IdConverter; run before blueprints are mounted."""
    app.url_map.converters["int"] = IdConverter
