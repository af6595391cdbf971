"""A council's advice in English and Cymraeg, at phone size: a member drafts in both columns, a
Welsh reader reads it in Welsh, an English reader of a Welsh-only question sees the note."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN, log_in

MEMBER = ("gwen@e2e.example.org", "the tide comes over the sand")


def _setup(live_app: Any) -> tuple[int, int]:
    from pb.services import accounts
    from pb.services.council import councils as councils

    with live_app.app_context():
        admin = accounts.find_by_email(ADMIN[0])
        member = accounts.do_register(MEMBER[0], "Gwen Member", MEMBER[1],
                                      extra_roles=("council",))
        data = councils.CouncilData("Cyngor Ieuenctid Glan yr Afon")
        council = councils.do_create_council(admin, data)
        councils.do_add_member(admin, council, member, date.today() - timedelta(days=1), None)
        data.chair_id = member.id
        councils.do_update_council(admin, council, data)
        both = councils.do_refer(admin, council, councils.ReferralData(
            "", date.today() + timedelta(days=21), texts={
                "en": {"question": "Which youth club opens first?", "background": ""},
                "cy": {"question": "Pa glwb ieuenctid sy’n agor gyntaf?", "background": ""}}))
        welsh = councils.do_refer(admin, council, councils.ReferralData(
            "", date.today() + timedelta(days=21), texts={
                "cy": {"question": "Pa lyfrgell ddylai agor ar ddydd Sul?", "background": ""}}))
        return both.id, welsh.id


def test_a_welsh_reader_reads_advice_written_in_both_languages(page: Page, shot: Any,
                                                               live_app: Any) -> None:
    both, welsh = _setup(live_app)
    log_in(page, *MEMBER)
    page.goto(f"/councils/referrals/{both}?lang=en")
    page.get_by_label("Recommendation (English)").fill("Open the Riverside club first.")
    page.get_by_label("Recommendation (Cymraeg)").fill("Agor clwb Glan yr Afon yn gyntaf.")
    page.get_by_label("Rationale (English)").fill("It is nearest the school.")
    page.get_by_label("Rationale (Cymraeg)").fill("Dyma’r agosaf at yr ysgol.")
    shot(page, "draft-both-columns")
    page.get_by_role("button", name="Add the recommendation").click()
    expect(page.get_by_role("status")).to_contain_text("was added to the draft")
    page.get_by_role("link", name="Check the advice before publishing it").click()
    expect(page.locator(".recommendation")).to_contain_text("Agor clwb Glan yr Afon")
    page.get_by_role("button", name="Publish the advice").click()
    expect(page.get_by_role("status")).to_contain_text("The advice was published")

    # Switch to Welsh and read the advice in Welsh, with no note.
    page.get_by_role("link", name="Cymraeg").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pa glwb ieuenctid sy’n agor gyntaf?")
    expect(page.locator(".rec-text")).to_have_text("Agor clwb Glan yr Afon yn gyntaf.")
    expect(page.get_by_test_id("not-yet")).to_have_count(0)
    shot(page, "advice-in-welsh")

    # A question written only in Welsh, read in English: marked as Welsh, with the note.
    page.goto(f"/councils/referrals/{welsh}?lang=en")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Pa lyfrgell ddylai agor ar ddydd Sul?")
    expect(heading).to_have_attribute("lang", "cy")
    expect(page.get_by_test_id("not-yet")).to_have_text("Not yet available in English")
    shot(page, "welsh-only-in-english")
