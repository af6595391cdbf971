"""The decision record: append public decisions to the hash chain, read it, verify it.

Other features record their decisions with `append`, inside their own unit of work, so a
decision and its record entry are committed together or not at all:

    from pb.services import on_commit, records, unit_of_work

    @records.retrying
    def do_certify_results(actor, round_):
        with unit_of_work():                    # commits at the end of the block
            ...                                 # change the round
            records.append("results.certified", f"round:{round_.id}",
                           {"round": round_.id, "selected": [...], "by": actor.display_name},
                           actor)
            on_commit(send_event, ...)          # sent only once it is committed

`kind` says what was decided (e.g. "results.certified", "results.departure",
"implementation.update"), `subject` what it was about ("round:3", "proposal:12"), and `body`
is any JSON value: everything in it is covered by the hash. Nothing in the chain is ever
updated or deleted; a correction is a new entry that refers to the old one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa

from pb.domain import records as chain
from pb.domain.errors import N_
from pb.domain.values import MAX_ID, is_id
from pb.extensions import db
from pb.models import RecordEntry, User
from pb.models.base import utcnow
from pb.services import ServiceError

P = ParamSpec("P")
T = TypeVar("T")
ATTEMPTS = 3

# Kinds written by the council feature; results and implementation add their own.
ADVICE_PUBLISHED = "advice.published"
RESPONSE_PUBLISHED = "response.published"
RESPONSE_AMENDED = "response.amended"


class RecordConflict(ServiceError):
    """Another decision took the same place in the chain; the caller's unit of work rolls back."""


def _head() -> tuple[int, str]:
    """Return the last entry's number and hash (0 and the genesis hash when empty)."""
    last = db.session.execute(sa.select(RecordEntry.seq, RecordEntry.hash)
                              .order_by(RecordEntry.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, chain.GENESIS)


def append(kind: str, subject: str, body: Any, actor: User | None = None, *,
           council_id: int | None = None, at: datetime | None = None) -> RecordEntry:
    """Add an entry after the current head, in the caller's unit of work (not committed).

    The entry is flushed at once, so a concurrent append that took the same place fails
    here (unique `seq` and `prev_hash`) and the unit of work rolls back; wrap the calling use
    case in `retrying`.
    """
    seq, prev = _head()
    when = at or utcnow()
    entry = chain.make_entry(seq + 1, when, kind, subject, body, prev)
    row = RecordEntry(seq=entry.seq, at_text=entry.at, at=when, kind=kind, subject=subject,
                      body=entry.body, prev_hash=prev, hash=entry.hash, council_id=council_id,
                      actor_id=actor.id if actor else None)
    db.session.add(row)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        if "record_entries" not in str(error):
            raise
        raise RecordConflict(N_("Another decision was recorded at the same moment, so nothing "
                                "was saved. Send the form again.")) from None
    return row


def retrying(use_case: Callable[P, T]) -> Callable[P, T]:
    """Run `use_case` again (up to three times) when its record entry lost a race.

    `use_case` runs its writes in its own (outermost) unit of work, which has rolled the lost
    attempt back.
    """

    @functools.wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return use_case(*args, **kwargs)
            except RecordConflict:
                if attempt == ATTEMPTS:
                    raise
            except sa.exc.IntegrityError as error:
                # A conflict found only at commit (another process appended meanwhile).
                if "record_entries" not in str(error) or attempt == ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    return run


def as_domain(row: RecordEntry) -> chain.Entry:
    """Return a stored row as the domain's entry, exactly as stored."""
    return chain.Entry(row.seq, row.at_text, row.kind, row.subject, row.body, row.prev_hash,
                       row.hash)


def _all_rows() -> Iterator[RecordEntry]:
    # In stored order (by row id, not by seq), so swapped sequence numbers show up too.
    yield from db.session.scalars(sa.select(RecordEntry).order_by(RecordEntry.id)
                                  .execution_options(yield_per=500))


def verify() -> chain.Verdict:
    """Check the whole chain as stored; the verdict names the first entry that does not match."""
    return chain.verify(as_domain(row) for row in _all_rows())


def entries(council_id: int | None = None, limit: int | None = 100,
            before: int | None = None) -> list[RecordEntry]:
    """Return entries newest first, optionally only one council's, before entry `before`."""
    query = sa.select(RecordEntry).order_by(RecordEntry.seq.desc())
    if council_id is not None:
        if not is_id(council_id):
            return []
        query = query.where(RecordEntry.council_id == council_id)
    # A number past any entry's means all of them, and must not reach the query, which the
    # database would refuse; one below the first means none.
    if before is not None and before < 1:
        return []
    if before is not None and before <= MAX_ID:
        query = query.where(RecordEntry.seq < before)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def get(seq: int) -> RecordEntry | None:
    """Return the entry with number `seq`, if there is one."""
    if not is_id(seq):
        return None
    return db.session.scalar(sa.select(RecordEntry).where(RecordEntry.seq == seq))


def for_subject(subject: str) -> list[RecordEntry]:
    """Return every entry about `subject` ("recommendation:12"), oldest first."""
    return list(db.session.scalars(sa.select(RecordEntry).where(RecordEntry.subject == subject)
                                   .order_by(RecordEntry.seq)))


def body_of(row: RecordEntry) -> Any:
    """Return an entry's body as a value."""
    return json.loads(row.body)


def export() -> dict[str, Any]:
    """Return the whole chain as the public JSON download describes it."""
    rows = [as_domain(row).as_dict() for row in _all_rows()]
    return {"format": "pb-decision-record/1",
            "hash": "sha256 over canonical JSON of {seq, at, kind, subject, body, prev}",
            "genesis": chain.GENESIS, "entries": rows}
