"""No dead ends (issue #16): logging in or registering says why you are there and brings you
back, through a safe same-site `next`; a round page says when voting closes and whether you
have voted, with your receipt (docs/accounts.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from pb.models.base import utcnow
from pb.services import voting
from tests.conftest import PASSWORD, text
from tests.factories import key


def test_vote_now_leads_to_a_login_that_says_why_and_returns_to_the_ballot(
        client: Any, voting_round: Any, make_user: Any) -> None:
    round_ = voting_round(title="Northfield Parks 2027")
    make_user(email="ana@example.org")
    sent = client.get(f"/rounds/{round_.id}/vote")
    assert sent.status_code == 302
    login_url = sent.headers["Location"]
    page = text(client.get(login_url))
    assert "Log in to vote in Northfield Parks 2027." in page
    # Create an account keeps where you were going.
    assert f'href="/account/register?next=/rounds/{round_.id}/vote"' in page
    back = client.post(login_url, data={"email": "ana@example.org", "password": PASSWORD})
    assert back.headers["Location"] == f"/rounds/{round_.id}/vote"


def test_registering_from_vote_now_lands_on_the_ballot(
        client: Any, voting_round: Any) -> None:
    round_ = voting_round(title="Northfield Parks 2027")
    target = quote(f"/rounds/{round_.id}/vote", safe="")
    page = text(client.get(f"/account/register?next={target}"))
    assert "Log in to vote in Northfield Parks 2027." in page
    assert f'href="/account/login?next=/rounds/{round_.id}/vote"' in page
    done = client.post(f"/account/register?next={target}", data={
        "display_name": "Bea", "email": "bea@example.org", "password": PASSWORD,
        "confirm": PASSWORD})
    assert done.headers["Location"] == f"/rounds/{round_.id}/vote"
    assert client.get(done.headers["Location"]).status_code == 200


def test_any_page_that_needs_a_login_comes_back_after_it(client: Any, make_user: Any) -> None:
    make_user(email="cy@example.org")
    sent = client.get("/account/")
    assert sent.headers["Location"] == "/account/login?next=%2Faccount%2F"
    page = text(client.get(sent.headers["Location"]))
    assert "Log in to carry on. You will come back to the page you were on." in page
    assert "Please log in to access this page" not in page  # the untranslated generic flash
    back = client.post(sent.headers["Location"], data={"email": "cy@example.org",
                                                       "password": PASSWORD})
    assert back.headers["Location"] == "/account/"


@pytest.mark.parametrize("target", [
    "javascript:alert(1)", "//evil.example/", "/\\evil.example", "https://evil.example/",
    "/\t/evil.example", "/\n/evil.example", "JaVaScRiPt:alert(1)", "http:/evil.example",
])
def test_next_never_leaves_the_site(client: Any, make_user: Any, target: str) -> None:
    make_user(email="dee@example.org")
    page = text(client.get(f"/account/login?next={quote(target, safe='')}"))
    # Not carried on to "Create an account", and no reason made up from it.
    assert 'href="/account/register"' in page and 'id="login-why"' not in page
    response = client.post(f"/account/login?next={quote(target, safe='')}",
                           data={"email": "dee@example.org", "password": PASSWORD})
    assert response.headers["Location"] in ("/", "http://pb.test/")
    registered = client.post(f"/account/register?next={quote(target, safe='')}", data={
        "display_name": "Eve", "email": f"eve{len(target)}@example.org",
        "password": PASSWORD, "confirm": PASSWORD})
    assert registered.headers["Location"] in ("/", "http://pb.test/")


def test_the_login_page_says_why_for_proposing_and_discussing(
        client: Any, make_round: Any) -> None:
    round_ = make_round("proposals")
    page = text(client.get(f"/account/login?next=/rounds/{round_.id}/proposals/new"))
    assert "Log in to propose a project." in page
    assert 'id="login-why"' not in text(client.get("/account/login"))


def test_a_draft_rounds_title_is_not_told_to_visitors(client: Any, make_round: Any) -> None:
    round_ = make_round("draft", title="Secret plans")
    page = text(client.get(f"/account/login?next=/rounds/{round_.id}/vote"))
    assert "Secret plans" not in page


def test_round_page_says_when_voting_closes_and_that_i_voted(
        client: Any, voting_round: Any, make_user: Any, login: Any) -> None:
    closes = (utcnow() + timedelta(days=3)).replace(hour=18, minute=0, second=0,
                                                    microsecond=0)
    round_ = voting_round(starts={"results": closes})
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "Voting closes" in page and "18:00" in page
    user = login(make_user())
    assert "You have voted" not in text(client.get(f"/rounds/{round_.id}"))
    cast = voting.do_cast(round_, voting.Voter(round_.id, f"user:{user.id}"),
                          [round_.ids[0]], key())
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "You have voted in this round." in page
    assert voting.current_receipt(voting.Voter(round_.id, f"user:{user.id}")) is not None
    assert cast.receipt[:4] in page and "Change my vote" in page


def test_round_page_without_a_closing_date_says_so(client: Any, voting_round: Any) -> None:
    round_ = voting_round()
    assert "no date has been set" in text(client.get(f"/rounds/{round_.id}"))
