"""Count a round's ballots with its rule, once, and keep the count with what it counted."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from pb.domain import phases
from pb.domain.errors import N_
from pb.domain.money import minor_digits
from pb.domain.rounds import TALLY_KINDS
from pb.domain.tally import TallyError, TallyInput, build_input, tally
from pb.extensions import db
from pb.models import Ballot, Certification, Proposal, Round, TallyRun
from pb.services import ServiceError, unit_of_work

# Proposals that go on the ballot, and so into the count.
ON_BALLOT = ("feasible", "shortlisted")
RESULTS_FROM = phases.index("results")
_STREAM_CHUNK = 10_000


@dataclass(frozen=True)
class Count:
    """A round's count: the outcome (as JSON data) and what it was made from."""

    round: Round
    proposals: dict[str, Proposal]  # by the project id used in the count
    run: TallyRun

    @property
    def outcome(self) -> dict[str, Any]:
        return self.run.outcome


def project_id(proposal: Proposal) -> str:
    """Return the id a proposal has in counts and exports (its imported id, if any)."""
    return proposal.external_id or str(proposal.id)


def ballot_proposals(round_: Round) -> list[Proposal]:
    """Return the proposals on the round's ballot, in a stable order."""
    return list(db.session.scalars(
        sa.select(Proposal).where(Proposal.round_id == round_.id,
                                  Proposal.status.in_(ON_BALLOT))
        .order_by(Proposal.id)))


def ballot_items(round_: Round) -> list[Any]:
    """Return the items of every ballot of the round, in the order they were stored."""
    return list(db.session.scalars(
        sa.select(Ballot.items).where(Ballot.round_id == round_.id).order_by(Ballot.id)))


def _digest(round_: Round, costs: list[tuple[str, int]], ballots: list[Any]) -> str:
    payload = json.dumps([round_.tally_rule, round_.budget_minor, round_.currency,
                          (round_.source_meta or {}).get("min_project_score_threshold"),
                          costs, ballots], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class _DigestingStream:
    """The round's ballots read from the database a chunk at a time, hashed on the way, so
    the same SHA-256 as `_digest` comes out without ever holding every ballot."""

    def __init__(self, round_: Round, costs: list[tuple[str, int]]) -> None:
        self.round = round_
        threshold = (round_.source_meta or {}).get("min_project_score_threshold")
        self.hash = hashlib.sha256(("[" + ",".join(_dumps(v) for v in (
            round_.tally_rule, round_.budget_minor, round_.currency, threshold, costs))
            + ",[").encode())
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        rows = db.session.scalars(
            sa.select(Ballot.items).where(Ballot.round_id == self.round.id)
            .order_by(Ballot.id).execution_options(yield_per=_STREAM_CHUNK))
        for chunk in rows.partitions():
            # A list's JSON is its items' JSON joined by commas: hash a chunk in one call.
            self.hash.update((b"," if self.count else b"") + _dumps(chunk)[1:-1].encode())
            self.count += len(chunk)
            yield from chunk

    def hexdigest(self) -> str:
        done = self.hash.copy()
        done.update(b"]]")
        return done.hexdigest()


def tally_input(round_: Round, proposals: list[Proposal], ballots: Iterable[Any]
                ) -> TallyInput:
    """Build the counting input: money in major units, ballots by project id.

    `ballots` may be a list or a stream (read as it comes; the caller checks it has any).
    """
    if not proposals:
        raise ServiceError(N_("No projects are on the ballot, so there is nothing to count."))
    if isinstance(ballots, list) and not ballots:
        raise ServiceError(N_("No ballots have been cast, so there is nothing to count yet."))
    scale = 10 ** minor_digits(round_.currency)
    ids = {str(p.id): project_id(p) for p in proposals}

    def translate(items: Any) -> Any:
        if isinstance(items, dict):
            return {ids[k]: v for k, v in items.items() if k in ids}
        return [ids[k] for k in items if k in ids]

    threshold = (round_.source_meta or {}).get("min_project_score_threshold") or None
    try:
        return build_input(
            [(project_id(p), Fraction(p.cost_minor, scale)) for p in proposals],
            Fraction(round_.budget_minor, scale), map(translate, ballots),
            kind=TALLY_KINDS[round_.ballot_method], threshold=threshold,
            currency=round_.currency, names={project_id(p): p.title for p in proposals})
    except TallyError as error:
        raise ServiceError(N_("This round cannot be counted yet: %(why)s"),
                           why=str(error)) from None


def _state(round_: Round, proposals: list[Proposal]) -> str:
    count, last_id, last_change = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(Ballot.id), sa.func.max(Ballot.updated_at))
        .where(Ballot.round_id == round_.id)).one()
    payload = json.dumps([round_.tally_rule, round_.budget_minor, round_.currency,
                          round_.ballot_method, round_.source_meta,
                          [(p.id, p.cost_minor, p.external_id) for p in proposals],
                          count, last_id, str(last_change)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def do_count(round_: Round) -> Count:
    """Return the round's count, computing and storing it unless an identical one is stored.

    The ballots are read once, a chunk at a time, grouped and hashed as they come: a round
    of millions of ballots is counted without holding them all.
    """
    proposals = ballot_proposals(round_)
    state = _state(round_, proposals)
    run = _stored(round_.id, TallyRun.state == state)
    if run is None:
        if proposals and not db.session.scalar(
                sa.select(Ballot.id).where(Ballot.round_id == round_.id).limit(1)):
            raise ServiceError(N_("No ballots have been cast, so there is nothing to count "
                                  "yet."))
        stream = _DigestingStream(round_, [(str(p.id), p.cost_minor) for p in proposals])
        data = tally_input(round_, proposals, stream)
        digest = stream.hexdigest()
        run = _stored(round_.id, TallyRun.digest == digest)
        if run is None:
            run = _store(_tallied(round_, data, stream.count, digest, state))
        else:  # same ballots, only touched: remember the new state
            with unit_of_work():
                run.state = state
    return Count(round_, {project_id(p): p for p in proposals}, run)


def _stored(round_id: int, which: sa.ColumnElement[bool]) -> TallyRun | None:
    return db.session.scalar(sa.select(TallyRun).where(TallyRun.round_id == round_id, which))


def _tallied(round_: Round, data: TallyInput, ballots: int, digest: str,
             state: str) -> TallyRun:
    started = time.perf_counter()
    try:
        outcome = tally(data, round_.tally_rule)
    except TallyError as error:
        raise ServiceError(N_("This round cannot be counted: %(why)s"),
                           why=str(error)) from None
    return TallyRun(round_id=round_.id, digest=digest, state=state, rule=outcome.rule,
                    ballots=ballots, outcome=outcome.to_json(),
                    seconds=round(time.perf_counter() - started, 3))


def _store(run: TallyRun) -> TallyRun | None:
    round_id, digest = run.round_id, run.digest
    try:
        with unit_of_work():
            db.session.add(run)
    except sa.exc.IntegrityError:  # counted by another request meanwhile: same result
        return _stored(round_id, TallyRun.digest == digest)
    return run


def counted(round_: Round) -> bool:
    """Tell whether voting is over, so the round may be counted (from the results phase on)."""
    return phases.index(round_.phase) >= RESULTS_FROM


def results_public(round_: Round) -> bool:
    """Tell whether the results are published: counted, and certified by an officer."""
    return counted(round_) and db.session.scalar(sa.select(Certification.id).where(
        Certification.round_id == round_.id)) is not None
