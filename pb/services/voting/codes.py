"""Access codes: officers make batches of single-use voting codes to print on cards.

A code is shown once, when it is made; only its keyed hash is stored (see
`pb.services.voting.identify.voter_for_code`, which looks it up with the same key and
purpose).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pb.domain import phases
from pb.domain.eligibility import MAX_CODES, keyed_hash, new_code
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import AccessCode, Round, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, unit_of_work
from pb.services.voting.store import voting_key

BATCH_MAX = 80  # AccessCode.batch
GENERATED = "codes.generated"
# A clash with a stored code is about as likely as guessing one (58 bits); retrying a couple
# of times turns "astronomically unlikely" into "never".
_ATTEMPTS = 3


def codes_open(round_: Round) -> bool:
    """Tell whether codes may still be made: until the results phase."""
    return phases.index(round_.phase) < phases.index("results")


def check_generate(actor: User, round_: Round, count: int, batch_label: str) -> None:
    """Refuse codes asked by a non-officer, for a round without codes or closed, or too many."""
    if not actor.manages_rounds:
        raise ServiceError(N_("Only officers can make voting codes."))
    if round_.eligibility != "codes":
        raise ServiceError(N_("This round does not use voting codes. Change who may vote in "
                              "the round's settings first."))
    if not codes_open(round_):
        raise ServiceError(N_("Voting in this round has closed, so no more codes can be made."))
    if not 1 <= count <= MAX_CODES:
        raise ServiceError(N_("Make between 1 and %(max)d codes at a time."), max=MAX_CODES,
                           field="count")
    if len(batch_label.strip()) > BATCH_MAX:
        raise ServiceError(N_("Keep the batch label to %(max)d characters or fewer."),
                           max=BATCH_MAX, field="batch")


def _fresh(count: int, key: bytes) -> dict[str, str]:
    """Return `count` new codes keyed by their hash (a dict, so none repeats in the batch)."""
    codes: dict[str, str] = {}
    while len(codes) < count:
        code = new_code()
        codes.setdefault(keyed_hash(key, "code", code), code)
    return codes


def do_generate_codes(actor: User, round_: Round, count: int, batch_label: str) -> list[str]:
    """Make `count` codes for the round and return them in plain text, the only time they exist.

    Only their hashes are stored, so the caller must show or print them now.
    """
    label = batch_label.strip()
    check_generate(actor, round_, count, label)
    key = voting_key()
    for _ in range(_ATTEMPTS):
        codes = _fresh(count, key)
        now = utcnow()
        try:
            with unit_of_work() as session:
                session.execute(sa.insert(AccessCode), [
                    {"round_id": round_.id, "code_hash": code_hash, "batch": label,
                     "created_at": now} for code_hash in codes])
                audit.record(actor, GENERATED, "round", round_.id, count=count, batch=label)
        except IntegrityError:  # a hash already stored: make a whole new batch
            continue
        return list(codes.values())
    raise ServiceError(N_("The codes could not be made just now. Try again."))


def code_stats(round_: Round) -> dict[str, Any]:
    """Return how many codes the round has and how many have voted, in total and by batch.

    `{"total": n, "used": n, "batches": [{"batch", "total", "used", "created_at"}, ...]}`,
    batches oldest first.
    """
    rows = db.session.execute(
        sa.select(AccessCode.batch, sa.func.count(), sa.func.count(AccessCode.used_at),
                  sa.func.min(AccessCode.created_at))
        .where(AccessCode.round_id == round_.id)
        .group_by(AccessCode.batch)
        .order_by(sa.func.min(AccessCode.created_at), AccessCode.batch)).all()
    batches = [{"batch": batch, "total": total, "used": used, "created_at": created}
               for batch, total, used, created in rows]
    return {"total": sum(b["total"] for b in batches),
            "used": sum(b["used"] for b in batches), "batches": batches}

