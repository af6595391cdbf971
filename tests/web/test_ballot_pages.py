"""The ballot pages polished (issue #16): totals without JavaScript, the approval limit said at
once, errors that go when fixed, styled buttons, status tags, counting rules in plain words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from pb.extensions import db
from pb.i18n import labels
from pb.models import Ballot
from pb.services.council.responses import ResponseData, do_respond
from tests.conftest import text
from tests.factories import REASONS, make_setup, publish

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def key_of(page: str) -> str:
    match = re.search(r'name="key" type="hidden" value="([^"]+)"', page)
    assert match, "the ballot page carries an idempotency key"
    return match.group(1)


def meter(page: str, meter_id: str) -> str:
    """Return the text the server wrote in a meter (what a browser without JavaScript shows)."""
    match = re.search(rf'id="{meter_id}"[^>]*>(.*?)</(?:div|p)>', page, re.S)
    assert match, f"the page has the {meter_id}"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def ballots() -> int:
    return db.session.scalar(sa.select(sa.func.count(Ballot.id))) or 0


def test_check_my_total_shows_the_running_total_without_javascript(
        client: Any, voting_round: Any, make_user: Any, login: Any) -> None:
    round_ = voting_round("knapsack")
    login(make_user())
    url = f"/rounds/{round_.id}/vote"
    page = text(client.get(url))
    assert 'value="total"' in page and "Check my total" in page
    assert meter(page, "budget-meter").startswith("£0 of £1,000 chosen, £1,000 left")
    assert 'id="budget-meter" hidden' not in page  # shown without a script
    a, b, c = round_.ids
    fits = client.post(url, data={"key": key_of(page), "action": "total", "pick": [a, c]})
    assert fits.status_code == 200
    body = text(fits)
    assert meter(body, "budget-meter").startswith("£700 of £1,000 chosen, £300 left")
    assert "There is a problem" not in body and body.count(" checked") == 2
    over = client.post(url, data={"key": key_of(body), "action": "total", "pick": [a, b, c]})
    body = text(over)
    assert meter(body, "budget-meter").startswith("£1,200 chosen: £200 over the budget")
    assert 'class="meter meter-over"' in body
    assert "There is a problem" in body and "more than the budget of £1,000" in body
    assert '<div id="ballot-errors" data-fixable>' in body  # ballot.js may clear it
    assert body.count(" checked") == 3  # the choices are kept
    # Fixed and checked again: the summary is gone, the total fits.
    again = text(client.post(url, data={"key": key_of(body), "action": "total", "pick": [b]}))
    assert "There is a problem" not in again and "£500 of £1,000 chosen" in again
    assert ballots() == 0  # checking a total never casts a vote


def test_an_empty_total_check_asks_nothing_yet(client: Any, voting_round: Any, make_user: Any,
                                               login: Any) -> None:
    round_ = voting_round("knapsack")
    login(make_user())
    url = f"/rounds/{round_.id}/vote"
    page = client.post(url, data={"key": key_of(text(client.get(url))), "action": "total"})
    assert page.status_code == 200 and "There is a problem" not in text(page)
    assert ballots() == 0


def test_approval_limit_is_counted_and_explained(client: Any, voting_round: Any,
                                                 make_user: Any, login: Any) -> None:
    round_ = voting_round("approval", ballot_limit=2)
    login(make_user())
    url = f"/rounds/{round_.id}/vote"
    page = text(client.get(url))
    assert meter(page, "choice-meter").startswith("0 of up to 2 chosen")
    assert 'data-limit="2"' in page
    assert ('data-message="You can choose up to 2 projects. Untick one before you choose '
            'another."') in page
    a, b, c = round_.ids
    two = text(client.post(url, data={"key": key_of(page), "action": "total", "pick": [a, b]}))
    assert meter(two, "choice-meter").startswith("2 of up to 2 chosen")
    three = client.post(url, data={"key": key_of(two), "action": "total", "pick": [a, b, c]})
    body = text(three)
    assert meter(body, "choice-meter").startswith("3 of up to 2 chosen")
    assert "choose at most 2" in body and '<div id="ballot-errors" data-fixable>' in body
    # The server refuses the ballot too, whatever a browser let through.
    refused = client.post(url, data={"key": key_of(body), "action": "confirm",
                                     "pick": [a, b, c]})
    assert refused.status_code == 400 and "choose at most 2" in text(refused)
    assert ballots() == 0


def test_an_error_that_is_not_about_the_choices_is_not_cleared_by_the_script(
        client: Any, voting_round: Any, make_user: Any, login: Any) -> None:
    round_ = voting_round("knapsack")
    login(make_user())
    url = f"/rounds/{round_.id}/vote"
    stale = client.post(url, data={"key": "not a key", "action": "confirm",
                                   "pick": [round_.ids[0]]})
    assert stale.status_code == 400 and "out of date" in text(stale)
    assert '<div id="ballot-errors">' in text(stale)


def test_points_total_is_shown_without_javascript(client: Any, voting_round: Any,
                                                  make_user: Any, login: Any) -> None:
    round_ = voting_round("cumulative", ballot_points=10)
    login(make_user())
    url = f"/rounds/{round_.id}/vote"
    page = text(client.get(url))
    a, b, _c = round_.ids
    body = text(client.post(url, data={"key": key_of(page), "action": "total",
                                       f"points-{a}": "7", f"points-{b}": "6"}))
    assert meter(body, "points-meter") == "13 of 10 points given"
    assert "you have 10 to spread" in body
    blank = text(client.post(url, data={"key": key_of(body), "action": "total",
                                        f"points-{a}": "", f"points-{b}": " "}))
    assert meter(blank, "points-meter") == "0 of 10 points given"
    assert "There is a problem" not in blank


def test_every_ballot_button_is_styled(client: Any, voting_round: Any, make_user: Any,
                                       login: Any) -> None:
    round_ = voting_round("knapsack")
    login(make_user())
    url = f"/rounds/{round_.id}/vote"
    review = text(client.post(url, data={"key": key_of(text(client.get(url))),
                                         "action": "review", "pick": [round_.ids[0]]}))
    buttons = re.findall(r"<button[^>]*>", review.split("<main", 1)[1])
    assert buttons and all('class="button' in b for b in buttons), buttons
    assert re.search(r'value="change" class="button secondary-button"', review)
    assert 'class="ballot-review-bar"' in review  # the bar kept clear of the buttons
    for template in ("ballot.html", "done.html", "review.html"):
        source = (CSS.parents[2] / "templates" / "voting" / template).read_text()
        assert all('class="button' in b for b in re.findall(r"<button[^>]*>", source)), template


def test_each_status_tag_looks_different() -> None:
    css = CSS.read_text()
    looks = {}
    for status in labels.STATUS_LABELS:
        rule = re.search(rf"\.status-{status} {{([^}}]*)}}", css)
        sign = re.search(rf"\.status-{status}::before {{ content: \"([^\"]+)\"", css)
        assert rule and sign, status
        looks[status] = (rule.group(1), sign.group(1))
    assert len(set(looks.values())) == len(looks)
    assert len({sign for _rule, sign in looks.values()}) == len(looks)  # not colour alone
    proposal_signs = re.findall(r"\.proposal-status-(\w+)::before \{ content: \"([^\"]+)\"", css)
    assert len({sign for _s, sign in proposal_signs}) == len(proposal_signs) >= 4


def test_not_accepted_is_said_once_on_a_register_row(client: Any, make_user: Any) -> None:
    setup = make_setup(make_user)
    a, b, _c = publish(setup)
    do_respond(setup.officer, b, ResponseData("not_accepted", REASONS))
    page = text(client.get("/councils/register"))
    row = re.search(rf'data-recommendation="{b.id}">(.*?)</li>', page, re.S).group(1)
    assert row.count("Not accepted") == 1 and REASONS in row
    assert 'class="status-tag status-not_accepted"' in row
    rec = text(client.get(f"/councils/recommendations/{b.id}"))
    section = rec.split('id="response-title"', 1)[1]
    assert section.count("Not accepted") == 1


@pytest.mark.parametrize(("rule", "name", "section"), [
    ("greedy", "Most votes first", "most-votes-first"),
    ("mes+add1", "Equal shares", "equal-shares"),
    ("phragmen", "Shared cost", "shared-cost"),
])
def test_counting_rules_are_named_for_residents(client: Any, make_round: Any, rule: str,
                                                name: str, section: str) -> None:
    round_ = make_round("proposals", tally_rule=rule)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert f"Counted by: {name}" in page
    assert f'href="/rounds/how-the-count-works#{section}"' in page
    assert "Greedy" not in page and "Method of Equal Shares" not in page
    how = client.get("/rounds/how-the-count-works")
    assert how.status_code == 200 and f'id="{section}"' in text(how)
    with force_locale("cy"):
        welsh_name = str(labels.RESIDENT_RULE_LABELS[rule])
    welsh = text(client.get(f"/rounds/{round_.id}?lang=cy"))
    assert welsh_name in welsh and "Barus" not in welsh


def test_the_results_page_names_the_rule_and_links_how_it_works(
        client: Any, voting_round: Any, make_user: Any) -> None:
    from pb.services import counting, outcomes, rounds

    round_ = voting_round("approval")
    db.session.add(Ballot(round_id=round_.id, voter_key="v:1", items=[round_.ids[0]],
                          source="paper"))
    db.session.commit()
    rounds.do_change_phase(round_.officer, round_, "results")
    counting.do_count(round_)
    outcomes.do_certify(round_.officer, round_)
    page = text(client.get(f"/rounds/{round_.id}/results"))
    assert "Counted with: Most votes first." in page
    assert 'href="/rounds/how-the-count-works#most-votes-first"' in page
