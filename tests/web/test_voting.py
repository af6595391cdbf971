"""The voting pages through the test client: identify, ballot, review, cast, receipt."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import sqlalchemy as sa

from pb.domain.eligibility import keyed_hash, receipt_fingerprint
from pb.extensions import db
from pb.models import AccessCode, Ballot, BallotSubmission, CensusEntry, Proposal, RecordEntry
from pb.services import outcomes, rounds
from tests.conftest import text


def key_of(response: Any) -> str:
    match = re.search(r'name="key" type="hidden" value="([^"]+)"', text(response))
    assert match, "the ballot page carries an idempotency key"
    return match.group(1)


def ids(round_: Any) -> list[str]:
    return [str(p.id) for p in db.session.scalars(
        sa.select(Proposal).where(Proposal.round_id == round_.id).order_by(Proposal.id))]


def test_knapsack_vote_review_confirm_and_receipt(client: Any, voting_round: Any,
                                                  make_user: Any, login: Any) -> None:
    round_ = voting_round("knapsack")
    login(make_user())
    page = client.get(f"/rounds/{round_.id}/vote")
    assert page.status_code == 200
    assert "budget-meter" in text(page)
    key = key_of(page)
    a, b, c = ids(round_)
    review = client.post(f"/rounds/{round_.id}/vote",
                         data={"key": key, "action": "review", "pick": [a, c]})
    assert review.status_code == 200 and "Confirm and cast my vote" in text(review)
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0  # nothing cast yet
    cast = client.post(f"/rounds/{round_.id}/vote",
                       data={"key": key, "action": "confirm", "pick": [a, c]})
    assert cast.status_code == 303
    done = client.get(cast.headers["Location"])
    receipt = re.search(r'id="receipt-code">([A-Z0-9-]+)<', text(done)).group(1)
    ballot = db.session.scalar(sa.select(Ballot))
    assert ballot.items == [a, c] and ballot.receipt_fp == receipt_fingerprint(receipt)
    # A double-click sends the same key again: same ballot, same receipt, nothing new.
    again = client.post(f"/rounds/{round_.id}/vote",
                        data={"key": key, "action": "confirm", "pick": [a, c]})
    assert again.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(BallotSubmission.id))) == 1
    assert receipt in text(client.get(f"/rounds/{round_.id}/vote/done"))
    checked = client.post(f"/rounds/{round_.id}/receipt", data={"receipt": receipt.lower()})
    assert 'data-status="stored"' in text(checked)


def test_over_budget_is_refused_and_keeps_the_choices(client: Any, voting_round: Any,
                                                      make_user: Any, login: Any) -> None:
    round_ = voting_round("knapsack")
    login(make_user())
    key = key_of(client.get(f"/rounds/{round_.id}/vote"))
    a, b, c = ids(round_)
    response = client.post(f"/rounds/{round_.id}/vote",
                           data={"key": key, "action": "confirm", "pick": [a, b, c]})
    assert response.status_code == 400
    assert "more than the budget of £1,000" in text(response)
    assert text(response).count("checked") == 3  # what was chosen is still chosen
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


def test_access_code_voter_votes_once_and_can_change_on_the_same_device(
        app: Any, client: Any, voting_round: Any) -> None:
    round_ = voting_round("approval", eligibility="codes", ballot_limit=2)
    code = "ABCDEFGHJKMN"
    db.session.add(AccessCode(round_id=round_.id, code_hash=keyed_hash(
        app.config["PB_VOTING_KEY"].encode(), "code", code)))
    db.session.commit()
    assert client.get(f"/rounds/{round_.id}/vote/code?c={code}").status_code == 200
    wrong = client.post(f"/rounds/{round_.id}/vote/code", data={"code": "ABCD-EFGH-JKMP"})
    assert wrong.status_code == 400 and "not one of this round" in text(wrong)
    entered = client.post(f"/rounds/{round_.id}/vote/code", data={"code": "abcd-efgh-jkmn"})
    assert entered.status_code == 303
    a, b, c = ids(round_)
    key = key_of(client.get(f"/rounds/{round_.id}/vote"))
    too_many = client.post(f"/rounds/{round_.id}/vote",
                           data={"key": key, "action": "confirm", "pick": [a, b, c]})
    assert too_many.status_code == 400 and "choose at most 2" in text(too_many)
    assert client.post(f"/rounds/{round_.id}/vote", data={
        "key": key, "action": "confirm", "pick": [a]}).status_code == 303
    key2 = key_of(client.get(f"/rounds/{round_.id}/vote"))
    assert client.post(f"/rounds/{round_.id}/vote", data={
        "key": key2, "action": "confirm", "pick": [b, c]}).status_code == 303
    assert db.session.scalar(sa.select(Ballot.items)) == [b, c]
    # Someone else with the same card is refused: each code votes once.
    other = app.test_client()
    reused = other.post(f"/rounds/{round_.id}/vote/code", data={"code": code})
    assert reused.status_code == 400 and "already been used" in text(reused)


def test_census_voter_proves_eligibility(app: Any, client: Any, voting_round: Any) -> None:
    round_ = voting_round("scoring", eligibility="census", census_check="birth_year")
    key = app.config["PB_VOTING_KEY"].encode()
    db.session.add(CensusEntry(round_id=round_.id, id_hash=keyed_hash(key, "census-id", "r-1001"),
                               check_hash=keyed_hash(key, "census-check", "1984")))
    db.session.commit()
    page = client.get(f"/rounds/{round_.id}/vote")
    assert "Year of birth" in text(page)
    wrong = client.post(f"/rounds/{round_.id}/vote/census",
                        data={"identifier": "R-1001", "check": "1985"})
    assert wrong.status_code == 400 and "do not match" in text(wrong)
    right = client.post(f"/rounds/{round_.id}/vote/census",
                        data={"identifier": " r-1001 ", "check": "1984"})
    assert right.status_code == 303
    a, b, c = ids(round_)
    key_ = key_of(client.get(f"/rounds/{round_.id}/vote"))
    bad = client.post(f"/rounds/{round_.id}/vote", data={
        "key": key_, "action": "confirm", f"points-{a}": "11"})
    assert bad.status_code == 400 and "Scores go from 1 to 10" in text(bad)
    ok = client.post(f"/rounds/{round_.id}/vote", data={
        "key": key_, "action": "confirm", f"points-{a}": "7", f"points-{b}": ""})
    assert ok.status_code == 303
    assert db.session.scalar(sa.select(Ballot.items)) == {a: 7}


def test_forged_project_and_closed_voting_are_refused(client: Any, voting_round: Any,
                                                      make_user: Any, login: Any) -> None:
    round_ = voting_round("approval")
    login(make_user())
    key = key_of(client.get(f"/rounds/{round_.id}/vote"))
    forged = client.post(f"/rounds/{round_.id}/vote",
                         data={"key": key, "action": "confirm", "pick": ["99999"]})
    assert forged.status_code == 400 and "not a project on this ballot" in text(forged)
    rounds.do_change_phase(round_.officer, round_, "results")
    late = client.post(f"/rounds/{round_.id}/vote",
                       data={"key": key, "action": "confirm", "pick": [ids(round_)[0]]})
    assert late.status_code == 400 and "has closed" in text(late)
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


def test_json_api_with_a_code(app: Any, client: Any, voting_round: Any) -> None:
    round_ = voting_round("ranked", eligibility="codes")
    code = "PQRSTWXYZ234"
    db.session.add(AccessCode(round_id=round_.id, code_hash=keyed_hash(
        app.config["PB_VOTING_KEY"].encode(), "code", code)))
    db.session.commit()
    a, b, c = ids(round_)
    body = {"code": code, "key": "k" * 20, "items": [c, a]}
    first = client.post(f"/rounds/{round_.id}/ballot", json=body)
    assert first.status_code == 200 and first.json["ok"] is True
    again = client.post(f"/rounds/{round_.id}/ballot", json=body)
    assert again.json["receipt"] == first.json["receipt"] and again.json["repeated"]
    changed = client.post(f"/rounds/{round_.id}/ballot", json={**body, "key": "z" * 20})
    assert changed.status_code == 422 and "already been used" in changed.json["error"]
    junk = client.post(f"/rounds/{round_.id}/ballot", data="not json",
                       content_type="application/json")
    assert junk.status_code == 400 and junk.json["ok"] is False
    assert db.session.scalar(sa.select(Ballot.items)) == [c, a]


def test_receipts_are_published_with_certified_results(client: Any, voting_round: Any,
                                                       make_user: Any, login: Any) -> None:
    round_ = voting_round("approval")
    voter = login(make_user())
    key = key_of(client.get(f"/rounds/{round_.id}/vote"))
    client.post(f"/rounds/{round_.id}/vote",
                data={"key": key, "action": "confirm", "pick": ids(round_)[:1]})
    receipt = re.search(r'id="receipt-code">([A-Z0-9-]+)<',
                        text(client.get(f"/rounds/{round_.id}/vote/done"))).group(1)
    assert client.get(f"/rounds/{round_.id}/receipts.txt").status_code == 404
    rounds.do_change_phase(round_.officer, round_, "results")
    outcomes.do_certify(round_.officer, round_)
    listing = client.get(f"/rounds/{round_.id}/receipts.txt")
    assert listing.status_code == 200
    assert receipt_fingerprint(receipt) in listing.get_data(as_text=True).split()
    checked = client.post(f"/rounds/{round_.id}/receipt", data={"receipt": receipt})
    assert 'data-status="counted"' in text(checked)
    # The certification in the decision record fixes the list: its hash is in the entry.
    entry = db.session.scalar(sa.select(RecordEntry).where(
        RecordEntry.kind == "results.certified"))
    fixed = json.loads(entry.body)["receipts_sha256"]
    assert fixed == hashlib.sha256(listing.get_data()).hexdigest()
    assert voter.id
