"""Choosing a council by lot in Chromium at phone size: from opening a recruitment to a
seated council, with the seed entered twice, a replacement, and the draw replayed."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner
from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN, log_in
from pb.commands.sortition import sortition_group
from pb.demo.data import DEMO_PASSWORD
from pb.extensions import db
from pb.models import CouncilMember, OutboxMessage, Volunteer

OFFICER = ("officer@demo.example.org", DEMO_PASSWORD)
QUOTAS = """feature,category,min,max,population
Age,Under 40,1,3,0.45
Age,40 and over,1,3,0.55
Area,North,1,3,0.5
Area,South,1,3,0.5"""
IMPORTED = """name,email,age,area
Iwan Imported,iwan@e2e.example.org,Under 40,North
Jo Imported,jo@e2e.example.org,40 and over,South
Kim Imported,kim@e2e.example.org,Under 40,South
Lee Imported,lee@e2e.example.org,40 and over,North
Mo Imported,mo@e2e.example.org,Under 40,North
Ned Imported,ned@e2e.example.org,40 and over,South
Oli Imported,oli@e2e.example.org,under 40,south
Pat Imported,pat@e2e.example.org,40 AND OVER,North
Rae Imported,rae@e2e.example.org,40 and over,North"""
SEED = "12 7 33 41 5"


def _council(live_app: Any) -> int:
    from pb.services import accounts
    from pb.services.council import councils

    with live_app.app_context():
        council = councils.do_create_council(accounts.find_by_email(ADMIN[0]),
                                             councils.CouncilData("Harbour Council by Lot"))
        return council.id


def _last_link(live_app: Any, email: str, path: str) -> str:
    """The newest link to `path` in the outbox for `email`, as a path on this site."""
    with live_app.app_context():
        bodies = db.session.scalars(sa.select(OutboxMessage.body)
                                    .where(OutboxMessage.recipient == email)
                                    .order_by(OutboxMessage.id.desc())).all()
        db.session.remove()
    for body in bodies:
        found = re.search(rf"https?://[^/\s]+(/councils/{path}/\S+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link for {email}")


def _volunteer(page: Page, rid: int, name: str, email: str, age: str, area: str) -> str:
    page.goto(f"/councils/recruitments/{rid}/volunteer")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Age", exact=True).select_option(age)
    page.get_by_label("Area", exact=True).select_option(area)
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Volunteer").click()
    expect(page.get_by_role("heading", name="Thank you for volunteering")).to_be_visible()
    return page.locator(".receipt").inner_text().strip()


def test_a_council_is_chosen_by_lot_from_recruitment_to_seats(page: Page, shot: Any,
                                                              live_app: Any,
                                                              tmp_path: Path) -> None:
    council_id = _council(live_app)

    # An officer opens a recruitment; quotas no panel could use are refused first.
    log_in(page, *ADMIN)
    page.goto(f"/councils/{council_id}")
    page.get_by_role("link", name="Recruit members by lot").click()
    page.get_by_label("Title").fill("Harbour council 2027")
    page.get_by_label("Seats on the panel").fill("4")
    closes = date.today() + timedelta(days=14)
    page.get_by_label("Volunteering closes (UTC)").fill(f"{closes.isoformat()}T18:00")
    page.get_by_label("Term starts").fill((closes + timedelta(days=20)).isoformat())
    page.get_by_label("How the seed will be drawn").fill(
        "Five numbered balls drawn from a bag at the harbour meeting, read out and minuted.")
    page.get_by_label("Quotas").fill(QUOTAS.replace("North,1,3", "North,3,1"))
    page.get_by_label("Panels in the lottery").fill("100")
    page.get_by_role("button", name="Open volunteering").click()
    expect(page.get_by_role("alert")).to_contain_text("Row 4: the min (3) is more than the max")
    shot(page, "bad-quotas")
    page.get_by_label("Quotas").fill(QUOTAS)
    page.get_by_role("button", name="Open volunteering").click()
    expect(page.get_by_role("heading", name="Harbour council 2027")).to_be_visible()
    rid = int(re.search(r"/recruitments/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    shot(page, "opened")
    page.get_by_role("button", name="Log out").click()

    # Residents volunteer on their phones, without accounts, and confirm their emails.
    numbers = []
    for name, email, age, area in (
            ("Ffion Volunteer", "ffion@e2e.example.org", "Under 40", "North"),
            ("Gwil Volunteer", "gwil@e2e.example.org", "40 and over", "South"),
            ("Hana Volunteer", "hana@e2e.example.org", "Under 40", "South")):
        numbers.append(_volunteer(page, rid, name, email, age, area))
        page.goto(_last_link(live_app, email, "volunteer"))
        page.get_by_role("button", name="Confirm my email").click()
        expect(page.get_by_text("Email confirmed: you are in the pool.")).to_be_visible()
    shot(page, "confirmed")
    # The same email twice is refused with a sentence.
    page.goto(f"/councils/recruitments/{rid}/volunteer")
    page.get_by_label("Your name").fill("Ffion Again")
    page.get_by_label("Your email address").fill("FFION@e2e.example.org")
    page.get_by_label("Age", exact=True).select_option("Under 40")
    page.get_by_label("Area", exact=True).select_option("North")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Volunteer").click()
    expect(page.get_by_role("alert")).to_contain_text("already registered")
    # The public page shows counts against the quotas, never names.
    page.goto(f"/councils/recruitments/{rid}")
    expect(page.locator("main")).not_to_contain_text("Ffion")
    shot(page, "public-counts")

    # The officer imports replies to letters, closes volunteering and publishes.
    log_in(page, *ADMIN)
    page.goto(f"/councils/recruitments/{rid}")
    page.get_by_label("Or paste the rows here").fill(IMPORTED)
    page.get_by_role("button", name="Import the volunteers").click()
    expect(page.get_by_role("status")).to_contain_text("9")
    page.get_by_role("button", name="Close volunteering now").click()
    page.get_by_role("button", name="Publish the selection").click()
    expect(page.get_by_role("heading", name="The selection: everyone’s chance")).to_be_visible()
    expect(page.locator("main svg")).to_have_count(1)
    shot(page, "published")
    page.get_by_role("button", name="Log out").click()

    # A volunteer finds their own chance with their number.
    page.goto(f"/councils/recruitments/{rid}")
    page.get_by_label("Your volunteer number").fill(numbers[0])
    page.get_by_role("button", name="Show my chance").click()
    expect(page.locator("main")).to_contain_text(re.compile(rf"{numbers[0]}.*%"))

    # The seed, entered twice by two officers: a mismatch draws nothing.
    log_in(page, *OFFICER)
    page.goto(f"/councils/recruitments/{rid}")
    page.get_by_label("The seed, as drawn in public").fill("12 7 33 41 6")
    page.get_by_role("button", name="Enter the seed").click()
    expect(page.get_by_role("status")).to_contain_text("a second officer must now enter it")
    page.get_by_role("button", name="Log out").click()
    log_in(page, *ADMIN)
    page.goto(f"/councils/recruitments/{rid}")
    page.get_by_label("The seed, as drawn in public").fill(SEED)
    page.get_by_role("button", name="Enter the seed").click()
    expect(page.get_by_role("status")).to_contain_text("The two entries differ")
    shot(page, "seeds-differ")
    page.get_by_label("The seed, as drawn in public").fill(SEED)
    page.get_by_role("button", name="Enter the seed").click()
    expect(page.get_by_role("status")).to_contain_text("a second officer must now enter it")
    page.get_by_role("button", name="Log out").click()
    log_in(page, *OFFICER)
    page.goto(f"/councils/recruitments/{rid}")
    page.get_by_label("The seed, as drawn in public").fill("12, 7, 33, 41, 5")
    page.get_by_role("button", name="Enter the seed").click()
    expect(page.get_by_role("status")).to_contain_text("Drawn: panel")
    shot(page, "drawn")

    # Anyone can replay the draw from the published files.
    for name in ("quotas.csv", "pool.csv", "probabilities.csv", "panels.csv",
                 "selection.json"):
        response = page.request.get(f"/councils/recruitments/{rid}/files/{name}")
        assert response.ok, name
        (tmp_path / name).write_bytes(response.body())
    manifest = json.loads((tmp_path / "selection.json").read_text())
    replay = CliRunner().invoke(sortition_group, ["verify", str(tmp_path)])
    assert replay.exit_code == 0, replay.output
    assert "This is the panel published as drawn." in replay.output
    panel = manifest["panel"]
    assert len(panel) == 4

    # The panel is invited: one accepts and is seated, one declines and is replaced.
    with live_app.app_context():
        drawn = {v.number: (v.email, v.name) for v in db.session.scalars(
            sa.select(Volunteer).where(Volunteer.recruitment_id == rid,
                                       Volunteer.invitation == "invited"))}
        db.session.remove()
    assert sorted(drawn) == sorted(panel)
    first, second = sorted(drawn)[:2]
    page.goto(_last_link(live_app, drawn[first][0], "invitation"))
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("main")).to_contain_text("Check your email")
    shot(page, "accepted")
    page.goto(_last_link(live_app, drawn[second][0], "invitation"))
    page.get_by_role("button", name="Decline").click()
    expect(page.locator("main")).to_contain_text("someone else has been drawn in your place")

    # The first member drops out later: a replacement is drawn from the same seed.
    page.goto(f"/councils/recruitments/{rid}")
    page.get_by_role("button", name=f"Dropped out – {drawn[first][1]}").click()
    expect(page.get_by_role("status")).to_contain_text("in their place")
    page.get_by_role("button", name="Log out").click()
    page.goto(f"/councils/recruitments/{rid}")
    expect(page.locator("main")).to_contain_text(f"replacement of {second}")
    expect(page.locator("main")).to_contain_text(f"replacement of {first}")
    shot(page, "replacements")
    with live_app.app_context():
        members = db.session.scalars(sa.select(CouncilMember)
                                     .where(CouncilMember.council_id == council_id)).all()
        assert members == []        # the term had not started, so it was taken away
        db.session.remove()

    # The council's page shows the panel against the quotas and how fair the selection was.
    page.goto(f"/councils/{council_id}")
    expect(page.get_by_role("heading", name="How members are chosen")).to_be_visible()
    expect(page.get_by_role("heading", name="How fair the selection was")).to_be_visible()
    shot(page, "council-page")
