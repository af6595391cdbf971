"""Reading paper batches: what each slot holds, how far entry has got, where the two passes
disagree, and which paper a person should type next.

Each paper is typed into a slot (batch, pass, position); `pb.domain.paper.reconcile` compares
the passes. Nothing here writes: the use cases that change batches are in
`pb.services.voting.paper`, which also offers these functions to its callers.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from pb.domain.paper import (
    CHECK,
    FIRST,
    RESOLUTION,
    Entry,
    Reconciliation,
    passes_needed,
    reconcile,
    same,
)
from pb.domain.values import is_id
from pb.extensions import db
from pb.models import PaperBatch, PaperEntry, Round, User


@dataclass(frozen=True)
class Mismatch:
    """One paper whose two entries differ, and the resolution recorded for it, if any."""

    position: int
    first: PaperEntry
    check: PaperEntry
    resolution: PaperEntry | None



def next_number(round_: Round) -> int:
    """Return the batch number to suggest next: one more than the highest so far."""
    top = db.session.scalar(sa.select(sa.func.max(PaperBatch.number))
                            .where(PaperBatch.round_id == round_.id))
    return (top or 0) + 1


def batches(round_: Round) -> list[tuple[PaperBatch, Reconciliation]]:
    """Return the round's batches, by number, each with how far its entry has got."""
    found = db.session.scalars(sa.select(PaperBatch).where(PaperBatch.round_id == round_.id)
                               .order_by(PaperBatch.number))
    return [(batch, progress(round_, batch)) for batch in found]


def get_batch(round_: Round, number: int) -> PaperBatch | None:
    """Return the round's batch with that number, if there is one."""
    if not is_id(number):  # no batch has it, and the database would refuse one that big
        return None
    return db.session.scalar(sa.select(PaperBatch).where(PaperBatch.round_id == round_.id,
                                                         PaperBatch.number == number))


def _entries(batch: PaperBatch) -> list[PaperEntry]:
    return list(db.session.scalars(sa.select(PaperEntry).where(PaperEntry.batch_id == batch.id)
                                   .order_by(PaperEntry.position, PaperEntry.pass_no)))


def entry(batch: PaperBatch, pass_no: int, position: int) -> PaperEntry | None:
    """Return what is typed in one slot of a batch."""
    return db.session.scalar(sa.select(PaperEntry).where(
        PaperEntry.batch_id == batch.id, PaperEntry.pass_no == pass_no,
        PaperEntry.position == position))


def progress(round_: Round, batch: PaperBatch,
             entries: list[PaperEntry] | None = None) -> Reconciliation:
    """Compare the batch's passes as they stand now."""
    typed: dict[int, dict[int, Entry]] = {}
    for e in _entries(batch) if entries is None else entries:
        typed.setdefault(e.pass_no, {})[e.position] = e.items
    return reconcile(batch.size, passes_needed(round_.double_entry), typed,
                     typed.get(RESOLUTION, {}))


def mismatches(round_: Round, batch: PaperBatch) -> list[Mismatch]:
    """Return every paper whose two entries differ, resolved or not, by position."""
    slots = {(e.pass_no, e.position): e for e in _entries(batch)}
    found = []
    for position in range(1, batch.size + 1):
        first, check = slots.get((FIRST, position)), slots.get((CHECK, position))
        if round_.double_entry and first and check and not same(first.items, check.items):
            found.append(Mismatch(position, first, check, slots.get((RESOLUTION, position))))
    return found


def next_for(actor: User, round_: Round, batch: PaperBatch, pass_no: int,
             after: int = 0) -> int | None:
    """Return the next position this person can type in a pass, after `after` (wrapping).

    In a double-entry round that skips the papers they typed in the other pass.
    """
    entries = _entries(batch)
    state = progress(round_, batch, entries)
    other = CHECK if pass_no == FIRST else FIRST
    theirs = {e.position for e in entries if e.pass_no == other and e.entered_by_id == actor.id}
    gaps = [p for p in state.missing.get(pass_no, ())
            if not (round_.double_entry and p in theirs)]
    later = [p for p in gaps if p > after]
    return (later or gaps or [None])[0]


def round_totals(round_: Round) -> dict[str, int]:
    """Return the paper ballots counted in the round, and the spoilt papers beside them."""
    counted = spoilt = 0
    for batch, state in batches(round_):
        if batch.state == "counted":
            counted += len(state.ballots)
            spoilt += state.spoilt
    return {"counted": counted, "spoilt": spoilt}
