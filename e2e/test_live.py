"""A whole live evening in Chromium, run with the facilitator's login only: the demo town's
Youth Decide night, from opening the round for voting to the reveal.

The console is on a laptop, the projector at 1366×768, two phones at 375×812. Questions wait
for the facilitator; one phone loses the hall's Wi-Fi mid-score and gets its receipt when it is
back; a paper scorecard is entered from the console's link; and the reveal is tonight's result
only: the two pitches the room scored, not the two nobody scored, marked provisional because
the round also votes online. Every screenshot is checked with axe.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import PHONE, log_in, opened, press

LAPTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1366, "height": 768}
FACILITATOR = ("facilitator@demo.example.org", "afonbridge-demo-2026")  # README's demo logins
RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
SAVED = "Saved on this phone — sending when you are back online."


def demo_evening(live_app: Any) -> tuple[int, int, str, list[str]]:
    """The seeded Youth Decide night: its id, its round's id, join code and pitch titles."""
    import sqlalchemy as sa

    from pb.demo.live import TITLE
    from pb.extensions import db
    from pb.models import LiveSession, Proposal

    with live_app.app_context():
        session = db.session.scalar(sa.select(LiveSession).where(LiveSession.title == TITLE))
        titles = [db.session.get(Proposal, item.proposal_id).title for item in session.items]
        found = (session.id, session.round_id, session.join_code, titles)
        db.session.remove()
    return found


def score(phone: Page, title: str, value: str) -> Any:
    form = phone.locator(f"form.score-form[data-title='{title}']")
    form.locator(f"button.score-button:text-is('{value}')").click()
    return form.locator("[data-result]")


def test_the_facilitator_runs_the_demo_evening_alone(browser: Browser, base_url: str,
                                                     live_app: Any, shot: Any) -> None:
    session_id, round_id, code, titles = demo_evening(live_app)
    assert len(titles) == 4  # two will pitch and be scored tonight, two will not

    console = opened(browser, base_url, LAPTOP)
    log_in(console, *FACILITATOR)
    console.goto(f"/live/{session_id}/console")
    expect(console.locator("#connection")).to_be_hidden()
    # The round is still in deliberation: the console says so and offers to open voting,
    # with a page that names what will happen first.
    console.get_by_role("link", name="Open the round for voting").click()
    expect(console.locator("main")).to_contain_text("The whole round “Youth Decide 2026” moves")
    shot(console, "console-open-voting")
    console.get_by_role("button", name="Open the round for voting").click()
    console.wait_for_url(re.compile(rf".*/live/{session_id}/console$"))
    expect(console.locator("#c-open-voting")).to_be_hidden()

    projector = opened(browser, base_url, PROJECTOR)
    log_in(projector, *FACILITATOR)
    projector.goto(f"/live/{session_id}/screen")
    expect(projector.locator("#live-screen")).to_contain_text(code)
    expect(projector.locator("svg[role=img]").first).to_be_visible()  # the QR code

    # Two phones join from the QR code's address: one tap, no account, a compact header.
    ana, ben = (opened(browser, base_url, PHONE) for _ in range(2))
    for phone in (ana, ben):
        phone.goto(f"/live/j/{code}")
        expect(phone.get_by_role("link", name="Log in")).to_have_count(0)
    expect(projector.locator("#s-present")).to_have_text("2")
    expect(console.locator("#c-present")).to_have_text("2")
    shot(projector, "projector-lobby")

    press(console, "Start the session")
    for screen in (ana, ben):
        expect(screen.locator("#p-title")).to_have_text(titles[0])
    expect(projector.locator("#s-title")).to_have_text(titles[0])
    expect(projector.locator("#s-timer")).to_have_text(re.compile(r"^[0-3]:\d\d$"))
    shot(ana, "phone-pitch")

    # Questions wait for the facilitator (youth mode): one shown, one hidden with a reason.
    press(console, "Open questions")
    ana.locator("#ask-form textarea").fill("Who coaches the football?")
    ana.get_by_role("button", name="Send my question").click()
    ben.locator("#ask-form textarea").fill("What is the coach's phone number?")
    ben.get_by_role("button", name="Send my question").click()
    expect(ana.locator("#p-mine")).to_contain_text("is waiting for the facilitator")
    waiting = console.locator("#c-questions li[data-state=pending]")
    expect(waiting).to_have_count(2)
    expect(projector.locator("#s-questions")).not_to_contain_text("Who coaches")
    shot(console, "console-questions-waiting")
    console.get_by_role("button", name="Show “Who coaches the football?” on the screens").click()
    expect(console.locator("#c-feedback")).to_have_text("Done.")  # as the facilitator sees
    personal = console.locator("#c-questions li", has_text="phone number")
    personal.get_by_label("Why hide it?").fill("Personal details stay out of the room.")
    personal.get_by_role("button", name=re.compile("^Hide “What is the coach")).click()
    expect(console.locator("#c-feedback")).to_have_text("Done.")
    expect(projector.locator("#s-questions")).to_contain_text("Who coaches the football?")
    expect(projector.locator("#s-questions")).not_to_contain_text("phone number")
    expect(ana.locator("#p-mine")).to_contain_text("“Who coaches the football?” is on the screens")
    expect(ben.locator("#p-mine")).to_contain_text(
        "was not shown: Personal details stay out of the room.")
    expect(ben.locator("#p-questions")).to_contain_text("Who coaches the football?")
    shot(projector, "projector-question")

    press(console, "Open scoring for this pitch")
    expect(score(ana, titles[0], "8")).to_contain_text(RECEIPT)
    shot(ana, "phone-scored")

    # Ben's phone loses the Wi-Fi mid-score: the score waits on the phone, then goes.
    ben.context.set_offline(True)
    expect(ben.locator("#connection")).to_be_visible(timeout=15_000)
    result = score(ben, titles[0], "6")
    expect(result).to_have_text(SAVED)
    shot(ben, "phone-saved-offline")
    ben.context.set_offline(False)
    expect(result).to_contain_text(RECEIPT, timeout=30_000)
    expect(projector.locator("#s-scored")).to_have_text("2")
    # No values before the reveal: neither the stage nor the results show 8 + 6.
    expect(projector.locator(".screen-stage")).not_to_contain_text("14")
    expect(projector.locator("#s-funded li")).to_have_count(0)

    # A paper scorecard, entered by the facilitator from the console's link.
    with console.context.expect_page() as opening:
        console.get_by_role("link", name="Enter paper scorecards").click()
    staff = opening.value
    staff.get_by_label("Batch number").fill("1")
    staff.get_by_label("Number of ballots in the batch").fill("1")
    staff.get_by_role("button", name="Start the batch").click()
    staff.get_by_role("link", name=re.compile("enter ballot 1")).first.click()
    staff.get_by_label(titles[0]).select_option("9")
    staff.get_by_role("button", name="Save and enter the next ballot").click()
    staff.get_by_role("button", name="Count batch 1").click()
    expect(projector.locator("#s-paper")).to_have_text("1")
    expect(projector.locator("#s-scored")).to_have_text("3")

    press(console, "Close scoring")
    press(console, "Next pitch")
    expect(ana.locator("#p-title")).to_have_text(titles[1])
    expect(ana.locator("#p-mine li")).to_have_count(0)  # the next pitch starts clean
    press(console, "Open scoring for this pitch")
    for phone, value in ((ana, "7"), (ben, "9")):
        expect(score(phone, titles[1], value)).to_contain_text(RECEIPT)
    # The last two projects never pitch: the session closes after two.
    press(console, "Close the session")
    expect(console.locator("#c-online-note")).to_be_visible()  # the round votes online too
    press(console, "Reveal the results")

    funded = projector.locator("#s-funded li")
    expect(funded).to_have_count(2, timeout=15_000)
    expect(funded.nth(0)).to_contain_text(titles[0])  # 8 + 6 + 9 (paper) = 23 points
    expect(funded.nth(1)).to_contain_text(titles[1])  # 7 + 9 = 16 points
    for unscored in titles[2:]:  # budget was left, but nobody scored them tonight
        expect(projector.locator("#s-funded")).not_to_contain_text(unscored)
    expect(projector.locator("#s-provisional")).to_be_visible()
    expect(console.locator("#c-provisional")).to_be_visible()
    expect(ana.locator("#p-provisional")).to_be_visible()
    expect(ana.locator("#results")).to_contain_text(titles[0])
    shot(projector, "projector-revealed")
    shot(ana, "phone-revealed")
    shot(console, "console-revealed")
    # The projector fits 1366×768: nothing scrolls.
    assert projector.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]
    for page in (console, projector, ana, ben):
        page.context.close()
