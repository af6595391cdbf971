"""Paper ballots: batches typed in by staff, checked by a second person, then counted.

Each paper is typed into a slot (batch, pass, position); the database's unique constraint on
that slot is what keeps one entry per slot, so a double-submitted form or two people racing
for the same slot leave one entry and a clear answer. A batch counts only as a whole, in one
transaction that also marks it counted, so counting twice adds nothing. Once a round's
results are certified, nothing here changes any more.

Here are the checks and the changes; reading a batch's progress is in
`pb.services.voting.paper_progress`, offered here too so callers need one module.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.domain import phases
from pb.domain.ballots import BallotError, check_ballot
from pb.domain.errors import N_
from pb.domain.paper import (
    CHECK,
    FIRST,
    RESOLUTION,
    SPOILT,
    Entry,
    PaperError,
    Reconciliation,
    check_batch,
    check_slot,
    passes_needed,
    same,
)
from pb.domain.roles import may_enter_paper
from pb.extensions import db
from pb.models import Ballot, LiveSession, PaperBatch, PaperEntry, Round, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, on_commit, unit_of_work
from pb.services.voting import totals
from pb.services.voting.cast import rules
from pb.services.voting.paper_progress import (
    Mismatch,
    batches,
    entry,
    get_batch,
    mismatches,
    next_for,
    next_number,
    progress,
    round_totals,
)
from pb.services.voting.receipts import certified

__all__ = [
    "OPEN_PHASES", "Mismatch", "batches", "check_countable", "check_entry", "check_manager",
    "check_not_counted", "check_open", "do_count", "do_create_batch", "do_enter", "do_resolve",
    "entry", "get_batch", "may_enter", "mismatches", "next_for", "next_number", "progress",
    "read_ballot", "round_totals", "voter_key",
]

OPEN_PHASES = ("voting", "results")


# Checks ------------------------------------------------------------------------------------

def may_enter(actor: User | None, round_: Round) -> bool:
    """Tell whether `actor` may enter `round_`'s paper ballots: officers for any round,
    facilitators for a round with a live session (its paper scorecards)."""
    if actor is None or not actor.is_authenticated:
        return False
    live = db.session.scalar(sa.select(LiveSession.id)
                             .where(LiveSession.round_id == round_.id).limit(1)) is not None
    return may_enter_paper(actor.role_names, live)


def check_manager(actor: User | None, round_: Round) -> None:
    """Refuse anyone but round managers (and facilitators, for a round with a live session)."""
    if not may_enter(actor, round_):
        raise ServiceError(N_("Only officers, and facilitators of the round's live sessions, "
                              "can enter paper ballots; ask an admin for the officer role."))


def check_open(round_: Round) -> None:
    """Refuse changes to paper ballots before voting opens and once results are certified."""
    if certified(round_):
        raise _certified()
    if phases.index(round_.phase) < phases.index("voting"):
        raise ServiceError(N_("Paper ballots can be entered once voting has opened; this "
                              "round is not voting yet."))
    if round_.phase not in OPEN_PHASES:
        raise ServiceError(N_("This round has moved past its results, so paper ballots can no "
                              "longer be entered."))


def _certified() -> ServiceError:
    return ServiceError(N_("The results of this round are certified, so its paper ballots can "
                           "no longer change."))


def check_not_counted(batch: PaperBatch) -> None:
    """Refuse changes to a batch whose ballots are already in the count."""
    if batch.state == "counted":
        raise ServiceError(N_("Batch %(number)d has been counted, so its ballots can no "
                              "longer change."), number=batch.number)


def check_entry(actor: User, round_: Round, batch: PaperBatch, pass_no: int,
                position: int) -> PaperEntry | None:
    """Refuse a slot this person may not type into now; return what it holds already."""
    check_manager(actor, round_)
    check_open(round_)
    check_not_counted(batch)
    check_slot(batch.size, passes_needed(round_.double_entry), pass_no, position)
    existing = entry(batch, pass_no, position)
    if existing is not None and existing.entered_by_id != actor.id:
        if existing.entered_by is None:
            raise ServiceError(N_("Ballot %(position)d was already entered in this pass by "
                                  "someone else. Go on to the next ballot."), position=position)
        raise ServiceError(N_("Ballot %(position)d was already entered in this pass by "
                              "%(name)s, and only they can correct it. Go on to the next "
                              "ballot."), position=position, name=existing.entered_by.display_name)
    other = entry(batch, CHECK if pass_no == FIRST else FIRST, position)
    if round_.double_entry and other is not None and other.entered_by_id == actor.id:
        raise ServiceError(N_("You entered the other pass of ballot %(position)d, so someone "
                              "else must enter this one: two people typing the same paper is "
                              "what catches mistakes."), position=position)
    return existing


def read_ballot(round_: Round, raw: Any, spoilt: bool) -> Entry:
    """Return a paper as it is stored: SPOILT, or the ballot in its checked form."""
    if spoilt:
        return SPOILT
    try:
        return check_ballot(rules(round_), raw)
    except BallotError as error:
        if _blank(raw):
            raise PaperError(N_("Nothing is marked on this form. If the paper is blank, tick "
                                "“Spoilt or blank ballot”.")) from None
        raise PaperError(N_("%(reason)s If the paper itself is marked like this, tick "
                            "“Spoilt or blank ballot”."), reason=error) from None


def _blank(raw: Any) -> bool:
    if isinstance(raw, dict):
        return all(str(v).strip() in ("", "0") for v in raw.values())
    return not raw


# Changing ----------------------------------------------------------------------------------

def _state(round_: Round, batch: PaperBatch) -> None:
    """Set the batch's state from its entries: a complete batch that disagrees is a mismatch."""
    if batch.state == "counted":
        return
    state = progress(round_, batch)
    batch.state = "mismatch" if state.complete and state.mismatched else "entering"


def _lock(batch: PaperBatch) -> PaperBatch:
    """Read the batch again, locked (where the database can), so changes to it queue up."""
    locked = db.session.scalar(sa.select(PaperBatch).where(PaperBatch.id == batch.id)
                               .with_for_update()
                               .execution_options(populate_existing=True))
    assert locked is not None
    return locked


def do_create_batch(actor: User, round_: Round, number: int | None, label: str,
                    size: int | None) -> PaperBatch:
    """Start a numbered batch of paper ballots in the round."""
    check_manager(actor, round_)
    check_open(round_)
    label = (label or "").strip()
    check_batch(number, size, label)
    assert number is not None and size is not None
    if get_batch(round_, number) is not None:
        raise _taken(round_, number)
    batch = PaperBatch(round_id=round_.id, number=number, label=label, size=size,
                       state="entering", created_by_id=actor.id)
    try:
        with unit_of_work() as session:
            session.add(batch)
            session.flush()
            audit.record(actor, "paper.batch_created", "round", round_.id, batch=number,
                         label=label, size=size)
    except sa.exc.IntegrityError:
        raise _taken(round_, number) from None
    return batch


def _taken(round_: Round, number: int) -> ServiceError:
    return ServiceError(N_("Batch %(number)d already exists in this round; use the next free "
                           "number, %(next)d."), field="number", number=number,
                        next=next_number(round_))


def do_enter(actor: User, round_: Round, batch: PaperBatch, pass_no: int, position: int,
             raw: Any, *, spoilt: bool = False) -> PaperEntry:
    """Store one paper as this person typed it, replacing their own earlier typing of it.

    The same submission twice stores it once; typing a paper differently from before is a
    correction, logged with what it replaced, and drops any resolution made for that paper.
    """
    existing = check_entry(actor, round_, batch, pass_no, position)
    items = read_ballot(round_, raw, spoilt)
    if existing is not None and same(existing.items, items):
        return existing
    try:
        with unit_of_work() as session:
            batch = _lock(batch)
            existing = check_entry(actor, round_, batch, pass_no, position)
            if existing is None:
                existing = PaperEntry(batch_id=batch.id, pass_no=pass_no, position=position,
                                      items=items, entered_by_id=actor.id)
                session.add(existing)
            elif not same(existing.items, items):
                audit.record(actor, "paper.entry_corrected", "paper_batch", batch.id,
                             batch=batch.number, pass_no=pass_no, position=position,
                             before=existing.items, after=items)
                existing.items = items
                existing.entered_at = utcnow()
                stale = entry(batch, RESOLUTION, position)
                if stale is not None:
                    session.delete(stale)
            session.flush()
            _state(round_, batch)
    except sa.exc.IntegrityError:
        # Someone (or this same form, submitted twice) filled the slot a moment ago.
        raced = entry(batch, pass_no, position)
        if raced is not None and raced.entered_by_id == actor.id and same(raced.items, items):
            return raced
        raise ServiceError(N_("Ballot %(position)d was entered by someone else a moment ago; "
                              "check it before typing it again."), position=position) from None
    return existing


def do_resolve(actor: User, round_: Round, batch: PaperBatch, position: int, *,
               pick: int | None = None, raw: Any = None, spoilt: bool = False) -> PaperEntry:
    """Settle a disagreement by what the paper says: one of the two entries, or a new one.

    Choosing again replaces the earlier choice (until the batch is counted); the same choice
    twice is recorded once.
    """
    check_manager(actor, round_)
    check_open(round_)
    typed = None if pick is not None else read_ballot(round_, raw, spoilt)
    try:
        with unit_of_work() as session:
            batch = _lock(batch)
            check_not_counted(batch)
            mismatch = {m.position: m for m in mismatches(round_, batch)}.get(position)
            if mismatch is None:
                raise ServiceError(N_("The two entries of ballot %(position)d agree, so there "
                                      "is nothing to resolve."), position=position)
            if pick is None:
                items = typed
            elif pick in (FIRST, CHECK):
                items = (mismatch.first if pick == FIRST else mismatch.check).items
            else:
                raise ServiceError(N_("Choose the entry that matches the paper, or enter the "
                                      "ballot as it is marked."))
            resolution = mismatch.resolution
            if resolution is not None and same(resolution.items, items):
                return resolution  # the same choice again: nothing to write
            if resolution is None:
                resolution = PaperEntry(batch_id=batch.id, pass_no=RESOLUTION,
                                        position=position, items=items, entered_by_id=actor.id)
                session.add(resolution)
            else:
                resolution.items, resolution.entered_by_id = items, actor.id
                resolution.entered_at = utcnow()
            audit.record(actor, "paper.mismatch_resolved", "paper_batch", batch.id,
                         batch=batch.number, position=position, first=mismatch.first.items,
                         check=mismatch.check.items, chosen=items,
                         how={FIRST: "first", CHECK: "check"}.get(pick or 0, "typed"))
            session.flush()
            _state(round_, batch)
    except sa.exc.IntegrityError:
        raise ServiceError(N_("Someone resolved ballot %(position)d a moment ago; check their "
                              "choice below."), position=position) from None
    return resolution


def do_count(actor: User, round_: Round, batch: PaperBatch) -> PaperBatch:
    """Put a complete, agreed batch into the count, once: its ballots become paper ballots.

    Counting a counted batch again does nothing. After the commit, the round's running totals
    and its live sessions' tallies are refreshed.
    """
    check_manager(actor, round_)
    if batch.state == "counted":
        return batch
    check_open(round_)
    check_countable(batch, progress(round_, batch))
    now = utcnow()
    try:
        with unit_of_work() as session:
            # Only the request that moves the batch to "counted" adds its ballots. Taking the
            # batch's row first also holds back corrections (they lock it too), so the entries
            # read next are the ones counted. Another request that moved it first leaves
            # nothing to do here.
            moved = session.execute(
                sa.update(PaperBatch).where(PaperBatch.id == batch.id,
                                            PaperBatch.state != "counted")
                .values(state="counted", counted_at=now)).rowcount
            if moved == 1:
                _add_ballots(actor, round_, batch, now)
                on_commit(totals.ballot_cast, round_)
                # The projector shows the paper cards in.
                on_commit(totals.ballots_added, round_.id)
    except sa.exc.IntegrityError:
        db.session.refresh(batch)
        if batch.state == "counted":
            return batch
        raise
    db.session.refresh(batch)
    return batch


def _add_ballots(actor: User, round_: Round, batch: PaperBatch, now: Any) -> None:
    """Add the batch's papers to the round's ballots (inside do_count's unit of work)."""
    state = progress(round_, batch)
    check_countable(batch, state)
    for position in sorted(state.counts):
        items = state.counts[position]
        if items != SPOILT:
            db.session.add(Ballot(round_id=round_.id, voter_key=voter_key(batch, position),
                                  items=items, source="paper", cast_at=now))
    audit.record(actor, "paper.batch_counted", "paper_batch", batch.id,
                 batch=batch.number, ballots=len(state.ballots), spoilt=state.spoilt)
    # Still uncertified at commit time: a certification that raced this count wins.
    if certified(round_):
        raise _certified()


def check_countable(batch: PaperBatch, state: Reconciliation) -> None:
    """Refuse to count a batch with papers still to type or disagreements to resolve."""
    if not state.complete:
        missing = sum(len(gaps) for gaps in state.missing.values())
        raise ServiceError(N_("Batch %(number)d is not complete yet (entries still to type: "
                              "%(missing)d). Enter them, then count the batch."),
                           number=batch.number, missing=missing)
    if state.mismatched:
        raise ServiceError(N_("Some entries in batch %(number)d disagree (still to resolve: "
                              "%(count)d). Check them against the paper, then count the "
                              "batch."), number=batch.number, count=len(state.mismatched))


def voter_key(batch: PaperBatch, position: int) -> str:
    """Return the key a counted paper has among the round's ballots."""
    return f"paper:{batch.id}:{position}"
