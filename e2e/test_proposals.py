"""Proposals in Chromium at phone size: a resident submits, an officer reviews."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import log_in

PASSWORD = "afonbridge-demo-2026"


def _round_id(live_app: Any, title: str = "Green Northfield 2027") -> int:
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Round

    with live_app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(Round.title == title))
        db.session.remove()
    return round_id


def test_resident_submits_and_officer_reviews(page: Page, shot: Any, live_app: Any) -> None:
    round_id = _round_id(live_app)
    log_in(page, "resident@demo.example.org", PASSWORD)
    page.goto(f"/rounds/{round_id}")
    page.get_by_role("link", name="Browse, search and filter the proposals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposals")
    shot(page, "listing")
    page.get_by_role("link", name="Propose a project").first.click()
    page.get_by_label("Title (English)").fill("Community orchard")
    page.get_by_label("Short summary (English)").fill(
        "Twenty fruit trees on the old bowling green.")
    page.get_by_label("Full description (English)").fill(
        "Apples, pears and **plums** for everyone.")
    page.get_by_label("Title (Cymraeg)").fill("Perllan gymunedol")
    page.get_by_label("Short summary (Cymraeg)").fill(
        "Ugain o goed ffrwythau ar yr hen lawnt fowlio.")
    page.get_by_label("Full description (Cymraeg)").fill(
        "Afalau, gellyg ac **eirin** i bawb.")
    page.get_by_label("Estimated cost").fill("900000")
    page.get_by_label("Category").select_option("Environment")
    page.get_by_label("Area", exact=True).select_option("Northfield")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.get_by_role("alert")).to_contain_text("more than the round’s whole budget")
    expect(page.get_by_label("Title (English)")).to_have_value("Community orchard")
    shot(page, "form-error")
    page.get_by_label("Estimated cost").fill("9,000")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Your proposal was submitted")
    expect(page.get_by_role("heading", level=1)).to_have_text("Community orchard")
    expect(page.locator(".prose strong")).to_have_text("plums")
    orchard_url = page.url
    shot(page, "submitted")
    page.get_by_role("button", name="Log out").click()

    log_in(page, "officer@demo.example.org", PASSWORD)
    page.goto(orchard_url)
    page.get_by_label("Decision").select_option("not_feasible")
    page.get_by_role("button", name="Publish the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("public reason")
    shot(page, "review-error")
    page.get_by_label("Decision").select_option("not_feasible")
    page.get_by_label("Public note").fill("The bowling green is a listed space; no planting.")
    page.get_by_role("button", name="Publish the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Your decision was saved")
    expect(page.locator(".verdict")).to_contain_text("listed space")
    expect(page.locator(".history")).to_contain_text("by Olu Officer")
    shot(page, "not-feasible")

    page.goto(f"/rounds/{round_id}/proposals?status=submitted")
    page.locator("ul.proposals a").first.click()
    page.get_by_label("Decision").select_option("feasible")
    page.get_by_role("button", name="Publish the decision").click()
    expect(page.locator(".meta .status-tag")).to_have_text("Feasible")
    shot(page, "feasible")


def test_no_sampled_payload_runs_in_the_browser(page: Page, shot: Any,
                                                live_app: Any) -> None:
    from pb.extensions import db
    from pb.models import Round
    from pb.services import accounts, proposals
    from tests.xss_payloads import PAYLOADS

    round_id = _round_id(live_app)
    sample = PAYLOADS[::5]
    with live_app.app_context():
        author = accounts.find_by_email("resident@demo.example.org")
        round_ = db.session.get(Round, round_id)
        proposal, _ = proposals.do_create(author, round_, proposals.ProposalData(
            title=sample[0], summary=sample[1], body="\n\n".join(sample),
            cost_minor=100, category="Play", area="Northfield"), submit=True)
        proposal_id = proposal.id
        db.session.remove()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"/proposals/{proposal_id}")
    for link in page.locator(".prose a").all():
        href = link.get_attribute("href") or ""
        assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), href
    page.goto(f"/rounds/{round_id}/proposals?sort=newest")
    page.wait_for_timeout(300)
    assert dialogs == []
    shot(page, "payloads-listing")
