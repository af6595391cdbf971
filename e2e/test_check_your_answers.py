"""Check your answers in Chromium at phone size, with axe on every page: publishing a
council's advice, certifying results, moving a round back, and the record that follows."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN, log_in

CHAIR = ("gwen@e2e-check.example.org", "the chair reads every word")
CHAIR_B = ("iolo@e2e-check.example.org", "the first to approve it")
MINE = Path("/tmp/shots/checks")  # noqa: S108 - where the reviewers look, by agreement


def _keep(path: Path) -> None:
    """Keep a copy of a screenshot where the people reviewing this change look for them."""
    MINE.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, MINE / path.name)


def _council(live_app: Any) -> int:
    from pb.extensions import db
    from pb.services import accounts
    from pb.services.council import councils as councils

    with live_app.app_context():
        admin = accounts.find_by_email(ADMIN[0])
        chair = accounts.do_register(CHAIR[0], "Gwen Chair", CHAIR[1], extra_roles=("council",))
        data = councils.CouncilData("Check Council", "Advises on **parks**.", 21)
        council = councils.do_create_council(admin, data)
        councils.do_add_member(admin, council, chair, date.today() - timedelta(days=3), None)
        data.chair_id = chair.id
        councils.do_update_council(admin, council, data)
        referral = councils.do_refer(admin, council, councils.ReferralData(
            "Which park needs new benches first?", date.today() + timedelta(days=30)))
        councils.do_add_recommendation(chair, referral, "Start with Victoria Park.",
                                       "Its benches are the oldest; residents’ survey, £4,000.")
        referral_id = referral.id
        db.session.remove()
    return referral_id


def _round(live_app: Any, title: str, phase: str) -> int:
    """A round with three projects and four ballots: two online with receipts, one entered
    from paper, one imported."""
    from pb.extensions import db
    from pb.models import Ballot, Proposal
    from pb.services import accounts, rounds

    with live_app.app_context():
        admin = accounts.find_by_email(ADMIN[0])
        round_ = rounds.do_create_round(admin, rounds.RoundData(
            title=title, area="Parkside", budget_minor=100_000, currency="GBP",
            ballot_method="approval", tally_rule="greedy", language="en"))
        projects = [Proposal(round_id=round_.id, title=name, cost_minor=pounds * 100,
                             summary=name, status="feasible", language="en")
                    for name, pounds in (("New benches", 400), ("Play area", 500),
                                         ("Wildflowers", 300))]
        db.session.add_all(projects)
        db.session.commit()
        for step in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(admin, round_, step)
        for n, (source, fp) in enumerate((("online", "a" * 64), ("online", "b" * 64),
                                          ("paper", None), ("import", None))):
            db.session.add(Ballot(round_id=round_.id, voter_key=f"check:{n}", source=source,
                                  items=[str(projects[n % 2].id)], receipt_fp=fp))
        db.session.commit()
        if phase == "results":
            rounds.do_change_phase(admin, round_, "results")
        round_id = round_.id
        db.session.remove()
    return round_id


def test_the_chair_checks_the_advice_and_an_officer_checks_the_count(
        page: Page, shot: Any, live_app: Any) -> None:
    referral_id = _council(live_app)
    round_id = _round(live_app, "Parkside Fund (e2e check)", "results")
    back_id = _round(live_app, "Parkside Fund (e2e going back)", "voting")

    # The chair opens the check page from the draft, reads it, and publishes.
    log_in(page, *CHAIR)
    page.goto(f"/councils/referrals/{referral_id}")
    expect(page.get_by_text("You are the council’s chair, so you publish its advice")) \
        .to_be_visible()
    page.get_by_role("link", name="Check the advice before publishing it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the advice before you publish it")
    expect(page.get_by_text("Its benches are the oldest")).to_be_visible()
    expect(page.get_by_text("An entry is added to the public decision record")).to_be_visible()
    _keep(shot(page, "advice-check"))
    page.get_by_role("button", name="Publish the advice").click()
    expect(page.get_by_role("status")).to_contain_text("The advice was published")
    expect(page.locator(".recommendation .rationale")).to_contain_text("Its benches")
    _keep(shot(page, "advice-published"))
    page.get_by_role("button", name="Log out").click()

    # An officer checks the count, with the ballots that have no receipts explained.
    log_in(page, *ADMIN)
    page.goto(f"/rounds/{round_id}/results")
    page.get_by_role("link", name="Check the count before certifying it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the count before you certify it")
    expect(page.locator(".receipt-counts")).to_contain_text("4 ballots in all:")
    expect(page.locator(".receipt-counts")).to_contain_text("1 entered from a paper ballot")
    _keep(shot(page, "certify-check"))
    page.get_by_role("button", name="Certify these results").click()
    expect(page.get_by_role("status")).to_contain_text("The results are certified")
    expect(page.locator(".receipt-counts")).to_contain_text(
        "2 cast online, with their receipts in the list")
    _keep(shot(page, "certified"))

    # The record reads as sentences, with the JSON one click away.
    page.get_by_role("link", name="Decision record entry").first.click()
    expect(page.locator(".lead a")).to_have_text("Parkside Fund (e2e check)")
    expect(page.locator("pre.record-body")).to_be_hidden()
    page.get_by_text("The entry as recorded (JSON)").click()
    expect(page.locator("pre.record-body")).to_be_visible()
    _keep(shot(page, "record-entry"))

    # Moving a round back says what happens to its ballots first.
    page.goto(f"/rounds/{back_id}")
    page.get_by_label("Move the round to").select_option("deliberation")
    page.get_by_label("Public reason").fill("A project's cost was printed wrongly.")
    page.get_by_role("button", name="Change phase").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check before you move the round back")
    expect(page.get_by_text("The 4 ballots already cast are kept")).to_be_visible()
    _keep(shot(page, "phase-back-check"))
    page.get_by_role("button", name="Move the round back to the deliberation phase").click()
    expect(page.get_by_role("status")).to_contain_text("now in the deliberation phase")


SECOND = ("huw@e2e-check.example.org", "a second pair of eyes")


def test_a_majority_of_members_approve_before_advice_is_published(
        page: Page, shot: Any, live_app: Any) -> None:
    from pb.extensions import db
    from pb.services import accounts
    from pb.services.council import councils as councils

    with live_app.app_context():
        admin = accounts.find_by_email(ADMIN[0])
        data = councils.CouncilData("Majority Council", "Advises on **libraries**.", 30)
        council = councils.do_create_council(admin, data)
        people = [accounts.do_register(email, name, password, extra_roles=("council",))
                  for (email, password), name in ((CHAIR_B, "Iolo Member"),
                                                  (SECOND, "Huw Member"))]
        for person in people:
            councils.do_add_member(admin, council, person, date.today(), None)
        referral = councils.do_refer(admin, council, councils.ReferralData(
            "Should the library open on Sundays?", date.today() + timedelta(days=30)))
        councils.do_add_recommendation(people[0], referral, "Open on Sunday afternoons.",
                                       "Families asked for it in the survey.")
        council_id, referral_id = council.id, referral.id
        db.session.remove()

    # An officer lets a majority of members publish.
    log_in(page, *ADMIN)
    page.goto(f"/councils/{council_id}/edit")
    page.get_by_label("A majority of the current members, each approving the same draft").check()
    _keep(shot(page, "council-settings"))
    page.get_by_role("button", name="Save the council").click()
    expect(page.get_by_text("published when a majority of its current members")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The first member approves: not published yet, and the draft says who approved.
    log_in(page, *CHAIR_B)
    page.goto(f"/councils/referrals/{referral_id}")
    page.get_by_role("link", name="Check the advice before approving it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the advice before you approve it")
    _keep(shot(page, "approve-check"))
    page.get_by_role("button", name="Approve the advice").click()
    expect(page.get_by_role("status")).to_contain_text("Your approval is recorded")
    expect(page.locator(".approvals")).to_contain_text("Approved so far (1 of 2): Iolo Member.")
    _keep(shot(page, "approved-once"))
    page.get_by_role("button", name="Log out").click()

    # The second member's approval makes the majority and publishes the advice.
    log_in(page, *SECOND)
    page.goto(f"/councils/referrals/{referral_id}/publish")
    page.get_by_role("button", name="Approve and publish the advice").click()
    expect(page.get_by_role("status")).to_contain_text("The advice was published")
