"""Places at phone size: pick a place on the map for a proposal, find it on the round's map,
and see an imported pabulib file's projects on the map (and exported unchanged)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN, log_in
from tests.shared_data import shared_data

PASSWORD = "afonbridge-demo-2026"
TILES = "https://tile.openstreetmap.org/"
GREEN = shared_data() / "pabulib" / "Poland_Wieliczka_2023_Green_Budget.pb"


def _tile() -> bytes:
    """Return a plain 256 × 256 PNG: the tiles a map server would send, with no internet."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((226, 236, 220)) * 256 for _ in range(256))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


TILE = _tile()
# A folder to copy this file's screenshots to as well, for a reviewer to look at.
COPY_TO = os.environ.get("E2E_SHOTS_COPY", "")


@pytest.fixture()
def look(shot: Any) -> Any:
    """Take the test's screenshot (checked with axe), keeping a copy to look at."""

    def take(page: Page, name: str) -> None:
        path = shot(page, name)
        if COPY_TO:
            Path(COPY_TO).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(COPY_TO) / path.name)

    return take


@pytest.fixture()
def tiles(page: Page) -> list[str]:
    """Serve the map's tiles from here; return the tile addresses the page asked for."""
    asked: list[str] = []

    def fulfil(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(body=TILE, content_type="image/png")

    page.route(f"{TILES}**", fulfil)
    return asked


def _round_id(live_app: Any, title: str) -> int:
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Round

    with live_app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(Round.title == title))
        db.session.remove()
    return round_id


def _errors(page: Page) -> list[str]:
    """Collect the page's console errors (a Content-Security-Policy refusal is one)."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    return found


def test_pick_a_place_on_the_map_and_find_it_on_the_rounds_map(
        page: Page, look: Any, live_app: Any, tiles: list[str]) -> None:
    errors = _errors(page)
    round_id = _round_id(live_app, "Green Northfield 2027")
    log_in(page, "resident@demo.example.org", PASSWORD)
    page.goto(f"/rounds/{round_id}/proposals/new")
    page.get_by_label("Title (English)").fill("Wildflower verge by the pond")
    page.get_by_label("Short summary (English)").fill("Sow the verge with native wildflowers.")
    page.get_by_label("Title (Cymraeg)").fill("Ymyl blodau gwyllt wrth y pwll")
    page.get_by_label("Short summary (Cymraeg)").fill("Hau blodau gwyllt brodorol ar yr ymyl.")
    page.get_by_label("Estimated cost").fill("2,500")
    page.get_by_label("Category").select_option(index=1)
    page.get_by_label("Area", exact=True).select_option(index=1)
    page.get_by_label("Where (optional)").fill("The verge along Pond Lane")
    picker = page.locator("[data-place-picker] .map")
    expect(picker).to_be_visible()
    expect(page.locator("[data-place-picker] .leaflet-tile-loaded").first).to_be_visible()
    picker.scroll_into_view_if_needed()
    picker.click(position={"x": 150, "y": 120})
    expect(page.get_by_label("Latitude (optional)")).to_have_value(re.compile(r"^-?\d+\.\d+$"))
    expect(page.locator("[data-pin-status]")).to_contain_text("Pin placed at latitude")
    page.get_by_role("button", name="Remove the pin").click()
    expect(page.get_by_label("Latitude (optional)")).to_have_value("")
    expect(page.locator("[data-place-picker] .leaflet-marker-icon")).to_have_count(0)
    page.get_by_role("button", name="Put the pin at the middle of the map").click()
    expect(page.get_by_label("Longitude (optional)")).to_have_value(re.compile(r"^-?\d+(\.\d+)?$"))
    # Typed coordinates move the pin: type a place in Cardiff exactly.
    page.get_by_label("Latitude (optional)").fill("51.4816")
    page.get_by_label("Longitude (optional)").fill("-3.1791")
    page.get_by_label("Longitude (optional)").press("Tab")
    look(page, "form-with-a-pin")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.get_by_role("status")).to_contain_text("Your proposal was submitted")
    expect(page.locator(".place")).to_contain_text("Latitude 51.4816, longitude -3.1791")
    expect(page.locator(".place")).to_contain_text("The verge along Pond Lane")
    # The small map loads only when asked for.
    page.get_by_role("button", name="Show it on a map").click()
    expect(page.locator(".place .leaflet-marker-icon")).to_be_visible()
    look(page, "proposal-place")
    proposal_url = page.url

    # On the round's map: search for it, open its pin, follow the popup's link.
    page.goto(f"/rounds/{round_id}/proposals")
    page.get_by_role("link", name=re.compile(r"Map view: \d+ proposals? with a place")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposals on a map")
    page.goto(page.url + "?q=wildflower+verge")
    marker = page.locator(".places-map .leaflet-marker-icon[title='Wildflower verge by the pond']")
    expect(marker).to_be_visible()
    marker.click()
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_text("Wildflower verge by the pond")
    look(page, "round-map-popup")
    popup_link.click()
    expect(page).to_have_url(proposal_url)
    assert tiles, "the map asked for no tiles"
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_nearby_places_cluster_and_a_cluster_opens_to_its_pins(
        page: Page, look: Any, live_app: Any, tiles: list[str]) -> None:
    from pb.extensions import db
    from pb.services import accounts, proposals

    round_id = _round_id(live_app, "Green Northfield 2027")
    with live_app.app_context():
        from pb.models import Round

        round_ = db.session.get(Round, round_id)
        author = accounts.find_by_email("resident@demo.example.org")
        for n, (lat, lon) in enumerate([(51.50001, -3.20001), (51.50002, -3.20002),
                                        (51.50003, -3.20003)]):
            proposals.do_create(author, round_, proposals.ProposalData(
                title=f"Cluster bench {n + 1}", summary="A bench.", body="",
                cost_minor=500_00, latitude=lat, longitude=lon,
                category=round_.categories[0], area=round_.areas[0]), submit=True)
        db.session.remove()
    page.goto(f"/rounds/{round_id}/proposals/map?q=cluster+bench")
    cluster = page.locator(".places-map .marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("3")
    look(page, "cluster")
    cluster.click()
    # Too close to split by zooming: the cluster spreads its pins out instead.
    marker = page.locator(".places-map .leaflet-marker-icon[title='Cluster bench 2']")
    expect(marker).to_be_visible()
    marker.click()
    expect(page.locator(".leaflet-popup-content a")).to_have_text("Cluster bench 2")
    # Without JavaScript the same places are a list.
    expect(page.locator(".places-list li")).to_have_count(3)


def test_an_imported_pabulib_file_shows_on_the_map_and_exports_unchanged(
        page: Page, look: Any, live_app: Any, tiles: list[str]) -> None:
    result = live_app.test_cli_runner().invoke(args=["import", str(GREEN)])
    assert result.exit_code == 0, result.output
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Round

    with live_app.app_context():
        round_id = db.session.scalar(sa.select(sa.func.max(Round.id)))
        db.session.remove()
    log_in(page, *ADMIN)
    page.goto(f"/rounds/{round_id}/proposals/map")
    expect(page.locator(".places-list li")).to_have_count(63)
    expect(page.locator(".places-map .leaflet-tile-loaded").first).to_be_visible()
    pins = page.locator(".places-map .marker-cluster, .places-map .leaflet-marker-icon")
    expect(pins.first).to_be_visible()
    look(page, "imported-round-map")
    assert "1 more has none yet" in page.locator("main").inner_text()
    # The export gives back every project's latitude and longitude as the file wrote them.
    exported = page.request.get(f"/rounds/{round_id}/ballots.pb").text()
    original = GREEN.read_text(encoding="utf-8-sig")

    def projects(text: str) -> list[str]:
        lines = text.replace("\r\n", "\n").split("\n")
        return lines[lines.index("PROJECTS"):lines.index("VOTES")]

    assert projects(exported) == projects(original)
    # An officer moves one project's pin: the export writes its new place, and only that.
    page.locator(".places-list a").first.click()
    page.get_by_role("link", name="Change the place (officers)").click()
    expect(page.locator("[data-place-picker] .leaflet-marker-icon")).to_be_visible()
    page.get_by_label("Latitude (optional)").fill("50.0")
    page.get_by_label("Longitude (optional)").fill("20.0")
    page.get_by_label("Longitude (optional)").press("Tab")
    look(page, "officer-moves-the-pin")
    page.get_by_role("button", name="Save the place").click()
    expect(page.get_by_role("status")).to_contain_text("The place was saved.")
    expect(page.locator(".place")).to_contain_text("Latitude 50, longitude 20")
    moved = page.locator("article[data-proposal]").get_attribute("data-proposal")
    with live_app.app_context():
        from pb.models import Proposal

        external = db.session.get(Proposal, int(moved)).external_id
        db.session.remove()
    after = projects(page.request.get(f"/rounds/{round_id}/ballots.pb").text())
    changed = [line for line, was in zip(after, projects(original), strict=True) if line != was]
    assert len(changed) == 1 and changed[0].startswith(f"{external};")
    assert changed[0].endswith(";50;20")
