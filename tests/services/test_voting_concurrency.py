"""Many submissions at once: exactly one ballot per voter, and every acknowledgement kept.

Sixteen threads, each with its own app context (so its own session and connection), send some
two hundred submissions for a dozen voters at the same moment: the same idempotency key from
several threads, different keys (different ballots) from the same voter, and a few invalid
ballots. Afterwards every voter has exactly one ballot, it is one that was acknowledged, each
key got one receipt, and every acknowledged receipt is on record.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pb import create_app
from pb.domain.ballots import BallotError
from pb.domain.eligibility import keyed_hash, receipt_code, receipt_fingerprint
from pb.extensions import db
from pb.models import AccessCode, Ballot, BallotSubmission, Proposal, Round, User
from pb.services import ServiceError, voting

THREADS = 16
VOTERS = 12
KEYS_PER_VOTER = 4
COPIES = 4  # each (voter, key) is sent this many times, from different threads
INVALID = 8  # submissions with a ballot that must be refused


@dataclass(frozen=True)
class Job:
    voter: voting.Voter
    key: str
    raw: Any
    valid: bool


@dataclass
class Outcome:
    job: Job
    cast: voting.Cast | None = None
    error: BaseException | None = None


def setup_round() -> tuple[int, list[str], list[voting.Voter]]:
    """Create an approval round (at most 3 picks) in voting, its projects, and voters."""
    round_ = Round(title="Busy round", area="Northfield", budget_minor=1_000_000,
                   currency="GBP", ballot_method="approval", tally_rule="greedy",
                   phase="voting", ballot_limit=3)
    db.session.add(round_)
    db.session.commit()
    proposals = [Proposal(round_id=round_.id, title=f"Project {i}", summary="",
                          cost_minor=10_000 * (i + 1), status="feasible") for i in range(6)]
    users = [User(email=f"busy{i}-{round_.id}@example.org", display_name="Voter",
                  password_hash="!") for i in range(VOTERS)]
    db.session.add_all([*proposals, *users])
    db.session.commit()
    voters = [voting.voter_for_user(round_, user) for user in users]
    return round_.id, [str(p.id) for p in proposals], voters


def make_jobs(round_id: int, ids: list[str], voters: list[voting.Voter],
              seed: int) -> list[Job]:
    rng = random.Random(seed)
    jobs = []
    for v, voter in enumerate(voters):
        for k in range(KEYS_PER_VOTER):
            # Ballots drawn from few shapes, so different keys often carry the same ballot.
            picks = rng.sample(ids, rng.choice([1, 2, 3]))
            key = f"r{round_id}-v{v:02d}-k{k:02d}"
            jobs += [Job(voter, key, picks, True)] * COPIES
    for n in range(INVALID):
        voter = voters[n % len(voters)]
        raw = [["not-a-project"], ids[:4], [], "junk"][n % 4]  # unknown, too many, empty, type
        jobs.append(Job(voter, f"r{round_id}-bad-{n:02d}", raw, False))
    rng.shuffle(jobs)
    return jobs


def hammer(app: Flask, round_id: int, jobs: list[Job]) -> list[Outcome]:
    """Send every job from THREADS threads at once; return what each submission got."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS, timeout=30)
    crashed: list[BaseException] = []

    def work(mine: list[Job]) -> None:
        try:
            with app.app_context():
                try:
                    # Wait before touching the database: a thread holding a pooled connection
                    # at the barrier could starve one still waiting for its first.
                    start.wait()
                    round_ = db.session.get(Round, round_id)
                    assert round_ is not None
                    for job in mine:
                        outcome = Outcome(job)
                        try:
                            outcome.cast = voting.do_cast(round_, job.voter, job.raw, job.key)
                        except Exception as error:  # recorded, and judged below
                            outcome.error = error
                            db.session.rollback()
                        with lock:
                            outcomes.append(outcome)
                finally:
                    db.session.remove()
        except BaseException as error:  # a thread that dies must fail the test
            crashed.append(error)

    threads = [threading.Thread(target=work, args=(jobs[i::THREADS],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a submitting thread hung"
    assert not crashed, crashed
    assert len(outcomes) == len(jobs)
    return outcomes


def check_outcomes(app: Flask, round_id: int, voters: list[voting.Voter],
                   outcomes: list[Outcome]) -> None:
    """Check the round after the storm. On SQLite, where writers take turns, submission ids
    also follow commit order, so the counted ballot must be each voter's last one stored."""
    unexpected = [(o.job.key, repr(o.error)) for o in outcomes
                  if o.error is not None and (o.job.valid or not isinstance(o.error, BallotError))]
    assert not unexpected, (f"{len(unexpected)} valid submissions failed under concurrency, "
                            f"e.g. {unexpected[:3]}")
    assert all(o.error is not None for o in outcomes if not o.job.valid)

    db.session.expire_all()
    secret = str(app.config["PB_VOTING_KEY"]).encode()
    acked: dict[tuple[str, str], set[str]] = defaultdict(set)  # (voter, key) -> receipts
    ballot_of: dict[tuple[str, str], list[str]] = {}
    fresh: dict[str, list[voting.Cast]] = defaultdict(list)  # voter -> casts that stored
    for o in outcomes:
        if o.cast is None:
            continue
        acked[o.job.voter.key, o.job.key].add(o.cast.receipt)
        ballot_of[o.job.voter.key, o.job.key] = sorted(o.job.raw, key=int)
        if not o.cast.repeated:
            fresh[o.job.voter.key].append(o.cast)
            assert o.cast.items == sorted(o.job.raw, key=int)

    # The same key always got the same receipt: the one derived from it.
    for (voter_key, key), receipts in acked.items():
        assert receipts == {receipt_code(secret, round_id, voter_key, key)}, (voter_key, key)
    # Each (voter, key) was stored exactly once, however many threads sent it.
    for voter_key, casts in fresh.items():
        keys = [cast.receipt for cast in casts]
        assert len(keys) == len(set(keys)), f"{voter_key}: a key stored twice"
    assert sum(len(c) for c in fresh.values()) == len(acked) == VOTERS * KEYS_PER_VOTER

    submissions = db.session.execute(sa.select(
        BallotSubmission.id, BallotSubmission.voter_key, BallotSubmission.key,
        BallotSubmission.receipt_fp, BallotSubmission.at)
        .where(BallotSubmission.round_id == round_id)).all()
    assert len(submissions) == len({(s.voter_key, s.key) for s in submissions})
    recorded = {(s.voter_key, s.key): s for s in submissions}
    assert set(recorded) == set(acked), "refused ballots left submissions, or acks were lost"
    for pair, receipts in acked.items():
        assert recorded[pair].receipt_fp == receipt_fingerprint(next(iter(receipts)))

    ballots = db.session.execute(sa.select(
        Ballot.voter_key, Ballot.items, Ballot.submission_key, Ballot.receipt_fp,
        Ballot.updated_at).where(Ballot.round_id == round_id)).all()
    per_voter = defaultdict(list)
    for ballot in ballots:
        per_voter[ballot.voter_key].append(ballot)
    assert sorted(per_voter) == sorted(v.key for v in voters)
    for voter_key, rows in per_voter.items():
        assert len(rows) == 1, f"{voter_key} has {len(rows)} ballots"
        (ballot,) = rows
        pair = (voter_key, ballot.submission_key)
        assert pair in acked, f"{voter_key}'s ballot is not one that was acknowledged"
        assert ballot.items == ballot_of[pair]
        assert ballot.receipt_fp in {receipt_fingerprint(r) for r in acked[pair]}
        # The ballot row and its submission were written by the same commit.
        assert ballot.updated_at == recorded[pair].at
        # Exactly one stored submission found no earlier ballot; every later one replaced.
        assert sum(not cast.replaced for cast in fresh[voter_key]) == 1, voter_key
        if db.engine.dialect.name == "sqlite":
            last = max((s for s in submissions if s.voter_key == voter_key),
                       key=lambda s: s.id)
            assert ballot.submission_key == last.key, f"{voter_key}: not the latest ballot"

    # The published list: one fingerprint per voter, every one of them acknowledged.
    published = voting.receipt_fingerprints(db.session.get(Round, round_id))
    everything_acked = {receipt_fingerprint(r) for rs in acked.values() for r in rs}
    assert len(published) == VOTERS and set(published) <= everything_acked


def test_concurrent_submissions_leave_one_acknowledged_ballot_per_voter(app: Flask) -> None:
    round_id, ids, voters = setup_round()
    jobs = make_jobs(round_id, ids, voters, seed=20240501)
    assert len(jobs) >= 200
    outcomes = hammer(app, round_id, jobs)
    check_outcomes(app, round_id, voters, outcomes)


def test_a_code_sent_with_its_ballot_casts_once_under_concurrency(app: Flask) -> None:
    """A fresh-only code (API, sockets) may cast once: concurrent different ballots sent with
    the same code must not all be accepted, the later replacing the earlier."""
    round_id, ids, _ = setup_round()
    round_ = db.session.get(Round, round_id)
    round_.eligibility = "codes"
    code = "ABCDEFGHJKMN"
    db.session.add(AccessCode(round_id=round_id, code_hash=keyed_hash(
        str(app.config["PB_VOTING_KEY"]).encode(), "code", code)))
    db.session.commit()
    voter = voting.voter_for_code(round_, code, fresh_only=True)
    jobs = [Job(voter, f"fresh-code-{n:03d}", [ids[n % len(ids)]], True)
            for n in range(THREADS * 2)]
    outcomes = hammer(app, round_id, jobs)
    stored = [o for o in outcomes if o.cast is not None and not o.cast.repeated]
    refused = [o for o in outcomes if o.error is not None]
    assert all(isinstance(o.error, ServiceError) and "already been used" in str(o.error)
               for o in refused), [repr(o.error) for o in refused[:3]]
    assert len(stored) == 1, f"one code cast {len(stored)} different ballots"
    db.session.expire_all()
    ballot = db.session.scalar(sa.select(Ballot).where(Ballot.round_id == round_id))
    assert ballot.submission_key == stored[0].job.key
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotSubmission)
                             .where(BallotSubmission.round_id == round_id)) == 1


# The same on PostgreSQL --------------------------------------------------------------------

@pytest.fixture(scope="module")
def pg_app() -> Iterator[Flask]:
    from flask_migrate import upgrade

    from tests.servers import postgres

    with postgres() as url:
        app = create_app({"PB_ENV": "testing", "SECRET_KEY": "pg", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": url,
                          "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                                        "pool_size": THREADS + 2}})
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgres
def test_concurrent_submissions_on_postgresql(pg_app: Flask) -> None:
    assert db.engine.dialect.name == "postgresql"
    round_id, ids, voters = setup_round()
    jobs = make_jobs(round_id, ids, voters, seed=7)
    outcomes = hammer(pg_app, round_id, jobs)
    check_outcomes(pg_app, round_id, voters, outcomes)


@pytest.mark.postgres
def test_a_ballot_is_stored_on_postgresql(pg_app: Flask) -> None:
    """One plain submission, no concurrency: the smallest case of the test above."""
    round_id, ids, voters = setup_round()
    round_ = db.session.get(Round, round_id)
    cast = voting.do_cast(round_, voters[0], ids[:2], "plain-submission-1")
    assert not cast.repeated and cast.items == ids[:2]
    again = voting.do_cast(round_, voters[0], ids[:2], "plain-submission-1")
    assert again.repeated and again.receipt == cast.receipt
    assert voting.receipt_status(round_, cast.receipt) == "stored"
