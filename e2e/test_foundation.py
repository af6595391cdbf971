"""Whole journeys of the foundation, in Chromium at phone size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN, log_in


def test_register_then_log_in(page: Page, shot: Any) -> None:
    page.goto("/")
    shot(page, "home")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("Your name").fill("Nia")
    page.get_by_label("Email address").fill("nia@e2e.example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")
    expect(page.get_by_label("Your name")).to_have_value("Nia")
    shot(page, "register-error")
    page.get_by_label("Password", exact=True).fill("a walk by the river")
    page.get_by_label("Password again").fill("a walk by the river")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome, Nia")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("logged out")
    log_in(page, "nia@e2e.example.org", "a walk by the river")
    expect(page.get_by_role("status")).to_contain_text("You are logged in")
    shot(page, "logged-in")


def test_admin_creates_a_round_and_opens_proposals(page: Page, shot: Any) -> None:
    log_in(page, *ADMIN)
    page.get_by_role("link", name="New round").click()
    page.get_by_label("Title (English)", exact=True).fill("Parks for Penrhos 2027")
    page.get_by_label("Area", exact=True).fill("Penrhos")
    page.get_by_label("Description (English)", exact=True).fill(
        "Money for **parks** and play areas.")
    page.get_by_label("Total budget").fill("-5")
    page.get_by_role("button", name="Create the round").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be negative")
    shot(page, "round-form-error")
    page.get_by_label("Total budget").fill("120,000")
    page.get_by_label("Proposals", exact=True).fill("2027-03-01T09:00")
    page.get_by_label("Voting", exact=True).fill("2027-05-01T09:00")
    page.get_by_role("button", name="Create the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parks for Penrhos 2027")
    expect(page.get_by_text("£120,000")).to_be_visible()
    page.get_by_label("Move the round to").select_option("proposals")
    page.get_by_role("button", name="Change phase").click()
    expect(page.get_by_role("status")).to_contain_text("now in the proposals phase")
    shot(page, "round-officer")


def test_visitor_sees_the_public_round_and_its_timeline(page: Page, shot: Any,
                                                        live_app: Any) -> None:
    from pb.services import rounds
    from pb.services.accounts import find_by_email

    with live_app.app_context():
        admin = find_by_email(ADMIN[0])
        round_ = rounds.do_create_round(admin, rounds.RoundData(
            title="Harbour Fund 2027", area="Harbourside", budget_minor=8_000_000,
            currency="GBP", ballot_method="approval", tally_rule="greedy"))
        rounds.do_change_phase(admin, round_, "proposals")
        round_id = round_.id
    page.goto("/rounds/")
    page.get_by_role("link", name="Harbour Fund 2027").click()
    expect(page).to_have_url(re.compile(rf"/rounds/{round_id}$"))
    expect(page.get_by_text("£80,000")).to_be_visible()
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("[aria-current=step]")).to_contain_text("Proposals")
    expect(timeline).to_contain_text("by Alex Admin")
    expect(page.get_by_role("heading", name="For officers")).to_have_count(0)
    shot(page, "round-public")


def test_round_page_hears_phase_changes_live(page: Page, live_app: Any) -> None:
    from pb.services import rounds
    from pb.services.accounts import find_by_email

    with live_app.app_context():
        admin = find_by_email(ADMIN[0])
        round_ = rounds.do_create_round(admin, rounds.RoundData(
            title="Live Fund", area="Town", budget_minor=1_000_000, currency="GBP",
            ballot_method="approval", tally_rule="greedy"))
        rounds.do_change_phase(admin, round_, "proposals")
        round_id = round_.id
    page.goto(f"/rounds/{round_id}")
    page.wait_for_function("window.io && document.querySelector('[data-round]')")
    page.wait_for_timeout(500)  # let the socket connect and join the round's room
    with live_app.app_context():
        admin = find_by_email(ADMIN[0])
        rounds.do_change_phase(admin, rounds.get_round(round_id, admin), "review")
    expect(page.locator("#live-notice")).to_contain_text("Review", timeout=10_000)


def test_visitor_reads_the_results_and_downloads_the_ballots(page: Page, shot: Any,
                                                             live_app: Any) -> None:
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Round

    with live_app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(
            Round.title == "Harbourside Improvements 2025"))
        db.session.remove()
    page.goto(f"/rounds/{round_id}")
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    expect(page.locator(".lead")).to_contain_text("funded, using")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(4)  # header + 3 on ballot
    shot(page, "results")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ballots (.pb, pabulib)").click()
    assert download.value.suggested_filename == f"round-{round_id}.pb"
    assert "VOTES" in Path(download.value.path()).read_text()


def test_officer_departs_from_the_vote_and_a_visitor_reads_why(browser: Any, page: Page,
                                                              shot: Any, base_url: str,
                                                              live_app: Any) -> None:
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Round

    with live_app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(
            Round.title == "Harbourside Improvements 2025"))
        db.session.remove()
    reason = "The quay is being rebuilt, so the lifebuoys wait for the new railings."
    log_in(page, *ADMIN)
    page.goto(f"/rounds/{round_id}/results")
    expect(page.get_by_text("Certified by Olu Officer")).to_be_visible()
    page.get_by_label("Project", exact=True).select_option(label="Outdoor gym")
    page.get_by_label("Decision").select_option("drop")
    page.get_by_label("Public reason").fill(reason)
    page.get_by_role("button", name="Publish the departure").click()
    expect(page.get_by_role("status")).to_contain_text("departure from the vote")
    shot(page, "results-officer")
    visitor = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 812})
    public = visitor.new_page()
    public.goto(f"/rounds/{round_id}/results")
    expect(public.get_by_role("heading", name="Departures from the vote")).to_be_visible()
    expect(public.get_by_text(reason)).to_be_visible()
    expect(public.get_by_role("heading", name="For officers")).to_have_count(0)
    shot(public, "results-departure-public")
    visitor.close()
