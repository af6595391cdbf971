"""Receipts: what a voter can check afterwards, and what is published once results are certified.

A receipt is derived from the voter, the round and the submission key with the voting key, so
it is never stored; the ballot box keeps only its fingerprint (SHA-256), which is what the
published list shows. A receipt is "stored" until the results are certified, "counted" after,
and "replaced" once a later ballot of the same voter counts instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from pb.domain.eligibility import receipt_code, receipt_fingerprint
from pb.extensions import db
from pb.models import Ballot, BallotSubmission, Certification, Round
from pb.services.voting.identify import Voter
from pb.services.voting.store import ballot_of, voting_key


def receipt_for(voter: Voter, key: str) -> str:
    """Return the receipt of the voter's submission with this key."""
    return receipt_code(voting_key(), voter.round_id, voter.key, key)


def current(voter: Voter) -> Ballot | None:
    """Return the ballot counted for the voter now, if any."""
    return ballot_of(voter.round_id, voter.key)


def current_receipt(voter: Voter) -> str | None:
    """Return the receipt of the voter's counted ballot (derived again, never stored)."""
    ballot = current(voter)
    if ballot is None or ballot.submission_key is None:
        return None
    return receipt_for(voter, ballot.submission_key)


def certified(round_: Round) -> bool:
    """Tell whether the round's results are certified (and so published)."""
    return db.session.scalar(sa.select(Certification.id).where(
        Certification.round_id == round_.id)) is not None


def receipt_status(round_: Round, code: str) -> str:
    """Say what became of a receipt: "counted", "stored" (before results), "replaced" or
    "unknown"."""
    fingerprint = receipt_fingerprint(code or "")
    if db.session.scalar(sa.select(Ballot.id).where(Ballot.round_id == round_.id,
                                                    Ballot.receipt_fp == fingerprint)):
        return "counted" if certified(round_) else "stored"
    if db.session.scalar(sa.select(BallotSubmission.id).where(
            BallotSubmission.round_id == round_.id,
            BallotSubmission.receipt_fp == fingerprint)):
        return "replaced"
    return "unknown"


def receipt_fingerprints(round_: Round) -> list[str]:
    """Return the fingerprints of every counted online ballot's receipt, sorted, so the list
    cannot be matched to the (shuffled) ballots by position."""
    return sorted(db.session.scalars(sa.select(Ballot.receipt_fp).where(
        Ballot.round_id == round_.id, Ballot.receipt_fp.is_not(None))))


@dataclass(frozen=True)
class ReceiptCounts:
    """How a round's ballots split between those with a receipt in the published list and
    those that never had one, so a short list is not mistaken for lost votes."""

    total: int
    with_receipts: int  # cast online here: each has a receipt, and its fingerprint is listed
    paper: int  # entered by staff from paper ballots
    imported: int  # imported with the round from a pabulib file
    other: int  # recorded some other way without a receipt (such as the demo's made-up ones)


def receipt_counts(round_: Round) -> ReceiptCounts:
    """Count the round's ballots with and without receipts, by where they came from."""
    has_receipt = Ballot.receipt_fp.is_not(None)
    rows = db.session.execute(
        sa.select(Ballot.source, has_receipt, sa.func.count())
        .where(Ballot.round_id == round_.id).group_by(Ballot.source, has_receipt))
    total = with_receipts = paper = imported = other = 0
    for source, receipted, n in rows:
        total += n
        if receipted:
            with_receipts += n
        elif source == "paper":
            paper += n
        elif source == "import":
            imported += n
        else:
            other += n
    return ReceiptCounts(total, with_receipts, paper, imported, other)
