"""A whole live evening in Chromium: a facilitator's console, the projector and two phones."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import ADMIN, PHONE, log_in

LAPTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1280, "height": 720}


def evening(live_app: Any) -> tuple[int, int, str, list[str]]:
    """A scoring round in voting (£20,000) and a session with three pitches; return ids."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, live, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title="Riverside Youth Fund (e2e)", area="Riverside", budget_minor=2_000_000,
            currency="GBP", ballot_method="scoring", tally_rule="greedy", language="en"))
        projects = []
        for name, pounds in (("Skate park lights", 9_000), ("Youth radio", 8_000),
                             ("Climbing wall", 12_000)):
            p = Proposal(round_id=round_.id, title=name, summary=f"{name} for Riverside.",
                         cost_minor=pounds * 100, status="shortlisted", area="Riverside",
                         language="en")
            db.session.add(p)
            projects.append(p)
        db.session.commit()
        for phase in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, phase)
        session = live.do_create(officer, round_, "Riverside Youth Decide night", "open",
                                 "scoring", [(p.id, 120, 60) for p in projects])
        found = (session.id, round_.id, session.join_code, [p.title for p in projects])
        db.session.remove()
    return found


def context(browser: Browser, base_url: str, viewport: dict[str, int]) -> Page:
    return browser.new_context(base_url=base_url, viewport=viewport,
                               locale="en-GB").new_page()


def control(console: Page, name: str) -> None:
    console.get_by_role("button", name=name, exact=True).click()
    expect(console.locator("#c-feedback")).not_to_contain_text("refused")


def test_a_whole_evening_with_four_screens(browser: Browser, base_url: str, live_app: Any,
                                           shot: Any) -> None:
    session_id, round_id, code, titles = evening(live_app)
    console = context(browser, base_url, LAPTOP)
    log_in(console, *ADMIN)
    console.goto(f"/live/{session_id}/console")
    expect(console.locator("#connection")).to_be_hidden()
    projector = context(browser, base_url, PROJECTOR)
    log_in(projector, *ADMIN)
    projector.goto(f"/live/{session_id}/screen")
    expect(projector.locator("#live-screen")).to_contain_text(code)
    expect(projector.locator("svg[role=img]").first).to_be_visible()  # the QR code

    # Two phones join from the QR code's address: one tap.
    ana, ben = (context(browser, base_url, PHONE) for _ in range(2))
    for phone in (ana, ben):
        phone.goto(f"/live/j/{code}")
    expect(projector.locator("#s-present")).to_have_text("2")
    expect(console.locator("#c-present")).to_have_text("2")
    shot(projector, "projector-lobby")

    control(console, "Start the session")
    for screen in (ana, ben):
        expect(screen.locator("#p-title")).to_have_text(titles[0])
    expect(projector.locator("#s-title")).to_have_text(titles[0])
    expect(projector.locator("#s-timer")).to_have_text(re.compile(r"^[0-2]:\d\d$"))
    shot(ana, "phone-pitch")

    control(console, "Open questions")
    ana.get_by_label("Your question").fill("How late will the lights stay on?")
    ana.get_by_role("button", name="Send my question").click()
    upvote = ben.get_by_role("button", name=re.compile("Up-vote “How late"))
    upvote.click()
    expect(projector.locator("#s-questions")).to_contain_text("How late will the lights")
    expect(console.locator("#c-questions")).to_contain_text("Up-votes: 1")
    shot(console, "console-questions")

    control(console, "Open scoring for this pitch")
    ana.locator("form.score-form:not([hidden]) button.score-button:text-is('8')").click()
    expect(ana.locator("form.score-form:not([hidden]) [data-result]")).to_contain_text(
        re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"))
    shot(ana, "phone-scored")

    # Ben's phone drops out during scoring, comes back, gets the state and still scores.
    ben.context.set_offline(True)
    expect(ben.locator("#connection")).to_be_visible(timeout=15_000)
    ben.context.set_offline(False)
    expect(ben.locator("#connection")).to_contain_text("Connected again", timeout=30_000)
    expect(ben.locator("form.score-form:not([hidden])")).to_be_visible()
    ben.locator("form.score-form:not([hidden]) button.score-button:text-is('6')").click()
    expect(ben.locator("form.score-form:not([hidden]) [data-result]")).to_contain_text(
        re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"), timeout=15_000)
    expect(projector.locator("#s-scored")).to_have_text("2")
    # No values yet: neither the stage nor the results show 8 + 6. (Not the whole screen:
    # the join address carries the test server's random port, which may contain "14".)
    expect(projector.locator(".screen-stage")).not_to_contain_text("14")
    expect(projector.locator("#s-results")).to_be_hidden()
    expect(projector.locator("#s-funded li")).to_have_count(0)

    # A paper scorecard, entered by staff, counts in the same totals.
    staff = console.context.new_page()
    staff.goto(f"/rounds/{round_id}/paper")
    staff.get_by_label("Batch number").fill("1")
    staff.get_by_label("Number of ballots in the batch").fill("1")
    staff.get_by_role("button", name="Start the batch").click()
    staff.get_by_role("link", name=re.compile("enter ballot 1")).first.click()
    staff.get_by_label(titles[0]).select_option("9")
    staff.get_by_role("button", name="Save and enter the next ballot").click()
    staff.get_by_role("button", name="Count batch 1").click()
    expect(projector.locator("#s-paper")).to_have_text("1")
    expect(projector.locator("#s-scored")).to_have_text("3")

    control(console, "Close scoring")
    control(console, "Next pitch")
    expect(ana.locator("#p-title")).to_have_text(titles[1])
    control(console, "Open scoring for all pitches")
    for phone, score in ((ana, "7"), (ben, "9")):
        form = phone.locator(f"form.score-form[data-title='{titles[1]}']")
        form.locator(f"button.score-button:text-is('{score}')").click()
        expect(form.locator("[data-result]")).to_contain_text("Receipt")
    control(console, "Close the session")
    control(console, "Reveal the results")
    funded = projector.locator("#s-funded li")
    expect(funded).to_have_count(2, timeout=15_000)
    expect(funded.nth(0)).to_contain_text(titles[0])  # 8 + 6 + 9 = 23 points
    expect(funded.nth(1)).to_contain_text(titles[1])  # 7 + 9 = 16 points
    expect(projector.locator("#s-spent")).to_contain_text("£17,000 of the £20,000 budget")
    expect(ana.locator("#results")).to_contain_text(titles[0])
    shot(projector, "projector-revealed")
    shot(ana, "phone-revealed")
    for page in (console, projector, ana, ben):
        page.context.close()
