"""Bad input a fuzzer sent gets a clear message or a 404, never a 500.

Huge ids in addresses and query strings, digits that are not ASCII ("²" passes str.isdigit()
but not int()), agenda times that overflow the decimal context, JSON nested past the parser's
recursion limit.
"""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
import sqlalchemy as sa

from pb.domain.values import MAX_ID
from pb.extensions import db
from pb.models import Ballot, Comment, LiveSession, PaperEntry, Proposal, Response
from pb.services import live, proposals
from tests.conftest import text
from tests.factories import (
    PROPOSAL_FORM,
    agenda_form,
    enter_url,
    key,
    make_proposal,
    make_setup,
    new_batch,
    publish,
)

SQLITE_PAST = str(2**63)  # past SQLite's integer: OverflowError before any query ran
POSTGRES_PAST = str(MAX_ID + 1)  # past PostgreSQL's integer: DataError there
HUGE = "99999999999999999999999"
SUPERSCRIPT_TWO = "\u00b2"


# Huge ids in addresses ----------------------------------------------------------------------

@pytest.mark.parametrize("number", [SQLITE_PAST, POSTGRES_PAST, HUGE])
@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/rounds/{n}"),
    ("GET", "/rounds/{n}/edit"),
    ("GET", "/rounds/{n}/proposals"),
    ("GET", "/rounds/{n}/results.json"),
    ("GET", "/rounds/{n}/vote"),
    ("POST", "/rounds/{n}/ballot"),
    ("GET", "/rounds/1/paper/{n}"),
    ("GET", "/proposals/{n}"),
    ("POST", "/proposals/{n}/withdraw"),
    ("GET", "/councils/{n}"),
    ("GET", "/councils/referrals/{n}"),
    ("GET", "/councils/recommendations/{n}"),
    ("POST", "/councils/members/{n}/end"),
    ("GET", "/records/{n}"),
    ("GET", "/discussion/proposals/{n}"),
    ("GET", "/discussion/comments/{n}/reply"),
    ("GET", "/live/{n}/console"),
    ("POST", "/live/{n}/control"),
    ("POST", "/admin/users/{n}/roles"),
])
def test_ids_too_large_for_the_database_are_not_found(client: Any, make_user: Any,
                                                      login: Any, make_round: Any,
                                                      method: str, url: str,
                                                      number: str) -> None:
    make_round("voting")
    login(make_user("admin"))
    response = client.open(url.format(n=number), method=method, data={})
    assert response.status_code == 404, text(response)[:300]


def test_the_largest_id_is_still_looked_up(client: Any, make_round: Any) -> None:
    round_ = make_round("voting")
    assert client.get(f"/rounds/{round_.id}").status_code == 200
    assert client.get(f"/rounds/{MAX_ID}").status_code == 404  # looked up, not there


def test_record_pages_ignore_a_before_past_any_entry(client: Any, make_user: Any) -> None:
    s = make_setup(make_user)
    publish(s)
    newest = entry_links(client.get("/records/"))
    assert newest
    for before in (HUGE, SQLITE_PAST, POSTGRES_PAST, SUPERSCRIPT_TWO):
        response = client.get(f"/records/?before={before}")
        assert response.status_code == 200 and entry_links(response) == newest, before
    assert client.get(f"/records/?before=-{HUGE}").status_code == 200


def entry_links(response: Any) -> set[str]:
    return set(re.findall(r'href="/records/(\d+)"', text(response)))


def test_a_feed_of_a_council_past_any_id_is_not_found(client: Any, make_user: Any) -> None:
    s = make_setup(make_user)
    assert client.get(f"/records/feed.atom?council={s.council.id}").status_code == 200
    for council in (HUGE, SQLITE_PAST, POSTGRES_PAST, SUPERSCRIPT_TWO, "abc"):
        assert client.get(f"/records/feed.atom?council={council}").status_code == 404, council
    assert client.get("/records/feed.atom?council=").status_code == 200  # the whole feed


def test_answering_a_question_past_any_id_is_explained(client: Any, login: Any,
                                                       evening: Any) -> None:
    login(evening.officer)
    live.do_control(evening.officer, evening, "start")
    for question in (HUGE, SQLITE_PAST, POSTGRES_PAST, "0"):
        response = client.post(f"/live/{evening.id}/control",
                               data={"action": "answer", "question": question})
        assert response.status_code == 400, question
        assert "That question is not open any more." in text(response)


# Digits that are not ASCII ------------------------------------------------------------------

@pytest.mark.parametrize("page", [SUPERSCRIPT_TWO, "\u0661", HUGE, "-1", "abc", ""])
def test_a_page_number_that_is_not_one_shows_the_first_page(client: Any, make_round: Any,
                                                            page: str) -> None:
    round_ = make_round("proposals")
    response = client.get(f"/rounds/{round_.id}/proposals?page={page}")
    assert response.status_code == 200


@pytest.fixture()
def submitted(make_round: Any, make_user: Any) -> Proposal:
    author = make_user(name="Rhys Resident")
    round_ = make_round("proposals")
    data = proposals.ProposalData(title="Street trees", summary="Forty trees.", body="Trees.",
                                  cost_minor=2_400_000)
    proposal = proposals.do_create(author, round_, data, submit=True)[0]
    proposal.author_user = author
    return proposal


@pytest.mark.parametrize("version", [SUPERSCRIPT_TWO, HUGE])
def test_a_version_that_is_not_one_is_refused_as_stale(client: Any, login: Any,
                                                       submitted: Proposal,
                                                       version: str) -> None:
    login(submitted.author_user)
    withdraw = client.post(f"/proposals/{submitted.id}/withdraw",
                           data={"reason": "Changed my mind.", "version": version})
    assert withdraw.status_code == 400 and "Someone changed this proposal" in text(withdraw)
    edit = client.post(f"/proposals/{submitted.id}/edit", data={
        "form_key": "k1", "version": version, "title": "Repair café", "summary": "Monthly.",
        "body": "", "cost": "7000", "category": "", "area": "",
        "action": "save"})
    assert edit.status_code == 400 and "Someone changed this proposal" in text(edit)
    db.session.refresh(submitted)
    assert (submitted.status, submitted.title, submitted.version) == \
        ("submitted", "Street trees", 1)


@pytest.mark.parametrize("target", [SUPERSCRIPT_TWO, HUGE, POSTGRES_PAST])
def test_merging_into_something_that_is_not_a_proposal_is_explained(
        client: Any, login: Any, make_user: Any, submitted: Proposal, target: str) -> None:
    login(make_user("officer"))
    response = client.post(f"/proposals/{submitted.id}/review", data={
        "version": SUPERSCRIPT_TWO, "outcome": "merged", "note": "n", "cost": "",
        "merged_into": target})
    assert response.status_code == 400
    db.session.refresh(submitted)
    assert submitted.status == "submitted"


def test_a_council_response_version_that_is_not_a_number_is_as_if_not_sent(
        client: Any, login: Any, make_user: Any) -> None:
    s = make_setup(make_user)
    rec = publish(s)[0]
    login(s.officer)
    response = client.post(f"/councils/recommendations/{rec.id}/respond", data={
        "version": SUPERSCRIPT_TWO, "amend": "", "outcome": "accepted", "reasons": "",
        "deferred_until": ""})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


@pytest.mark.parametrize("parent", [SUPERSCRIPT_TWO, HUGE, POSTGRES_PAST, "99999999999"])
def test_replying_to_a_comment_that_cannot_exist_is_refused(client: Any, login: Any,
                                                            make_round: Any, make_user: Any,
                                                            parent: str) -> None:
    proposal = make_proposal(make_round)
    login(make_user())
    response = client.post(f"/discussion/proposals/{proposal.id}/comments", data={
        "form_key": key(), "parent_id": parent, "stance": "for", "body": "Hello there"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


@pytest.mark.parametrize("url", ["/live/new", "/live/{id}/edit"])
def test_an_agenda_order_in_other_digits_is_explained(client: Any, login: Any,
                                                      evening: Any, url: str) -> None:
    login(evening.officer)
    one, two, _ = evening.pids
    round_ = evening.round
    response = client.post(url.format(id=evening.id), data=agenda_form(
        round_, {one: (SUPERSCRIPT_TWO, "3", "2"), two: ("1", "3", "2")}))
    assert response.status_code == 400
    assert "Give the order as a whole number" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(LiveSession.id))) == 1


def test_paper_points_in_other_digits_are_explained(client: Any, login: Any, make_user: Any,
                                                    ballot_round: Any) -> None:
    round_, (p1, p2) = ballot_round()
    login(make_user("officer"))
    new_batch(client, round_)
    response = client.post(enter_url(round_, 1, 1),
                           data={f"points-{p1}": SUPERSCRIPT_TWO, f"points-{p2}": "1"})
    assert response.status_code == 400
    assert "Give each project a whole number." in text(response)
    assert db.session.scalar(sa.select(sa.func.count(PaperEntry.id))) == 0


def test_a_batch_number_past_what_is_stored_is_explained(client: Any, login: Any,
                                                         make_user: Any,
                                                         ballot_round: Any) -> None:
    round_, _ = ballot_round()
    login(make_user("officer"))
    response = client.post(f"/rounds/{round_.id}/paper",
                           data={"number": HUGE, "label": "", "size": "2"})
    assert response.status_code == 400
    assert f"Use a number from 1 to {MAX_ID}." in text(response)


@pytest.fixture()
def birthday_round(make_round: Any, make_user: Any, login: Any) -> Any:
    officer = login(make_user("officer"))
    return make_round("voting", officer=officer, eligibility="census",
                      census_check="date_of_birth")


@pytest.mark.parametrize("born", ["\u00b2\u00b2/01/1984", "99999999999999999999/01/1984"])
def test_census_dates_in_other_digits_are_explained(client: Any, birthday_round: Any,
                                                    born: str) -> None:
    body = f"identifier,date of birth\nA1001,{born}\n".encode()
    response = client.post(f"/rounds/{birthday_round.id}/census",
                           data={"file": (io.BytesIO(body), "census.csv"), "header": "y"})
    assert response.status_code == 400 and "Line 2:" in text(response)


@pytest.mark.parametrize("born", ["\u00b2\u00b2/01/1984", "99999999999999999999/01/1984"])
def test_voters_giving_dates_in_other_digits_are_told_how(client: Any, birthday_round: Any,
                                                          born: str) -> None:
    client.post("/account/logout")
    response = client.post(f"/rounds/{birthday_round.id}/vote/census",
                           data={"identifier": "A1001", "check": born})
    assert response.status_code == 400
    assert "like 31/01/1984" in text(response)


# Agenda times past the decimal context ------------------------------------------------------

@pytest.mark.parametrize("minutes", ["1e999999", "1E+9999999", "9e999990", "-1e999999",
                                     "99999999"])
@pytest.mark.parametrize("url", ["/live/new", "/live/{id}/edit"])
def test_agenda_times_far_past_an_hour_are_explained(client: Any, login: Any, evening: Any,
                                                     url: str, minutes: str) -> None:
    login(evening.officer)
    one, two, _ = evening.pids
    started = time.monotonic()
    response = client.post(url.format(id=evening.id), data=agenda_form(
        evening.round, {one: ("1", minutes, "2"), two: ("2", "3", "2")}))
    assert time.monotonic() - started < 5  # "9e999990" as an int would take minutes
    assert response.status_code == 400
    assert "Give times from 10 seconds to an hour." in text(response)


# JSON nested past the parser's limit --------------------------------------------------------

def test_deeply_nested_json_ballots_are_malformed_json(client: Any,
                                                       voting_round: Any) -> None:
    round_ = voting_round("approval")
    body = '{"items":' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post(f"/rounds/{round_.id}/ballot", data=body,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"ok": False, "error": "Send the ballot as a JSON object."}
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


def test_nul_in_a_search_is_dropped_not_sent_to_the_database(client: Any,
                                                             make_round: Any) -> None:
    """PostgreSQL refuses NUL in text; `./dev test` runs this there too."""
    round_ = make_round("proposals")
    for query in ("q=park%00s", "category=a%00b", "area=Mill%00Lane"):
        response = client.get(f"/rounds/{round_.id}/proposals?{query}")
        assert response.status_code == 200, query


def test_a_forged_form_key_longer_than_stored_is_refused(client: Any, login: Any,
                                                         make_user: Any,
                                                         make_round: Any) -> None:
    round_ = make_round("proposals")
    login(make_user())
    response = client.post(f"/rounds/{round_.id}/proposals/new",
                           data={**PROPOSAL_FORM, "form_key": "k" * 65})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0
