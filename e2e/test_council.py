"""The council journey in Chromium at phone size: advice, comply or explain, the register."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from freezegun import freeze_time
from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN, log_in

MEMBER = ("nerys@e2e.example.org", "the river runs past the mill")
REASONS = ("The skate park budget is already committed for two years, and the site floods "
           "every winter, so a new ramp would not last.")


def _setup(live_app: Any) -> tuple[int, int]:
    from pb.services import accounts
    from pb.services.council import councils as councils

    with live_app.app_context():
        admin = accounts.find_by_email(ADMIN[0])
        member = accounts.do_register(*MEMBER[:1], "Nerys Member", MEMBER[1],
                                      extra_roles=("council",))
        council = councils.do_create_council(admin, councils.CouncilData(
            "Riverside Youth Council", "Advises on **youth** spending.", 14))
        councils.do_add_member(admin, council, member, date.today() - timedelta(days=1), None)
        councils.do_update_council(admin, council, councils.CouncilData(
            "Riverside Youth Council", "Advises on **youth** spending.", 14, chair_id=member.id))
        referral = councils.do_refer(admin, council, councils.ReferralData(
            "What should the youth budget fund first?", date.today() + timedelta(days=21),
            "The youth budget is **£50,000**."))
        return council.id, referral.id


def test_council_advice_comply_or_explain_and_the_public_register(page: Page, shot: Any,
                                                                  live_app: Any) -> None:
    council_id, referral_id = _setup(live_app)

    # A council member drafts three recommendations and publishes them.
    log_in(page, *MEMBER)
    page.goto(f"/councils/referrals/{referral_id}")
    expect(page.get_by_role("heading", name="Draft advice")).to_be_visible()
    page.get_by_role("button", name="Add the recommendation").click()
    expect(page.get_by_role("alert")).to_contain_text("Write the recommendation")
    shot(page, "draft-error")
    for text in ("Open the youth club on Saturdays.", "Build a new skate ramp.",
                 "Fund a youth bus pass scheme."):
        page.get_by_label("Recommendation (English)").fill(text)
        page.get_by_label("Rationale (English)").fill("Young people asked for it at the forum.")
        page.get_by_role("button", name="Add the recommendation").click()
        expect(page.get_by_role("status")).to_contain_text("was added to the draft")
    shot(page, "draft")
    page.get_by_role("link", name="Check the advice before publishing it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the advice before you publish it")
    page.get_by_role("button", name="Publish the advice").click()
    expect(page.get_by_role("status")).to_contain_text("The advice was published")
    expect(page.locator(".recommendation")).to_have_count(3)
    shot(page, "published")
    page.get_by_role("button", name="Log out").click()

    # The decision body accepts one, rejects one with reasons, and defers one.
    log_in(page, *ADMIN)
    page.goto(f"/councils/referrals/{referral_id}")
    links = page.locator(".recommendation h3 a")
    urls = [links.nth(i).get_attribute("href") for i in range(3)]
    page.goto(urls[0])
    page.get_by_label("Response", exact=True).select_option("accepted")
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_role("status")).to_contain_text("The response was published")
    page.goto(urls[1])
    page.get_by_label("Response", exact=True).select_option("not_accepted")
    page.get_by_label("Reasons (English)").fill("Too dear.")
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 40 characters")
    shot(page, "respond-error")
    page.get_by_label("Reasons (English)").fill(REASONS)
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_role("status")).to_contain_text("The response was published")
    shot(page, "responded")
    page.goto(urls[2])
    deferred_until = date.today() + timedelta(days=20)
    page.get_by_label("Response", exact=True).select_option("deferred")
    page.get_by_label("Reasons (English)").fill("We decide on bus passes with the county council's "
                                      "transport budget in the spring.")
    page.get_by_label("Decision deferred until").fill(deferred_until.isoformat())
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_role("status")).to_contain_text("The response was published")
    page.get_by_role("button", name="Log out").click()

    # A visitor on a phone reads the register and the reasons.
    page.goto("/")
    page.get_by_role("link", name="Councils").click()
    shot(page, "councils")
    page.get_by_role("link", name="The register of recommendations and responses").click()
    page.get_by_label("Council", exact=True).select_option(str(council_id))
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"council={council_id}"))
    items = page.locator(".register-item")
    expect(items).to_have_count(3)
    expect(page.get_by_text(REASONS)).to_be_visible()
    expect(page.locator(".register")).to_contain_text("Deferred")
    expect(page.locator(".register")).not_to_contain_text("Overdue")
    shot(page, "register")
    page.get_by_role("link", name=re.compile("Riverside Youth Council|Recommendation 2")).first \
        .click()
    shot(page, "recommendation")

    # Once the deferral date passes without a new response, the register shows it overdue.
    later = datetime.combine(deferred_until + timedelta(days=5), datetime.min.time())
    with freeze_time(later, tick=True, real_asyncio=True):
        page.goto(f"/councils/register?council={council_id}&status=overdue")
        expect(page.locator(".register-item")).to_have_count(1)
        expect(page.locator(".register-item")).to_contain_text("Fund a youth bus pass scheme.")
        expect(page.locator(".overdue-days")).to_contain_text("days overdue")
        shot(page, "register-overdue")

    # The decision record shows every decision and checks out.
    page.goto("/records/")
    expect(page.get_by_role("heading", name="The record is intact")).to_be_visible()
    shot(page, "records")
    page.locator(".records a").first.click()
    shot(page, "record-entry")


def test_open_register_pages_update_live(page: Page, live_app: Any) -> None:
    from pb.services import accounts
    from pb.services.council import councils as councils
    from pb.services.council.responses import ResponseData, do_respond

    with live_app.app_context():
        admin = accounts.find_by_email(ADMIN[0])
        member = accounts.do_register("live@e2e.example.org", "Live Member", MEMBER[1],
                                      extra_roles=("council",))
        council = councils.do_create_council(admin, councils.CouncilData("Live Council"))
        councils.do_add_member(admin, council, member, date.today(), None)
        councils.do_update_council(admin, council, councils.CouncilData(
            "Live Council", chair_id=member.id))
        referral = councils.do_refer(admin, council, councils.ReferralData(
            "Live question?", date.today() + timedelta(days=9)))
        councils.do_add_recommendation(member, referral, "Keep the library open late.", "")
        councils.do_publish_advice(member, referral)
        council_id, rec_id = council.id, referral.recommendations[0].id
    page.goto(f"/councils/register?council={council_id}")
    expect(page.locator(".register-item")).to_contain_text("Awaiting a response")
    page.wait_for_function("window.io && document.getElementById('register-results')")
    page.wait_for_timeout(500)  # let the socket connect and join the register's room
    with live_app.app_context():
        from pb.extensions import db
        from pb.models import Recommendation

        do_respond(accounts.find_by_email(ADMIN[0]), db.session.get(Recommendation, rec_id),
                   ResponseData("not_accepted", REASONS))
    expect(page.locator(".register-item")).to_contain_text("Not accepted", timeout=10_000)
    expect(page.locator("#live-notice")).to_be_visible()
