"""Moderated questions and an honest reveal in Chromium: a phone asks, the console approves
and hides, the asker sees what became of each question, the next pitch starts clean, and the
reveal says it is provisional while the round still votes online."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import ADMIN, PHONE, log_in, opened, press

LAPTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1366, "height": 768}


def held_evening(live_app: Any) -> tuple[int, str]:
    """A scoring round in voting and a session holding questions; return its id and code."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, live, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title="Held questions fund (e2e)", area="Riverside", budget_minor=2_000_000,
            currency="GBP", ballot_method="scoring", tally_rule="greedy", language="en"))
        projects = []
        for name, pounds in (("Bike repair hub", 9_000), ("Youth cafe", 8_000),
                             ("Mural wall", 2_000)):
            p = Proposal(round_id=round_.id, title=name, summary=f"{name} for Riverside.",
                         cost_minor=pounds * 100, status="shortlisted", area="Riverside",
                         language="en")
            db.session.add(p)
            projects.append(p)
        db.session.commit()
        for phase in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, phase)
        session = live.do_create(officer, round_, "Held questions night", "open", "scoring",
                                 [(p.id, 120, 60) for p in projects], moderated=True)
        found = (session.id, session.join_code)
        db.session.remove()
    return found


def ask(phone: Page, words: str) -> None:
    phone.locator("#ask-form textarea").fill(words)
    phone.get_by_role("button", name="Send my question").click()


def test_questions_wait_for_the_facilitator_and_the_asker_sees_their_fate(
        browser: Browser, base_url: str, live_app: Any, shot: Any) -> None:
    session_id, code = held_evening(live_app)
    console = opened(browser, base_url, LAPTOP)
    log_in(console, *ADMIN)
    console.goto(f"/live/{session_id}/console")
    projector = opened(browser, base_url, PROJECTOR)
    log_in(projector, *ADMIN)
    projector.goto(f"/live/{session_id}/screen")
    asker, other = opened(browser, base_url, PHONE), opened(browser, base_url, PHONE)
    for phone in (asker, other):
        phone.goto(f"/live/j/{code}")
    expect(console.locator("#c-present")).to_have_text("2")
    press(console, "Start the session")
    press(console, "Open questions")

    ask(asker, "Who fixes the bikes?")
    expect(asker.locator("#ask-result")).to_contain_text("approves questions before")
    expect(asker.locator("#p-mine")).to_contain_text(
        "“Who fixes the bikes?” is waiting for the facilitator")
    waiting = console.locator("#c-questions li[data-state=pending]")
    expect(waiting).to_contain_text("Who fixes the bikes?")
    expect(other.locator("#p-no-questions")).to_be_visible()  # held: on the console only
    expect(projector.locator("#s-questions-box")).to_be_hidden()
    shot(console, "console-question-waiting")

    waiting.get_by_role("button", name="Show “Who fixes the bikes?” on the screens").click()
    expect(asker.locator("#p-mine")).to_contain_text("“Who fixes the bikes?” is on the screens")
    expect(other.locator("#p-questions")).to_contain_text("Who fixes the bikes?")
    expect(projector.locator("#s-questions")).to_contain_text("Who fixes the bikes?")

    asker.wait_for_timeout(10_500)  # one question every ten seconds per phone
    ask(asker, "Is the teacher single?")
    item = console.locator("#c-questions li", has_text="Is the teacher single?")
    item.get_by_label("Why hide it?").fill("Personal; ask about the project.")
    item.get_by_role("button", name="Hide “Is the teacher single?”").click()
    expect(asker.locator("#p-mine")).to_contain_text(
        "“Is the teacher single?” was not shown: Personal; ask about the project.")
    expect(other.locator("#p-questions")).not_to_contain_text("teacher")
    shot(asker, "phone-own-questions")

    # The next pitch starts clean: no "Your question was sent" above "No questions yet".
    press(console, "Next pitch")
    expect(asker.locator("#p-no-questions")).to_be_visible()
    expect(asker.locator("#ask-result")).to_have_text("")
    expect(asker.locator("#p-mine li")).to_have_count(0)

    # The round still votes online: the reveal is tonight's result, and says it is provisional.
    expect(console.locator("#c-online-note")).to_be_visible()
    press(console, "Open scoring for this pitch")
    asker.locator("#score").get_by_role("button", name="8", exact=True).click()
    expect(console.locator("#c-scored")).to_have_text("1")
    press(console, "Close the session")
    press(console, "Reveal the results")
    expect(console.locator("#c-provisional")).to_be_visible()
    expect(console.locator("#c-funded li")).to_have_count(1)
    expect(console.locator("#c-funded")).to_contain_text("Youth cafe")
    expect(projector.locator("#s-provisional")).to_be_visible()
    expect(asker.locator("#p-provisional")).to_be_visible()
    expect(projector.locator("#s-funded li")).to_have_count(1)
    expect(projector.locator("#s-funded")).to_contain_text("Youth cafe")
    shot(projector, "projector-provisional")
