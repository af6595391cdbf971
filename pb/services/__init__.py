"""Use cases: the only layer that writes to the database, and that broadcasts after a commit.

One package or module per feature (`voting/`, `live/`, `council/`, `rounds`, `proposals`, ...).
A use case checks (`check_*`), then changes data (`do_*`) inside `unit_of_work()`, which
commits, rolls back on any error, and only after the commit sends the events the use case
queued with `on_commit` (so no client ever hears of data that was rolled back). Views and
socket handlers call use cases and never touch the database session.

Services may import `pb.broadcast`, `pb.models`, `pb.domain`, `pb.extensions` and each other
(without cycles); never `pb.web`, `pb.realtime` or `pb.api`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pb.domain.errors import UserError
from pb.extensions import db

_QUEUE = "pb.on_commit"


class ServiceError(UserError):
    """A request the service refuses, with a sentence saying what to do instead."""


def on_commit(send: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Queue `send(*args, **kwargs)` to run once the current unit of work commits.

    Outside a unit of work (a use case that only reads) it runs at once.
    """
    queue = db.session.info.get(_QUEUE)
    if queue is None:
        send(*args, **kwargs)
    else:
        queue.append((send, args, kwargs))


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Run a use case's writes as one transaction: commit at the end of the block, roll back
    on any error (and drop what it queued), then send the queued events, in order.

    Units of work nest: an inner one joins the outer, which alone commits and sends.
    """
    session = db.session
    if _QUEUE in session.info:  # nested: the outermost unit commits
        yield session
        return
    queue: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
    session.info[_QUEUE] = queue
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_QUEUE, None)
    for send, args, kwargs in queue:
        send(*args, **kwargs)


def discard() -> None:
    """Forget whatever a failed request left in the session: roll back (for error handlers)."""
    db.session.rollback()


def database_unavailable(error: BaseException) -> bool:
    """Tell whether `error` means the database could not be reached or dropped the
    connection (a restart, a network fault): the request may be tried again in a minute,
    and nothing of it was written."""
    if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return True
    return isinstance(error, sa.exc.DBAPIError) and bool(error.connection_invalidated)
