"""The ballot pages polished (issue #16), in Chromium at phone size, in English and Welsh, with
axe: the approval counter refuses a tick past the limit at once and says why; the "over the
budget" summary goes as soon as the choices fit; the review page's budget bar stays clear of
its buttons."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from e2e.conftest import SHOTS, new_page


def codes_round(live_app: Any, title: str, method: str, **fields: Any) -> tuple[int, str]:
    """Create a round voting with cards, with three projects (£1,000 budget); return its id
    and one voting code."""
    from pb.domain.eligibility import keyed_hash, new_code
    from pb.extensions import db
    from pb.models import AccessCode, Proposal
    from pb.services import accounts, rounds
    from pb.services.voting import voting_key

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=title, area="Quayside", budget_minor=100_000, currency="GBP",
            ballot_method=method, tally_rule="greedy", language="en", eligibility="codes",
            **fields))
        for name, pounds in (("Bench by the quay", 400), ("Bike racks", 500),
                             ("Book swap kiosk", 300)):
            db.session.add(Proposal(round_id=round_.id, title=name, cost_minor=pounds * 100,
                                    summary=f"{name} for the quayside.", status="feasible",
                                    area="Quayside", language="en"))
        code = new_code()
        db.session.add(AccessCode(round_id=round_.id, batch="e2e",
                                  code_hash=keyed_hash(voting_key(), "code", code)))
        db.session.commit()
        for phase in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, phase)
        round_id = round_.id
        db.session.remove()
    return round_id, code


def save(page: Any, name: str) -> None:
    """Screenshot what the phone's screen shows (sticky meter and buttons where they sit)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"ballot-screen-{name}.png"), full_page=False)


def to_ballot(page: Any, round_id: int, code: str) -> None:
    page.goto(f"/rounds/{round_id}/vote/code?c={code}")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form.ballot")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_approval_counter_refuses_a_tick_past_the_limit(
        browser: Browser, base_url: str, live_app: Any, shot: Any, lang: str) -> None:
    round_id, code = codes_round(live_app, f"Harbour picks {lang} {secrets.token_hex(3)}",
                                 "approval", ballot_limit=2)
    page = new_page(browser, base_url, lang, "light")
    to_ballot(page, round_id, code)
    counter = page.locator("#choice-meter .meter-text")
    expect(counter).to_have_text(re.compile(r"^0\D+2\b"))
    expect(page.locator("#check-total")).to_be_hidden()  # live instead, with a script
    boxes = page.locator("input[name=pick]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(counter).to_have_text(re.compile(r"^2\D+2\b"))
    boxes.nth(2).click()
    expect(boxes.nth(2)).not_to_be_checked()  # refused at once...
    note = page.locator("#limit-note")
    expect(note).to_be_visible()  # ...saying why
    expect(note).to_have_text(page.locator("#limit-note").get_attribute("data-message") or "?")
    expect(counter).to_have_text(re.compile(r"^2\D+2\b"))
    save(page, f"approval-limit-{lang}")
    shot(page, f"approval-limit-{lang}")
    boxes.nth(0).uncheck()
    expect(note).to_be_hidden()
    expect(counter).to_have_text(re.compile(r"^1\D+2\b"))
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_over_budget_summary_goes_once_the_choices_fit(
        browser: Browser, base_url: str, live_app: Any, shot: Any, lang: str) -> None:
    round_id, code = codes_round(live_app, f"Quay budget {lang} {secrets.token_hex(3)}",
                                 "knapsack")
    page = new_page(browser, base_url, lang, "light")
    to_ballot(page, round_id, code)
    boxes = page.locator("input[name=pick]")
    for i in range(3):
        boxes.nth(i).check()
    expect(page.locator("#budget-meter")).to_have_class(re.compile("meter-over"))
    page.locator("button[value=review]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("£1,000")
    expect(boxes.nth(2)).to_be_checked()  # the choices came back with the error
    save(page, f"over-budget-{lang}")
    shot(page, f"over-budget-{lang}")
    boxes.nth(0).uncheck()  # £800: fits
    expect(summary).to_have_count(0)
    expect(page.locator("#budget-meter")).not_to_have_class(re.compile("meter-over"))
    save(page, f"fixed-{lang}")
    shot(page, f"fixed-{lang}")

    # The review page: the budget bar is clear of the buttons, which are real buttons.
    page.locator("button[value=review]").click()
    confirm = page.locator("button[value=confirm]")
    change = page.locator("button[value=change]")
    expect(confirm).to_be_visible()
    bar = page.locator("main svg.bar").bounding_box()
    top = min(confirm.bounding_box()["y"], change.bounding_box()["y"])
    assert bar and top - (bar["y"] + bar["height"]) >= 16
    assert change.bounding_box()["height"] >= 44  # a styled button, big enough for a thumb
    save(page, f"review-{lang}")
    shot(page, f"review-{lang}")
    page.context.close()


def test_check_my_total_without_javascript(browser: Browser, base_url: str,
                                           live_app: Any) -> None:
    round_id, code = codes_round(live_app, f"Quay no script {secrets.token_hex(3)}", "knapsack")
    context = browser.new_context(base_url=base_url, java_script_enabled=False,
                                  viewport={"width": 375, "height": 812})
    page = context.new_page()
    to_ballot(page, round_id, code)
    page.get_by_label(re.compile("Bench by the quay")).check()
    page.get_by_label(re.compile("Book swap kiosk")).check()
    page.get_by_role("button", name="Check my total").click()
    expect(page.locator("#budget-meter")).to_contain_text("£700 of £1,000 chosen, £300 left")
    expect(page.get_by_label(re.compile("Book swap kiosk"))).to_be_checked()
    save(page, "check-total-no-js")  # axe needs a script: the same page is checked above
    context.close()
