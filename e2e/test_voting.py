"""Voting journeys in Chromium at phone size: with the budget meter, and with JavaScript off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import PHONE, demo_codes, log_in

PASSWORD = "voting in the town hall"


def knapsack_round(live_app: Any, title: str) -> tuple[int, Any]:
    """Create a knapsack round in voting with four projects (£1,000 budget); return its id."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=title, area="Quayside", budget_minor=100_000, currency="GBP",
            ballot_method="knapsack", tally_rule="greedy", language="en"))
        for name, pounds in (("Bench by the quay", 300), ("Bike racks", 450),
                             ("Book swap kiosk", 200), ("Bus shelter", 600)):
            db.session.add(Proposal(round_id=round_.id, title=name, cost_minor=pounds * 100,
                                    summary=f"{name} for the quayside.", status="feasible",
                                    area="Quayside", language="en"))
        db.session.commit()
        for phase in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, phase)
        round_id = round_.id
        db.session.remove()
    return round_id, officer


def resident(live_app: Any, email: str) -> None:
    from pb.extensions import db
    from pb.services import accounts

    with live_app.app_context():
        accounts.do_register(email, "Vera Voter", PASSWORD)
        db.session.remove()


def close_and_certify(live_app: Any, round_id: int) -> None:
    from pb.extensions import db
    from pb.models import Round
    from pb.services import accounts, outcomes, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = db.session.get(Round, round_id)
        rounds.do_change_phase(officer, round_, "results")
        outcomes.do_certify(officer, round_)
        db.session.remove()


def receipt_on(page: Page) -> str:
    return page.locator("#receipt-code").inner_text().strip()


def test_knapsack_vote_with_the_meter_change_and_check_the_receipt(
        page: Page, live_app: Any, shot: Any) -> None:
    round_id, _ = knapsack_round(live_app, "Quayside Fund (e2e meter)")
    resident(live_app, "vera@e2e.example.org")
    log_in(page, "vera@e2e.example.org", PASSWORD)
    page.goto(f"/rounds/{round_id}")
    page.get_by_role("link", name="Vote now").click()
    meter = page.locator("#budget-meter")
    expect(meter).to_contain_text("£0 of £1,000 chosen, £1,000 left")
    page.get_by_label(re.compile("Bench by the quay")).check()
    page.get_by_label(re.compile("Bike racks")).check()
    expect(meter).to_contain_text("£750 of £1,000 chosen, £250 left")
    page.get_by_label(re.compile("Bus shelter")).check()
    expect(meter).to_contain_text("over the budget")
    shot(page, "meter-over-budget")
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.get_by_role("alert")).to_contain_text("more than the budget of £1,000")
    expect(page.get_by_label(re.compile("Bus shelter"))).to_be_checked()  # nothing lost
    page.get_by_label(re.compile("Bus shelter")).uncheck()
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.get_by_role("heading", name="Check your ballot")).to_be_visible()
    shot(page, "review")
    page.get_by_role("button", name="Confirm and cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote is cast")).to_be_visible()
    first = receipt_on(page)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", first)
    shot(page, "confirmation")

    page.get_by_role("link", name="Change my ballot").click()
    expect(page.get_by_role("status")).to_contain_text("Your ballot below is the one counted")
    expect(page.get_by_label(re.compile("Bench by the quay"))).to_be_checked()
    page.get_by_label(re.compile("Bike racks")).uncheck()
    page.get_by_label(re.compile("Book swap kiosk")).check()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Confirm and cast my vote").click()
    expect(page.get_by_text("replaces the one you cast before")).to_be_visible()
    second = receipt_on(page)
    assert second != first
    expect(page.locator(".ballot-summary")).to_contain_text("Book swap kiosk")
    expect(page.locator(".ballot-summary")).not_to_contain_text("Bike racks")

    close_and_certify(live_app, round_id)
    page.goto(f"/rounds/{round_id}/results")
    page.get_by_role("link", name="Check a receipt").first.click()
    page.get_by_label("Receipt code").fill(second.lower())
    page.get_by_role("button", name="Check the receipt").click()
    expect(page.locator("#receipt-status")).to_contain_text("Counted.")
    shot(page, "receipt-counted")
    page.get_by_label("Receipt code").fill(first)
    page.get_by_role("button", name="Check the receipt").click()
    expect(page.locator("#receipt-status")).to_contain_text("Replaced.")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_meter_writes_money_as_the_server_does(page: Page, live_app: Any, lang: str) -> None:
    """The ballot's meter uses the live pages' formatter (static/js/money.js), described by
    the server: Chromium's own Welsh data would write "£ 1,000"."""
    from pb.domain.money import format_money
    from pb.i18n import LOCALES

    round_id, _ = knapsack_round(live_app, f"Quayside Fund (e2e money {lang})")
    resident(live_app, f"vera-{lang}@e2e.example.org")
    log_in(page, f"vera-{lang}@e2e.example.org", PASSWORD)
    page.goto(f"/rounds/{round_id}/vote?lang={lang}")
    amounts = [0, 5, 99, 75_000, 100_000, 123_456_789, 1_000_050]
    written = page.evaluate("""(amounts) => amounts.map(
        a => window.PbMoney(a, "GBP", document.documentElement.lang))""", amounts)
    assert written == [format_money(a, "GBP", LOCALES[lang]) for a in amounts]
    page.get_by_label(re.compile("Bench by the quay")).check()
    expect(page.locator("#budget-meter")).to_contain_text(
        format_money(30_000, "GBP", LOCALES[lang]))


def test_the_same_vote_with_javascript_off(browser: Browser, base_url: str,
                                           live_app: Any) -> None:
    round_id, _ = knapsack_round(live_app, "Quayside Fund (e2e no script)")
    resident(live_app, "wyn@e2e.example.org")
    context = browser.new_context(base_url=base_url, viewport=PHONE,
                                  java_script_enabled=False)
    page = context.new_page()
    log_in(page, "wyn@e2e.example.org", PASSWORD)
    page.goto(f"/rounds/{round_id}/vote")
    # Without the script the meter shows the total the server last saw ("Check my total").
    expect(page.locator("#budget-meter")).to_contain_text("£0 of £1,000 chosen")
    expect(page.get_by_role("button", name="Check my total")).to_be_visible()
    for name in ("Bench by the quay", "Bike racks", "Bus shelter"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.get_by_role("alert")).to_contain_text("more than the budget of £1,000")
    page.get_by_label(re.compile("Bus shelter")).uncheck()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Confirm and cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote is cast")).to_be_visible()
    first = receipt_on(page)
    page.get_by_role("link", name="Change my ballot").click()
    page.get_by_label(re.compile("Bike racks")).uncheck()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Confirm and cast my vote").click()
    second = receipt_on(page)
    assert second != first
    close_and_certify(live_app, round_id)
    page.goto(f"/rounds/{round_id}/receipt")
    page.get_by_label("Receipt code").fill(second)
    page.get_by_role("button", name="Check the receipt").click()
    expect(page.locator("#receipt-status")).to_contain_text("Counted.")
    context.close()


def test_a_voting_code_from_a_card(page: Page, live_app: Any, shot: Any) -> None:
    import sqlalchemy as sa

    from pb.demo.voting import TITLE
    from pb.extensions import db
    from pb.models import Round

    with live_app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(Round.title == TITLE))
        db.session.remove()
    code = demo_codes(live_app)[0]
    page.goto(f"/rounds/{round_id}/vote/code?c={code}")  # what the card's QR code opens
    expect(page.get_by_label("Your voting code")).to_have_value(code)
    shot(page, "code-entry")
    page.get_by_role("button", name="Continue to the ballot").click()
    page.get_by_label(re.compile("Reading corner")).check()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Confirm and cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote is cast")).to_be_visible()
    page.get_by_role("button", name="Finish on this device").click()
    expect(page.get_by_role("status")).to_contain_text("forgotten your vote details")
    page.goto(f"/rounds/{round_id}/vote/code")
    page.get_by_label("Your voting code").fill(code)
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(page.get_by_role("alert")).to_contain_text("already been used")
