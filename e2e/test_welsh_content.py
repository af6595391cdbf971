"""Reading the demo town in Welsh at phone size: switch to Cymraeg with the site's language
switch and read a round written in both languages, then a round in English only (marked as
such), then switch back (issue #17, "switch to Welsh and read a round written in both
languages")."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Page, expect

from pb.extensions import db
from pb.models import Round

BILINGUAL = "Old Town Community Fund"
BILINGUAL_CY = "Cronfa Gymunedol yr Hen Dref"
CROSSING = "Safer crossing at Bridge Street"
CROSSING_CY = "Croesfan fwy diogel ar Stryd y Bont"
CROSSING_SUMMARY_CY = "Croesfan sebra a goleuadau y tu allan i'r ysgol gynradd."
ENGLISH_ONLY = "Green Northfield 2027"
TILES = "https://tile.openstreetmap.org/"


def _tile() -> bytes:
    """Return a plain map tile, served here instead of the internet's."""
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (226, 236, 220)).save(out, "PNG")
    return out.getvalue()


def _round_id(live_app: Any, title: str) -> int:
    with live_app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(Round.title == title))
        db.session.remove()
    assert round_id, f"the demo has no round {title!r}"
    return round_id


def _switch_to(page: Page, name: str) -> None:
    """Choose a language in the header's switch, as a person would."""
    page.locator("nav.lang").get_by_role("link", name=name).click()
    page.wait_for_load_state()


def test_switch_to_welsh_and_read_a_round_written_in_both_languages(
        page: Page, shot: Any, live_app: Any) -> None:
    page.goto(f"/rounds/{_round_id(live_app, BILINGUAL)}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(BILINGUAL)

    _switch_to(page, "Cymraeg")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(BILINGUAL_CY)
    assert heading.get_attribute("lang") in (None, "cy")
    main = page.locator("main")
    expect(main).to_contain_text("Dewiswch unrhyw brosiectau sy'n ffitio o fewn y gyllideb.")
    expect(main.locator("[data-testid=not-yet]")).to_have_count(0)
    expect(main.locator("[lang=en]")).to_have_count(0)  # every text of the round is Welsh
    card = main.locator("li.proposal").filter(has_text=CROSSING_CY)
    expect(card).to_contain_text(CROSSING_SUMMARY_CY)
    expect(card.locator(".category")).to_have_text("Trafnidiaeth")
    shot(page, "bilingual-round-in-welsh")

    card.get_by_role("link", name=CROSSING_CY).click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text(CROSSING_CY)
    expect(page.locator("main .lead")).to_have_text(CROSSING_SUMMARY_CY)
    expect(page.locator("main")).to_contain_text("Mae plant yn croesi Stryd y Bont")
    expect(page.locator("main [data-testid=not-yet]")).to_have_count(0)
    expect(page.locator("main [lang=en]")).to_have_count(0)
    photos = page.locator("main img[alt^='Darlun o']")  # the drawings, described in Welsh
    expect(photos).to_have_count(2)
    expect(photos.first).to_be_visible()
    expect(page.locator("main .place")).to_contain_text("Stryd y Bont")
    tile = _tile()
    page.route(f"{TILES}**", lambda route: route.fulfill(body=tile, content_type="image/png"))
    page.locator("main .place [data-show-map]").click()
    expect(page.locator("main .place .leaflet-marker-icon")).to_be_visible()
    shot(page, "proposal-with-photos-in-welsh")

    # A round written in English only: its texts are marked English, with the note.
    page.goto(f"/rounds/{_round_id(live_app, ENGLISH_ONLY)}")
    expect(page.locator("html")).to_have_attribute("lang", "cy")  # the choice was kept
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(ENGLISH_ONLY)
    expect(heading).to_have_attribute("lang", "en")
    expect(page.locator("main [data-testid=not-yet]").first).to_be_visible()
    expect(page.locator("main [lang=en]").filter(has_text="Ideas for greener streets")
           ).to_have_count(1)
    expect(page.locator("main li.proposal h3 [lang=en]").first).to_be_visible()
    shot(page, "english-only-round-in-welsh")

    # And back to English.
    page.goto(f"/rounds/{_round_id(live_app, BILINGUAL)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(BILINGUAL_CY)
    _switch_to(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(BILINGUAL)
    expect(page.locator("main li.proposal").filter(has_text=CROSSING)).to_contain_text(
        "A zebra crossing and lighting outside the primary school.")
    expect(page.locator("main [data-testid=not-yet]")).to_have_count(0)
    expect(page.locator("main [lang=cy]")).to_have_count(0)
