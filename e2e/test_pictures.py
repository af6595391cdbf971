"""Photos at phone size: add one with alt text in English and Cymraeg from a phone, wait while
it is prepared, see it on the proposal (described in the reader's language), the ballot and
the projector; every bad upload is refused with a message naming the problem; a
proposal page with four photos stays under the page-weight budget."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.a11y import PAGE_BUDGET, measure_load
from e2e.conftest import ADMIN, SHOTS, log_in, new_page, opened
from tests import images

PASSWORD = "afonbridge-demo-2026"
RESIDENT = "resident@demo.example.org"
COPY_TO = os.environ.get("E2E_SHOTS_COPY", "")
WEIGHT = SHOTS.parent / "photo-page-weight.md"


def look(shot: Any, page: Page, name: str) -> None:
    path = shot(page, name)  # checked with axe too
    if COPY_TO:
        Path(COPY_TO).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(COPY_TO) / path.name)


def _proposal(live_app: Any, title: str) -> tuple[int, int]:
    """Make a round taking proposals, with the demo resident's proposal; return their ids."""
    from pb.extensions import db
    from pb.services import accounts, proposals, rounds

    with live_app.app_context():
        officer = accounts.find_by_email(ADMIN[0])
        author = accounts.find_by_email(RESIDENT)
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=f"{title} round", area="Afon", budget_minor=1_000_000, currency="GBP",
            ballot_method="scoring", tally_rule="greedy"))
        rounds.do_change_phase(officer, round_, "proposals")
        made, _ = proposals.do_create(author, round_, proposals.ProposalData(
            title=title, summary="Mend the swings and the roundabout.", body="",
            cost_minor=400_000), submit=True, form_key=os.urandom(8).hex())
        ids = round_.id, made.id
        db.session.remove()
    return ids


def _to_the_ballot_and_the_stage(live_app: Any, round_id: int, proposal_id: int) -> int:
    """Find the proposal feasible, open voting, and start a live pitch of it; return the
    session's id."""
    from pb.extensions import db
    from pb.services import accounts, live, proposals, rounds

    with live_app.app_context():
        officer = accounts.find_by_email(ADMIN[0])
        round_ = rounds.get_round(round_id, officer)
        rounds.do_change_phase(officer, round_, "review")
        proposal = proposals.get_proposal(proposal_id, officer)
        proposals.do_review(officer, proposal, "feasible", "", expected_version=None)
        rounds.do_change_phase(officer, round_, "deliberation")
        rounds.do_change_phase(officer, round_, "voting")
        session = live.do_create(officer, round_, "Park pitches", "open", "scoring",
                                 [(proposal_id, 60, 30)])
        live.do_control(officer, session, "start")
        session_id = session.id
        db.session.remove()
    return session_id


def _add_photo(page: Page, data: bytes, name: str, alt: str, mime: str = "image/jpeg",
               alt_cy: str = "") -> None:
    page.locator("#file").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.locator("#alt").fill(alt)
    page.locator("#alt_cy").fill(alt_cy)
    page.get_by_role("button", name="Add the photo").click()


def test_add_a_photo_from_a_phone_and_see_it_on_the_proposal_ballot_and_projector(
        page: Page, browser: Browser, base_url: str, live_app: Any, shot: Any) -> None:
    round_id, proposal_id = _proposal(live_app, "Swings for Parc Afon")
    log_in(page, RESIDENT, PASSWORD)
    page.goto(f"/proposals/{proposal_id}")
    page.get_by_role("link", name="Add or remove photos").click()
    look(shot, page, "photos-empty")
    _add_photo(page, images.photo(1600, 1200, orientation=6, gps=True),
               "IMG_2041.jpg", "The broken swings in Parc Afon",
               alt_cy="Y siglenni wedi torri ym Mharc Afon")
    expect(page.get_by_role("status").first).to_contain_text("The photo was received")
    # Prepared in the background: the page asks its state and shows the photo when ready.
    expect(page.get_by_role("img", name="The broken swings in Parc Afon")).to_be_visible(
        timeout=60_000)
    expect(page.get_by_text("Preparing your photo…")).to_have_count(0)
    look(shot, page, "photos-one")
    page.get_by_role("link", name="Back to the proposal").click()
    photo = page.get_by_role("img", name="The broken swings in Parc Afon")
    expect(photo).to_be_visible()
    assert photo.get_attribute("loading") == "lazy"
    assert "640w" in (photo.get_attribute("srcset") or "")
    # Turned upright from its EXIF orientation: taller than wide.
    box = photo.bounding_box()
    assert box and box["height"] > box["width"]
    look(shot, page, "proposal-with-photo")
    page.goto(f"/proposals/{proposal_id}?lang=cy")  # a Welsh reader hears the Welsh
    expect(page.get_by_role("img", name="Y siglenni wedi torri ym Mharc Afon")).to_be_visible()
    page.goto(f"/proposals/{proposal_id}?lang=en")
    page.goto(f"/rounds/{round_id}/proposals")
    expect(page.locator(".proposal img.thumb")).to_have_attribute(
        "alt", "The broken swings in Parc Afon")
    look(shot, page, "listing-thumbnail")

    session_id = _to_the_ballot_and_the_stage(live_app, round_id, proposal_id)
    page.goto(f"/rounds/{round_id}/vote")
    expect(page.locator(".ballot-project img.thumb")).to_be_visible()
    look(shot, page, "ballot-thumbnail")

    projector = opened(browser, base_url, {"width": 1280, "height": 720})
    log_in(projector, *ADMIN)
    projector.goto(f"/live/{session_id}/screen")
    expect(projector.locator("#s-title")).to_have_text("Swings for Parc Afon")
    expect(projector.get_by_role("img", name="The broken swings in Parc Afon")).to_be_visible()
    look(shot, projector, "projector-pitch")
    projector.context.close()


def test_each_bad_upload_is_refused_with_a_message(page: Page, live_app: Any,
                                                   shot: Any) -> None:
    _round_id, proposal_id = _proposal(live_app, "Crossing by the school")
    log_in(page, RESIDENT, PASSWORD)
    page.goto(f"/proposals/{proposal_id}/photos")
    bad = [
        (b"Just some text, not a photo", "crossing.jpg", "image/jpeg",
         "not a picture pb can read"),
        (images.png_bomb(), "huge.png", "image/png", "100 megapixels"),
        (images.gif_bomb(), "party.gif", "image/gif", "GIFs and animated pictures"),
        (images.SVG, "map.svg", "image/svg+xml", "SVG drawings cannot be added"),
        (b"", "empty.jpg", "image/jpeg", "The file is empty"),
    ]
    for data, name, mime, words in bad:
        _add_photo(page, data, name, "The crossing", mime)
        expect(page.locator(".error-summary")).to_contain_text(words)
        if name == "map.svg":
            look(shot, page, "svg-refused")
    _add_photo(page, images.photo(400, 300), "crossing.jpg", "")
    expect(page.locator(".error-summary")).to_contain_text("Describe the photo")
    expect(page.get_by_text("This proposal has no photos yet.")).to_be_visible()
    # Over the upload limit: the friendly 413 page.
    _add_photo(page, b"\xff\xd8\xff" + b"0" * (12 * 1024 * 1024), "big.jpg", "Big")
    expect(page.locator("h1")).to_have_text("That was too large to send")
    look(shot, page, "too-large")


def test_bad_papers_are_refused_and_a_good_one_downloads(page: Page, live_app: Any,
                                                         shot: Any) -> None:
    round_id, _proposal_id = _proposal(live_app, "Library garden")
    log_in(page, *ADMIN)
    page.goto(f"/rounds/{round_id}")
    page.get_by_role("link", name="Add or remove papers").click()
    page.locator("#title").fill("Costs of the works")
    page.locator("#file").set_input_files({"name": "costs.pdf", "mimeType": "application/pdf",
                                           "buffer": images.pdf(javascript=True)})
    page.get_by_role("button", name="Add the paper").click()
    expect(page.locator(".error-summary")).to_contain_text("contains JavaScript")
    look(shot, page, "pdf-with-javascript")
    page.locator("#file").set_input_files({"name": "costs.pdf", "mimeType": "application/pdf",
                                           "buffer": images.pdf()})
    page.get_by_role("button", name="Add the paper").click()
    expect(page.get_by_role("status")).to_contain_text("The paper was added")
    page.goto(f"/rounds/{round_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Costs of the works").click()
    assert download.value.suggested_filename == "Costs-of-the-works.pdf"
    look(shot, page, "round-with-paper")


def test_a_proposal_with_four_photos_fits_the_page_weight_budget(
        browser: Browser, base_url: str, live_app: Any) -> None:
    from pb.extensions import db
    from pb.services import accounts, picture_jobs, proposals

    _round_id, proposal_id = _proposal(live_app, "Four corners of the park")
    with live_app.app_context():
        author = accounts.find_by_email(RESIDENT)
        proposal = proposals.get_proposal(proposal_id, author)
        for n in range(4):
            picture_jobs.do_add(author, proposal, images.photo(4000, 3000, seed=n),
                                f"Corner {n + 1} of the park")
        db.session.remove()
    picture_jobs.wait_idle(600)  # prepared in the background (slow on a loaded machine)
    page = new_page(browser, base_url, "en", "light")  # a fresh phone: nothing cached
    weight = measure_load(page, f"/proposals/{proposal_id}")
    photos = [(url, size) for url, size in weight.files if "/media/" in url]
    page.context.close()
    WEIGHT.parent.mkdir(parents=True, exist_ok=True)
    WEIGHT.write_text(f"Proposal page with 4 photos at 375 x 812: {weight.total:,} bytes in "
                      f"all, {sum(s for _u, s in photos):,} of them in {len(photos)} photo "
                      f"files\n" + "".join(f"- {u}: {s:,}\n" for u, s in weight.files))
    print(WEIGHT.read_text())
    assert len(photos) == 4, weight.files
    assert weight.total <= PAGE_BUDGET, (weight.total, weight.files)
