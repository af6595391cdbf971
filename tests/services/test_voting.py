"""Casting ballots through the services: who may vote, exactly-once storage, and receipts."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, current_app
from flask_login import AnonymousUserMixin

from pb.domain.ballots import BallotError
from pb.domain.eligibility import (
    EligibilityError,
    keyed_hash,
    normalise_check,
    normalise_code,
    normalise_identifier,
    receipt_fingerprint,
    show_code,
)
from pb.extensions import db
from pb.models import (
    AccessCode,
    Ballot,
    BallotSubmission,
    CensusEntry,
    Proposal,
    Round,
    User,
    UserRole,
)
from pb.models.base import utcnow
from pb.services import ServiceError, outcomes, rounds, voting

MakeRound = Callable[..., Round]

CLOSED = "Voting in this round has closed"
NOT_OPEN = "Voting in this round has not opened yet"
USED = "That code has already been used to vote"
NO_MATCH = ("Those details do not match anyone on this round's list of voters. Check them "
            "against your letter and try again.")


# Helpers -----------------------------------------------------------------------------------

def add_proposals(round_: Round, *costs: int) -> list[str]:
    """Put proposals on the round's ballot; return their ids as ballots name them."""
    proposals = [Proposal(round_id=round_.id, title=f"Project {i}", summary="", cost_minor=cost,
                          status="feasible" if i % 2 else "shortlisted")
                 for i, cost in enumerate(costs)]
    db.session.add_all(proposals)
    db.session.commit()
    return [str(p.id) for p in proposals]


def secret() -> bytes:
    return current_app.config["PB_VOTING_KEY"].encode()


def add_code(round_: Round, code: str = "ABCDEFGHJKMN") -> str:
    db.session.add(AccessCode(round_id=round_.id,
                              code_hash=keyed_hash(secret(), "code", normalise_code(code))))
    db.session.commit()
    return code


def add_census(round_: Round, identifier: str, check: str) -> None:
    kind = round_.census_check or "postcode"
    db.session.add(CensusEntry(
        round_id=round_.id,
        id_hash=keyed_hash(secret(), "census-id", normalise_identifier(identifier)),
        check_hash=keyed_hash(secret(), "census-check", normalise_check(kind, check))))
    db.session.commit()


def count(model: Any, round_: Round | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    if round_ is not None:
        query = query.where(model.round_id == round_.id)
    return db.session.scalar(query)


def stored(round_: Round) -> list[tuple[str, Any]]:
    """Every ballot of the round as (voter key, items), read afresh from the database."""
    db.session.expire_all()
    return [(b.voter_key, b.items) for b in db.session.scalars(
        sa.select(Ballot).where(Ballot.round_id == round_.id).order_by(Ballot.id))]


def key(n: int) -> str:
    return f"submission-{n:04d}"


@pytest.fixture()
def officer(app: Flask) -> User:
    """An officer made directly: registering hashes a password with argon2, which is slow."""
    user = User(email="officer@example.org", display_name="Officer", password_hash="!",
                roles=[UserRole(role="resident"), UserRole(role="officer")])
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture()
def round_in(make_round: MakeRound, officer: User) -> MakeRound:
    """make_round, with one officer for every round of the test (registering is slow)."""
    return functools.partial(make_round, officer=officer)


@pytest.fixture()
def resident(app: Flask) -> Callable[[], User]:
    """Create voters' accounts directly, like the officer."""
    numbers = itertools.count(1)

    def make() -> User:
        user = User(email=f"voter{next(numbers)}@example.org", display_name="Voter",
                    password_hash="!")
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture()
def approval(round_in: MakeRound) -> tuple[Round, list[str]]:
    """An approval round (pick at most 2) in voting, open to accounts, with 3 projects."""
    round_ = round_in("voting", ballot_limit=2)
    return round_, add_proposals(round_, 100_00, 200_00, 300_00)


@pytest.fixture()
def voter(approval: tuple[Round, list[str]], resident: Callable[[], User]) -> voting.Voter:
    return voting.voter_for_user(approval[0], resident())


# Accounts ----------------------------------------------------------------------------------

def test_a_logged_in_account_votes(approval: tuple[Round, list[str]],
                                   resident: Callable[[], User]) -> None:
    round_, (a, b, c) = approval
    user = resident()
    voter = voting.voter_for_user(round_, user)
    assert voter == voting.Voter(round_.id, f"user:{user.id}")
    cast = voting.do_cast(round_, voter, [c, a], key(1))
    assert cast.items == [a, c] and not cast.repeated and not cast.replaced
    assert stored(round_) == [(f"user:{user.id}", [a, c])]
    assert voting.current_receipt(voter) == cast.receipt
    assert voting.receipt_status(round_, cast.receipt) == "stored"
    assert voting.counts(round_) == {"online": 1}


def test_voting_by_account_needs_a_login(approval: tuple[Round, list[str]]) -> None:
    for user in (None, AnonymousUserMixin()):
        with pytest.raises(ServiceError, match="Log in to vote"):
            voting.voter_for_user(approval[0], user)


def test_verified_only_rounds_refuse_unconfirmed_accounts_until_confirmed(
        round_in: MakeRound, resident: Callable[[], User]) -> None:
    round_ = round_in("voting", verified_only=True)
    (pid,) = add_proposals(round_, 500)
    user = resident()
    assert user.email_verified_at is None
    with pytest.raises(ServiceError, match="confirmed email address"):
        voting.voter_for_user(round_, user)
    assert count(Ballot) == 0
    user.email_verified_at = utcnow()
    db.session.commit()
    voter = voting.voter_for_user(round_, user)
    voting.do_cast(round_, voter, [pid], key(1))
    assert stored(round_) == [(f"user:{user.id}", [pid])]


def test_each_mode_refuses_the_other_ways_to_vote(round_in: MakeRound,
                                                  resident: Callable[[], User]) -> None:
    accounts = round_in("voting")
    codes = round_in("voting", eligibility="codes")
    census = round_in("voting", eligibility="census", census_check="postcode")
    code = add_code(codes)
    with pytest.raises(ServiceError, match="does not use voting codes"):
        voting.voter_for_code(accounts, code)
    with pytest.raises(ServiceError, match="does not use a census"):
        voting.voter_for_census(accounts, "A1", "NE1 4ST")
    for round_ in (codes, census):
        with pytest.raises(ServiceError, match="does not use accounts"):
            voting.voter_for_user(round_, resident())


# Codes -------------------------------------------------------------------------------------

@pytest.fixture()
def coded(round_in: MakeRound) -> tuple[Round, list[str]]:
    round_ = round_in("voting", eligibility="codes", ballot_method="knapsack",
                        budget_minor=1000_00)
    return round_, add_proposals(round_, 400_00, 500_00, 700_00)


def test_a_code_votes_however_it_is_typed(coded: tuple[Round, list[str]]) -> None:
    round_, (a, b, _) = coded
    code = add_code(round_)
    voter = voting.voter_for_code(round_, show_code(code).lower())
    assert voter == voting.voter_for_code(round_, f" {code} ")
    assert voter.key.startswith("code:") and not voter.fresh_only
    voting.do_cast(round_, voter, [b, a], key(1))
    assert stored(round_) == [(voter.key, [a, b])]
    assert db.session.scalar(sa.select(AccessCode.used_at)) is not None


def test_unknown_and_malformed_codes_are_refused(coded: tuple[Round, list[str]]) -> None:
    round_, _ = coded
    add_code(round_)
    with pytest.raises(ServiceError, match="not one of this round's voting codes"):
        voting.voter_for_code(round_, "ABCD-EFGH-JKMP")
    for typed in ("ABCD-EFGH", "", "ABCD-EFGH-JKM0"):
        with pytest.raises(EligibilityError, match="That is not a voting code"):
            voting.voter_for_code(round_, typed)


def test_a_code_of_another_round_is_refused(round_in: MakeRound,
                                            coded: tuple[Round, list[str]]) -> None:
    round_, _ = coded
    other = round_in("voting", eligibility="codes")
    code = add_code(other)
    with pytest.raises(ServiceError, match="not one of this round's voting codes"):
        voting.voter_for_code(round_, code)
    assert voting.voter_for_code(other, code).round_id == other.id


def test_a_used_code_is_refused_to_a_new_browser_but_its_own_can_change_the_ballot(
        coded: tuple[Round, list[str]]) -> None:
    round_, (a, b, c) = coded
    code = add_code(round_)
    voter = voting.voter_for_code(round_, code)
    first = voting.do_cast(round_, voter, [a], key(1))
    with pytest.raises(ServiceError, match=USED):
        voting.voter_for_code(round_, code)
    # The browser that used the code keeps its Voter in the session and may still change.
    second = voting.do_cast(round_, voter, [c], key(2))
    assert second.replaced and second.receipt != first.receipt
    assert stored(round_) == [(voter.key, [c])]


def test_a_code_sent_with_its_ballot_can_repeat_that_submission_but_not_change_it(
        coded: tuple[Round, list[str]]) -> None:
    round_, (a, b, c) = coded
    code = add_code(round_)
    voter = voting.voter_for_code(round_, code, fresh_only=True)
    assert voter.fresh_only
    first = voting.do_cast(round_, voter, [a, b], key(1))
    again = voting.voter_for_code(round_, code, fresh_only=True)  # used, but may repeat
    assert again == voter
    repeat = voting.do_cast(round_, again, [a, b], key(1))
    assert repeat.repeated and repeat.receipt == first.receipt
    with pytest.raises(ServiceError, match=USED):
        voting.do_cast(round_, again, [c], key(2))
    assert stored(round_) == [(voter.key, [a, b])]
    assert count(BallotSubmission) == 1


# Census ------------------------------------------------------------------------------------

def test_census_voters_are_matched_on_both_details(round_in: MakeRound) -> None:
    round_ = round_in("voting", eligibility="census", census_check="postcode")
    (pid,) = add_proposals(round_, 100)
    add_census(round_, "AB-1234", "NE1 4ST")
    add_census(round_, "AB-9999", "SW1A 1AA")
    voter = voting.voter_for_census(round_, " ab-1234 ", "ne14st")
    assert voter.key.startswith("census:")
    assert voting.voter_for_census(round_, "AB-1234", "NE1 4ST") == voter
    assert voting.voter_for_census(round_, "AB-9999", "SW1A 1AA") != voter
    voting.do_cast(round_, voter, [pid], key(1))
    assert stored(round_) == [(voter.key, [pid])]


def test_wrong_census_details_get_one_message_whoever_is_asked(round_in: MakeRound) -> None:
    round_ = round_in("voting", eligibility="census", census_check="postcode")
    add_census(round_, "AB-1234", "NE1 4ST")
    messages = []
    for identifier, check in [("AB-1234", "NE1 4SU"),   # listed, wrong detail
                              ("AB-1235", "NE1 4ST"),   # not listed
                              ("AB-9999", "SW1A 1AA")]:
        with pytest.raises(ServiceError) as caught:
            voting.voter_for_census(round_, identifier, check)
        messages.append(str(caught.value))
    assert messages == [NO_MATCH] * 3
    with pytest.raises(ServiceError, match="Fill in your identifier"):
        voting.voter_for_census(round_, "  ", "NE1 4ST")


def test_census_dates_of_birth_match_however_they_are_written(round_in: MakeRound) -> None:
    round_ = round_in("voting", eligibility="census", census_check="date_of_birth")
    add_census(round_, "P-1", "1984-01-31")
    voter = voting.voter_for_census(round_, "p-1", "31.1.1984")
    assert voting.voter_for_census(round_, "P-1", "31/01/1984") == voter
    with pytest.raises(ServiceError, match="do not match anyone"):
        voting.voter_for_census(round_, "P-1", "30/01/1984")


def test_a_census_entry_of_another_round_is_not_a_voter(round_in: MakeRound) -> None:
    round_ = round_in("voting", eligibility="census", census_check="postcode")
    other = round_in("voting", eligibility="census", census_check="postcode")
    add_census(other, "AB-1234", "NE1 4ST")
    with pytest.raises(ServiceError, match="do not match anyone"):
        voting.voter_for_census(round_, "AB-1234", "NE1 4ST")


# Exactly once ------------------------------------------------------------------------------

def test_a_retried_key_gets_the_same_receipt_and_stores_nothing_new(
        approval: tuple[Round, list[str]], voter: voting.Voter) -> None:
    round_, (a, b, c) = approval
    first = voting.do_cast(round_, voter, [a], key(1))
    before = db.session.scalar(sa.select(Ballot.updated_at))
    for raw in ([a], [b, c], "garbage"):  # what a retry carries does not matter
        again = voting.do_cast(round_, voter, raw, key(1))
        assert again.receipt == first.receipt and again.repeated and not again.replaced
        assert again.items == [a]
    assert count(BallotSubmission) == 1 and count(Ballot) == 1
    assert stored(round_) == [(voter.key, [a])]
    assert db.session.scalar(sa.select(Ballot.updated_at)) == before


def test_a_new_key_replaces_the_ballot(approval: tuple[Round, list[str]],
                                       voter: voting.Voter) -> None:
    round_, (a, b, c) = approval
    first = voting.do_cast(round_, voter, [a], key(1))
    second = voting.do_cast(round_, voter, [c, b], key(2))
    assert second.replaced and not second.repeated and second.items == [b, c]
    assert second.receipt != first.receipt
    assert stored(round_) == [(voter.key, [b, c])]
    assert count(BallotSubmission) == 2
    assert voting.current_receipt(voter) == second.receipt
    assert voting.receipt_status(round_, first.receipt) == "replaced"
    assert voting.receipt_status(round_, second.receipt) == "stored"


def test_a_late_retry_of_an_old_key_does_not_undo_a_newer_ballot(
        approval: tuple[Round, list[str]], voter: voting.Voter) -> None:
    round_, (a, b, c) = approval
    first = voting.do_cast(round_, voter, [a], key(1))
    voting.do_cast(round_, voter, [b, c], key(2))
    late = voting.do_cast(round_, voter, [a], key(1))
    assert late.repeated and late.receipt == first.receipt
    assert late.items == [b, c]  # the ballot that counts now
    assert stored(round_) == [(voter.key, [b, c])]
    assert count(BallotSubmission) == 2
    assert voting.receipt_status(round_, first.receipt) == "replaced"


def test_keys_belong_to_one_voter(approval: tuple[Round, list[str]],
                                  resident: Callable[[], User]) -> None:
    """Two voters who happen to send the same key each get their own ballot and receipt."""
    round_, (a, b, _) = approval
    one, two = (voting.voter_for_user(round_, resident()) for _ in range(2))
    first = voting.do_cast(round_, one, [a], key(1))
    second = voting.do_cast(round_, two, [b], key(1))
    assert not second.repeated and first.receipt != second.receipt
    assert sorted(stored(round_)) == sorted([(one.key, [a]), (two.key, [b])])


def test_an_invalid_ballot_stores_nothing(approval: tuple[Round, list[str]],
                                          voter: voting.Voter) -> None:
    round_, _ = approval
    for raw in ([], ["999999"], "1", [True], {"x": 1}, None, [1.5]):
        with pytest.raises(BallotError):
            voting.do_cast(round_, voter, raw, key(1))
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


def test_an_invalid_ballot_leaves_the_earlier_one_and_its_key_unused(
        approval: tuple[Round, list[str]], voter: voting.Voter) -> None:
    round_, (a, b, c) = approval
    first = voting.do_cast(round_, voter, [a], key(1))
    with pytest.raises(BallotError, match="choose at most 2"):
        voting.do_cast(round_, voter, [a, b, c], key(2))
    assert stored(round_) == [(voter.key, [a])]
    assert count(BallotSubmission) == 1
    assert voting.current_receipt(voter) == first.receipt
    # The refused key was not spent: the corrected ballot can go with it.
    fixed = voting.do_cast(round_, voter, [b, c], key(2))
    assert not fixed.repeated and fixed.replaced


def test_malformed_keys_are_refused(approval: tuple[Round, list[str]],
                                    voter: voting.Voter) -> None:
    round_, (a, _, _) = approval
    for bad in (None, "", "short", "x" * 65, "has spaces in it", "semi;colon;key", 12345678,
                ["submission-0001"], "ключ-ключ-ключ", "\nsubmission-0001"):
        with pytest.raises(ServiceError, match="reload the page and vote again"):
            voting.do_cast(round_, voter, [a], bad)
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


def test_a_key_with_a_trailing_newline_is_refused(approval: tuple[Round, list[str]],
                                                  voter: voting.Voter) -> None:
    """`$` in the key pattern also matches before a final newline, so such keys get in.

    They are then stored (a 64-character key plus the newline overflows the String(64)
    column, which PostgreSQL refuses with an error rather than a sentence).
    """
    round_, (a, _, _) = approval
    for bad in ("submission-0001\n", "x" * 64 + "\n"):
        with pytest.raises(ServiceError, match="reload the page and vote again"):
            voting.do_cast(round_, voter, [a], bad)
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


def test_keys_of_the_allowed_shape_are_accepted(approval: tuple[Round, list[str]],
                                                voter: voting.Voter) -> None:
    round_, (a, _, _) = approval
    for n, good in enumerate(["abcdefgh", "A" * 64, "0123-4567_89ab-CDEF"]):
        cast = voting.do_cast(round_, voter, [a], good)
        assert not cast.repeated and cast.replaced == (n > 0)
    assert count(BallotSubmission) == 3


def test_a_voter_of_another_round_is_refused(round_in: MakeRound,
                                             approval: tuple[Round, list[str]],
                                             resident: Callable[[], User]) -> None:
    round_, (a, _, _) = approval
    other = round_in("voting")
    stranger = voting.voter_for_user(other, resident())
    with pytest.raises(ServiceError, match="belongs to another round"):
        voting.do_cast(round_, stranger, [a], key(1))
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


# Phases ------------------------------------------------------------------------------------

def test_ballots_before_voting_opens_are_refused(round_in: MakeRound,
                                                 resident: Callable[[], User]) -> None:
    for phase in ("draft", "proposals", "review", "deliberation"):
        round_ = round_in(phase)
        (pid,) = add_proposals(round_, 100)
        voter = voting.voter_for_user(round_, resident())
        with pytest.raises(ServiceError) as caught:
            voting.do_cast(round_, voter, [pid], key(1))
        assert str(caught.value) == ("Voting in this round has not opened yet; check the "
                                     "timeline for when it starts.")
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


def test_after_the_close_ballots_are_refused_and_earlier_ones_stay(
        approval: tuple[Round, list[str]], voter: voting.Voter, officer: User,
        resident: Callable[[], User]) -> None:
    round_, (a, b, _) = approval
    cast = voting.do_cast(round_, voter, [a], key(1))
    rounds.do_change_phase(officer, round_, "results")
    late = voting.voter_for_user(round_, resident())
    for who, raw, k in [(late, [b], key(1)), (voter, [b], key(2))]:
        with pytest.raises(ServiceError) as caught:
            voting.do_cast(round_, who, raw, k)
        assert str(caught.value) == ("Voting in this round has closed, so no more ballots can "
                                     "be cast. Ballots cast before the close are all counted.")
    assert stored(round_) == [(voter.key, [a])]
    assert count(BallotSubmission) == 1
    # A retry of a ballot cast before the close still gets its receipt.
    again = voting.do_cast(round_, voter, [a], key(1))
    assert again.repeated and again.receipt == cast.receipt
    assert voting.receipt_status(round_, cast.receipt) == "stored"


def test_every_phase_after_voting_is_closed(round_in: MakeRound,
                                            resident: Callable[[], User]) -> None:
    for phase in ("results", "implementation", "closed"):
        round_ = round_in(phase)
        (pid,) = add_proposals(round_, 100)
        voter = voting.voter_for_user(round_, resident())
        with pytest.raises(ServiceError, match=CLOSED):
            voting.do_cast(round_, voter, [pid], key(1))
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


def test_a_close_that_races_a_ballot_wins(app: Flask, approval: tuple[Round, list[str]],
                                          voter: voting.Voter) -> None:
    """The round closes between the page's check and the commit: nothing is stored."""
    round_, (a, _, _) = approval
    round_id = round_.id
    db.session.refresh(round_)
    db.session.expunge(round_)  # a stale copy that still says "voting"
    db.session.execute(sa.update(Round).where(Round.id == round_id).values(phase="results"))
    db.session.commit()
    assert round_.phase == "voting"
    with pytest.raises(ServiceError, match=CLOSED):
        voting.do_cast(round_, voter, [a], key(1))
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


def test_a_code_ballot_refused_at_the_close_leaves_the_code_unused(
        coded: tuple[Round, list[str]]) -> None:
    round_, (a, b, _) = coded
    code = add_code(round_)
    voter = voting.voter_for_code(round_, code)
    db.session.refresh(round_)
    db.session.expunge(round_)
    db.session.execute(sa.update(Round).where(Round.id == round_.id).values(phase="results"))
    db.session.commit()
    with pytest.raises(ServiceError, match=CLOSED):
        voting.do_cast(round_, voter, [a, b], key(1))
    assert db.session.scalar(sa.select(AccessCode.used_at)) is None
    assert count(Ballot) == 0 and count(BallotSubmission) == 0


# Receipts ----------------------------------------------------------------------------------

def test_receipt_status_through_the_round(approval: tuple[Round, list[str]], officer: User,
                                          resident: Callable[[], User]) -> None:
    round_, (a, b, _) = approval
    voter = voting.voter_for_user(round_, resident())
    old = voting.do_cast(round_, voter, [a], key(1))
    new = voting.do_cast(round_, voter, [b], key(2))
    assert voting.receipt_status(round_, new.receipt) == "stored"
    assert voting.receipt_status(round_, show_code(new.receipt).lower()) == "stored"
    assert voting.receipt_status(round_, old.receipt) == "replaced"
    for made_up in ("ABCD-EFGH-JKMN", "", "not a receipt"):
        assert voting.receipt_status(round_, made_up) == "unknown"
    rounds.do_change_phase(officer, round_, "results")
    assert voting.receipt_status(round_, new.receipt) == "stored"
    outcomes.do_certify(officer, round_)
    assert voting.receipt_status(round_, new.receipt) == "counted"
    assert voting.receipt_status(round_, old.receipt) == "replaced"


def test_a_receipt_is_unknown_in_another_round(round_in: MakeRound,
                                               approval: tuple[Round, list[str]],
                                               voter: voting.Voter) -> None:
    round_, (a, _, _) = approval
    cast = voting.do_cast(round_, voter, [a], key(1))
    assert voting.receipt_status(round_in("voting"), cast.receipt) == "unknown"


def test_receipt_fingerprints_list_every_counted_ballot_sorted(
        approval: tuple[Round, list[str]], resident: Callable[[], User]) -> None:
    round_, (a, b, c) = approval
    current, replaced = [], []
    for n in range(6):
        voter = voting.voter_for_user(round_, resident())
        first = voting.do_cast(round_, voter, [[a], [b], [c]][n % 3], key(1))
        if n % 2:
            replaced.append(first.receipt)
            current.append(voting.do_cast(round_, voter, [a, b], key(2)).receipt)
        else:
            current.append(first.receipt)
    db.session.add(Ballot(round_id=round_.id, voter_key="paper:1", source="paper", items=[c]))
    db.session.commit()
    fingerprints = voting.receipt_fingerprints(round_)
    assert fingerprints == sorted(fingerprints)
    assert fingerprints == sorted(receipt_fingerprint(r) for r in current)
    assert not set(fingerprints) & {receipt_fingerprint(r) for r in replaced}
    assert len(fingerprints) == count(Ballot, round_) - 1  # all but the paper ballot
    assert voting.counts(round_) == {"online": 6, "paper": 1}
