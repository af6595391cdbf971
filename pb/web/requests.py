"""The request class: query-string and form values arrive as text a database can store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from pb.domain.values import clean_text


class StorableMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """Parsed parameters whose text has no NUL character (PostgreSQL refuses it, nobody
    types it) and no lone surrogate; uploaded files pass as they are."""

    def __init__(self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None
                 ) -> None:
        if mapping is None:
            super().__init__()
            return
        pairs = MultiDict(mapping).items(multi=True) if isinstance(mapping, Mapping) else mapping
        super().__init__([(key, clean_text(value) if isinstance(value, str) else value)
                          for key, value in pairs])


class Request(FlaskRequest):
    """Flask's request, with `args` and `form` as StorableMultiDicts."""

    parameter_storage_class = StorableMultiDict
