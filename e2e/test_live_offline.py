"""Phones that survive the hall's Wi-Fi (issue #15), in Chromium: a phone taken offline
mid-score keeps the score, survives a reload, and sends it once when the connection returns;
the service worker keeps the phone's page, and never a signed-in person's page."""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import ADMIN, PHONE, demo_codes, log_in

RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
SAVED = "Saved on this phone — sending when you are back online."


def evening(live_app: Any, title: str) -> tuple[int, int, str, list[int]]:
    """A scoring round in voting and an open session with two pitches; return their ids."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, live, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=title, area="Riverside", budget_minor=2_000_000, currency="GBP",
            ballot_method="scoring", tally_rule="greedy", language="en"))
        projects = [Proposal(round_id=round_.id, title=name, summary=f"{name} for Riverside.",
                             cost_minor=9_000_00, status="shortlisted", area="Riverside",
                             language="en") for name in ("Skate park lights", "Youth radio")]
        db.session.add_all(projects)
        db.session.commit()
        for phase in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, phase)
        session = live.do_create(officer, round_, f"{title} night", "open", "scoring",
                                 [(p.id, 120, 60) for p in projects])
        found = (session.id, round_.id, session.join_code, [p.id for p in projects])
        db.session.remove()
    return found


def control(live_app: Any, session_id: int, *actions: str) -> None:
    """Press the facilitator's buttons, as the console would."""
    from pb.extensions import db
    from pb.services import accounts, live

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        for action in actions:
            live.do_control(officer, live.get(session_id), action)
        db.session.remove()


def ballots(live_app: Any, round_id: int) -> tuple[list[tuple[Any, str | None]], int]:
    """Return the round's ballots (items, submission key) and how many submissions it took."""
    from pb.extensions import db
    from pb.models import Ballot, BallotSubmission

    with live_app.app_context():
        rows = [(b.items, b.submission_key) for b in db.session.scalars(
            sa.select(Ballot).where(Ballot.round_id == round_id))]
        sent = db.session.scalar(sa.select(sa.func.count()).select_from(BallotSubmission)
                                 .where(BallotSubmission.round_id == round_id))
        db.session.remove()
    return rows, int(sent or 0)


def phone(browser: Browser, base_url: str) -> Page:
    return browser.new_context(base_url=base_url, viewport=PHONE, locale="en-GB").new_page()


def kept(page: Page, url: str) -> bool:
    """Whether the service worker keeps a copy of the page at `url`."""
    return bool(page.evaluate(
        "url => caches.open('pb-pages').then(c => c.match(url)).then(r => Boolean(r))", url))


def wait_until_kept(page: Page) -> None:
    # The worker is active (the page itself may stay uncontrolled if it was opened while the
    # worker was being activated: it then asks the worker to keep it, static/js/pwa.js), and
    # the page is kept; the next navigation to it goes through the worker either way.
    page.wait_for_function("() => navigator.serviceWorker.ready.then(r => r.active !== null)")
    page.wait_for_function(
        "() => caches.open('pb-pages').then(c => c.match(location.href)).then(Boolean)")


def outbox(page: Page, code: str) -> dict[str, Any]:
    return json.loads(page.evaluate(f"localStorage.getItem('pb-live-outbox:{code}') || '{{}}'"))


def test_a_phone_offline_mid_score_keeps_the_score_and_sends_it_once(
        browser: Browser, base_url: str, live_app: Any, shot: Any) -> None:
    session_id, round_id, code, (first, second) = evening(live_app, "Offline Youth Fund")
    ana = phone(browser, base_url)
    ana.goto(f"/live/j/{code}")
    # The worker is installed for the whole site and keeps the phone's page from the first visit.
    scope = ana.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{base_url}/"
    wait_until_kept(ana)

    control(live_app, session_id, "start", "open_scoring")
    form = ana.locator(f"form.score-form[data-pid='{first}']")
    expect(form).to_be_visible()
    result = form.locator("[data-result]")

    # The hall's Wi-Fi drops mid-score: the score stays on the phone, and the phone says so.
    ana.context.set_offline(True)
    expect(ana.locator("#connection")).to_be_visible(timeout=15_000)
    form.locator("button.score-button:text-is('7')").click()
    expect(result).to_have_text(SAVED)
    key = outbox(ana, code)[str(first)]["key"]
    assert outbox(ana, code) == {str(first): {"value": 7, "key": key}}
    shot(ana, "phone-saved-offline")
    assert ballots(live_app, round_id) == ([], 0)

    # A reload without a connection: the kept page, with the score still waiting.
    ana.reload()
    expect(ana.locator("#live-phone")).to_be_attached()
    expect(ana.locator(f"form.score-form[data-pid='{first}'] [data-result]")).to_have_text(SAVED)
    assert outbox(ana, code)[str(first)]["key"] == key

    # Back online: it is sent with the key it was given offline, and the receipt is shown.
    ana.context.set_offline(False)
    expect(result).to_contain_text(RECEIPT, timeout=30_000)
    expect(result).to_contain_text("Your score of 7 for “Skate park lights” is in")
    assert outbox(ana, code) == {}
    assert ballots(live_app, round_id) == ([({str(first): 7}, key)], 1)
    shot(ana, "phone-sent-after-offline")

    # An acknowledged score is never sent again, however often the page is opened.
    ana.reload()
    expect(ana.locator("#connection")).to_be_hidden()
    expect(ana.locator(f"form.score-form[data-pid='{first}'] button.score-button:text-is('7')")
           ).to_have_attribute("aria-pressed", "true")
    ana.wait_for_timeout(1_000)
    assert ballots(live_app, round_id) == ([({str(first): 7}, key)], 1)

    # A score kept offline while the facilitator closes scoring is refused when it arrives,
    # and the phone says so above the (now hidden) pitch.
    control(live_app, session_id, "close_scoring", "next", "open_scoring")
    late = ana.locator(f"form.score-form[data-pid='{second}']")
    expect(late).to_be_visible()
    ana.context.set_offline(True)
    expect(ana.locator("#connection")).to_be_visible(timeout=15_000)
    late.locator("button.score-button:text-is('5')").click()
    expect(late.locator("[data-result]")).to_have_text(SAVED)
    control(live_app, session_id, "close_scoring")
    ana.context.set_offline(False)
    expect(ana.locator("#p-unsent")).to_contain_text(
        "Your score for “Youth radio”, saved on this phone, was not stored: Scoring for that "
        "pitch is not open", timeout=30_000)
    expect(late).to_be_hidden()
    assert outbox(ana, code) == {}
    assert ballots(live_app, round_id) == ([({str(first): 7}, key)], 1)
    shot(ana, "phone-refused-after-offline")
    ana.context.close()


def test_a_signed_in_page_is_never_kept_and_signing_in_forgets_kept_pages(
        browser: Browser, base_url: str, live_app: Any) -> None:
    _session_id, _round_id, code, _pids = evening(live_app, "Kept Pages Fund")
    page = phone(browser, base_url)
    url = f"{base_url}/live/j/{code}"
    page.goto(url)
    wait_until_kept(page)

    # Someone signs in on the same phone: what was kept for the visitor before is forgotten...
    log_in(page, *ADMIN)
    assert not kept(page, url)
    # ...and the signed-in page (Cache-Control: no-store) is never kept.
    response = page.goto(url)
    assert response is not None and "no-store" in response.headers["cache-control"]
    page.wait_for_timeout(500)
    assert not kept(page, url)

    # Offline, the page is not there to show: the offline page says so, with nobody's data.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("No connection")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    page.context.set_offline(False)
    page.context.close()


def test_the_ballot_page_stays_usable_offline_and_is_forgotten_when_the_voter_finishes(
        browser: Browser, base_url: str, live_app: Any, shot: Any) -> None:
    from pb.demo.voting import TITLE
    from pb.extensions import db
    from pb.models import Round

    with live_app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(Round.title == TITLE))
        db.session.remove()
    page = phone(browser, base_url)
    page.goto(f"/rounds/{round_id}/vote/code?c={demo_codes(live_app)[-1]}")
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(page.get_by_role("heading", name="Your ballot")).to_be_visible()
    wait_until_kept(page)  # a voter with a card's code: no account, so the page may be kept
    ballot_url = page.url

    # Offline, the ballot is not posted into the browser's error page: the choices stay.
    page.context.set_offline(True)
    choice = page.get_by_label(re.compile("Reading corner"))
    choice.check()
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.locator("#ballot-offline")).to_contain_text("your ballot was not sent")
    expect(choice).to_be_checked()
    assert page.url == ballot_url
    shot(page, "ballot-offline")

    # A reload without a connection shows the kept ballot page, still to be filled in.
    page.reload()
    expect(page.get_by_role("heading", name="Your ballot")).to_be_visible()
    expect(page.locator("main")).to_contain_text(TITLE)
    page.get_by_label(re.compile("Reading corner")).check()

    page.context.set_offline(False)
    expect(page.locator("#ballot-offline")).to_be_hidden()
    page.get_by_role("button", name="Review my ballot").click()
    # Offline on the check page, confirming stays there and says so; the choices are kept.
    review_url = page.url
    page.context.set_offline(True)
    page.get_by_role("button", name="Confirm and cast my vote").click()
    expect(page.locator("#review-offline")).to_contain_text("your vote was not cast")
    assert page.url == review_url
    page.context.set_offline(False)
    expect(page.locator("#review-offline")).to_contain_text("you can confirm your vote now")
    page.get_by_role("button", name="Confirm and cast my vote").click()
    expect(page.get_by_role("heading", name="Your vote is cast")).to_be_visible()
    page.get_by_role("button", name="Finish on this device").click()
    expect(page.get_by_role("status")).to_contain_text("forgotten your vote details")
    # The kept copy showed this voter's ballot: it goes when they finish on this device.
    assert not kept(page, ballot_url)
    page.context.close()
