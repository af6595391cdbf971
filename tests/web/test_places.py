"""Places of proposals through the real pages: typed on the form, refused when wrong, shown
on the proposal, listed (and mapped) for the round, set by officers; the map's settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pb import create_app
from pb.config import ConfigError, load
from pb.domain.errors import UserError
from pb.extensions import db
from pb.models import Proposal, ProposalRevision
from pb.services import proposals
from tests.conftest import make_config, text
from tests.factories import PROPOSAL_FORM as FORM

PLACED = {"place": "Corner of Mill Lane and Bute Street", "latitude": "51.4816",
          "longitude": "-3.1791"}


@pytest.fixture()
def officer(make_user: Any) -> Any:
    return make_user("officer", name="Olu Officer")


@pytest.fixture()
def resident(make_user: Any) -> Any:
    return make_user(name="Rhys Resident")


@pytest.fixture()
def round_(make_round: Any, officer: Any) -> Any:
    return make_round("proposals", officer=officer)


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Proposal))


def propose(author: Any, round_: Any, title: str, point: tuple[float, float] | None,
            place: str = "") -> Proposal:
    latitude, longitude = point or (None, None)
    data = proposals.ProposalData(title=title, summary="A summary.", body="", cost_minor=1_000_00,
                                  latitude=latitude, longitude=longitude, place=place)
    return proposals.do_create(author, round_, data, submit=True)[0]


def test_a_resident_types_a_place_and_it_shows_on_the_proposal(
        client: Any, login: Any, resident: Any, round_: Any) -> None:
    login(resident)
    response = client.post(f"/rounds/{round_.id}/proposals/new", data={**FORM, **PLACED})
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert (proposal.latitude, proposal.longitude, proposal.place) == \
        (51.4816, -3.1791, "Corner of Mill Lane and Bute Street")
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "Corner of Mill Lane and Bute Street" in page
    assert "Latitude 51.4816, longitude -3.1791" in page
    assert f'href="/rounds/{round_.id}/proposals/map"' in page
    # The small map loads only when asked for: Leaflet is not on the page itself.
    assert "data-place-map" in page and "js/place-loader." in page
    assert "vendor/leaflet/leaflet." not in page.split("data-files=")[0]


def test_a_place_is_optional_and_the_form_shows_its_fields(
        client: Any, login: Any, resident: Any, round_: Any) -> None:
    login(resident)
    page = text(client.get(f"/rounds/{round_.id}/proposals/new"))
    for label in ("Where (optional)", "Latitude (optional)", "Longitude (optional)"):
        assert label in page
    assert "data-place-picker" in page and "vendor/leaflet/leaflet." in page
    assert client.post(f"/rounds/{round_.id}/proposals/new", data=FORM).status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert (proposal.latitude, proposal.longitude, proposal.place) == (None, None, "")
    assert "Latitude" not in text(client.get(f"/proposals/{proposal.id}")).split(
        "revision")[0].split("<h1")[1]


@pytest.mark.parametrize(("changes", "message"), [
    ({"latitude": "91", "longitude": "10"},
     "The latitude must be from -90 to 90 degrees; 91 is not on the earth."),
    ({"latitude": "10", "longitude": "-181"},
     "The longitude must be from -180 to 180 degrees; -181 is not on the earth."),
    ({"latitude": "fifty-one", "longitude": "-3"}, "Type the latitude as a number of degrees"),
    ({"latitude": "51.48", "longitude": "3W"}, "Type the longitude as a number of degrees"),
    ({"latitude": "51.48", "longitude": ""}, "Give both the latitude and the longitude"),
    ({"latitude": "", "longitude": "-3.18"}, "Give both the latitude and the longitude"),
    ({"place": "x" * 201}, "Use at most 200 characters."),
])
def test_a_bad_place_is_explained_and_nothing_is_saved(
        client: Any, login: Any, resident: Any, round_: Any, changes: dict[str, str],
        message: str) -> None:
    login(resident)
    response = client.post(f"/rounds/{round_.id}/proposals/new", data={**FORM, **changes})
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'class="error-summary' in page
    assert count() == 0


def test_the_service_refuses_half_a_point_too(resident: Any, round_: Any) -> None:
    data = proposals.ProposalData(title="T", summary="S", body="", cost_minor=100,
                                  latitude=51.0)
    with pytest.raises(UserError, match="both the latitude and the longitude"):
        proposals.do_create(resident, round_, data, submit=True)
    assert count() == 0


def test_an_author_moves_the_place_and_a_revision_is_kept(
        client: Any, login: Any, resident: Any, round_: Any) -> None:
    login(resident)
    proposal = propose(resident, round_, "Benches", (51.4816, -3.1791), "Mill Lane")
    page = text(client.get(f"/proposals/{proposal.id}/edit"))
    assert 'value="51.4816"' in page and 'value="-3.1791"' in page
    response = client.post(f"/proposals/{proposal.id}/edit", data={
        **FORM, "title": "Benches", "summary": "A summary.", "body": "", "cost": "1000",
        "category": "", "area": "", "version": "1", "action": "save",
        "place": "Mill Lane", "latitude": "51.4820", "longitude": "−3.18"})
    assert response.status_code == 302
    revision = db.session.scalar(sa.select(ProposalRevision))
    assert revision.changes["latitude"] == {"before": 51.4816, "after": 51.482}
    assert revision.changes["longitude"] == {"before": -3.1791, "after": -3.18}
    assert "place" not in revision.changes


def test_the_map_view_lists_the_places_without_javascript(
        client: Any, resident: Any, round_: Any) -> None:
    first = propose(resident, round_, "Benches by the pond", (51.4816, -3.1791), "Roath Park")
    propose(resident, round_, "Bins on Queen Street", (51.4822, -3.1745))
    propose(resident, round_, "A book swap", None, "The library")
    listing = text(client.get(f"/rounds/{round_.id}/proposals"))
    assert "Map view: 2 proposals with a place" in listing
    page = text(client.get(f"/rounds/{round_.id}/proposals/map"))
    assert "2 proposals have a place." in page and "1 more has none yet" in page
    items = page.split('class="places-list"')[1].split("</ul>")[0]
    assert f'href="/proposals/{first.id}"' in items and "Roath Park" in items
    assert 'data-lat="51.4816" data-lon="-3.1791"' in items
    assert "Bins on Queen Street" in items and "A book swap" not in items
    # The map is drawn by JavaScript over that list, from the site's tiles.
    assert 'data-places-map' in page and " hidden" in page.split("data-places-map")[1][:400]
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "OpenStreetMap</a> contributors" in page.replace("&lt;", "<").replace("&gt;", ">")
    # Filters apply to the map as to the list.
    searched = text(client.get(f"/rounds/{round_.id}/proposals/map?q=bins"))
    assert "Bins on Queen Street" in searched and "Benches by the pond" not in searched


def test_without_tiles_there_is_no_map_only_lists(
        app: Any, client: Any, login: Any, resident: Any, round_: Any) -> None:
    app.config["PB_MAP_TILES"] = ""
    proposal = propose(resident, round_, "Benches by the pond", (51.4816, -3.1791))
    page = text(client.get(f"/rounds/{round_.id}/proposals/map"))
    assert "Benches by the pond" in page and "data-places-map" not in page
    assert "leaflet" not in page
    assert "data-place-map" not in text(client.get(f"/proposals/{proposal.id}"))
    login(resident)
    form = text(client.get(f"/rounds/{round_.id}/proposals/new"))
    assert "Latitude (optional)" in form and "leaflet" not in form


def test_an_officer_sets_the_place_of_a_reviewed_proposal(
        client: Any, login: Any, officer: Any, resident: Any, round_: Any) -> None:
    proposal = propose(resident, round_, "Benches", None)
    login(resident)
    assert client.get(f"/proposals/{proposal.id}/place").status_code == 403
    login(officer)
    assert f"/proposals/{proposal.id}/place" in text(client.get(f"/proposals/{proposal.id}"))
    refused = client.post(f"/proposals/{proposal.id}/place",
                          data={"latitude": "-95", "longitude": "0", "version": "1"})
    assert refused.status_code == 400 and "-95 is not on the earth" in text(refused)
    db.session.refresh(proposal)
    assert proposal.latitude is None and proposal.version == 1
    response = client.post(f"/proposals/{proposal.id}/place", data={
        "place": "Roath Park", "latitude": "51.5", "longitude": "-3.17", "version": "1"})
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert (proposal.latitude, proposal.longitude, proposal.place) == (51.5, -3.17,
                                                                         "Roath Park")
    revision = db.session.scalar(sa.select(ProposalRevision))
    assert revision.author_id == officer.id and set(revision.changes) == {
        "place", "latitude", "longitude"}
    stale = client.post(f"/proposals/{proposal.id}/place", data={
        "latitude": "", "longitude": "", "version": "1"})
    assert stale.status_code == 400 and "Someone changed this proposal" in text(stale)


# Settings ------------------------------------------------------------------------------------


def test_openstreetmap_is_the_default_with_its_attribution(tmp_path: Path) -> None:
    settings = load(str(tmp_path), environ={})
    assert settings["PB_MAP_TILES"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in settings["PB_MAP_ATTRIBUTION"]
    assert settings["PB_MAP_TILE_ORIGIN"] == "https://tile.openstreetmap.org"


@pytest.mark.parametrize(("tiles", "origin"), [
    ("https://tiles.example.org/osm/{z}/{x}/{y}.png", "https://tiles.example.org"),
    ("http://127.0.0.1:8123/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8123"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("", ""),
])
def test_the_tile_server_is_configurable(tmp_path: Path, tiles: str, origin: str) -> None:
    settings = load(str(tmp_path), environ={"PB_MAP_TILES": tiles})
    assert (settings["PB_MAP_TILES"], settings["PB_MAP_TILE_ORIGIN"]) == (tiles, origin)


@pytest.mark.parametrize("wrong", ["tile.openstreetmap.org/{z}/{x}/{y}.png",
                                   "https://tiles.example.org/{z}/{x}.png",
                                   "javascript:alert(1)//{z}{x}{y}"])
def test_a_wrong_tile_address_is_a_clear_error(tmp_path: Path, wrong: str) -> None:
    with pytest.raises(ConfigError, match="PB_MAP_TILES must be a tile address"):
        load(str(tmp_path), environ={"PB_MAP_TILES": wrong})


@pytest.mark.parametrize(("tiles", "img_src"), [
    (None, "img-src 'self' data: https://tile.openstreetmap.org;"),
    ("https://tiles.example.org/{z}/{x}/{y}.png", "img-src 'self' data: https://tiles.example.org;"),
    ("", "img-src 'self' data:;"),
])
def test_the_content_security_policy_lets_in_only_the_tile_server(
        database_uri: str, tiles: str | None, img_src: str) -> None:
    extra = {} if tiles is None else {"PB_MAP_TILES": tiles}
    app = create_app(make_config(database_uri, **extra))
    with app.app_context():
        policy = app.test_client().get("/account/login").headers["Content-Security-Policy"]
    assert img_src in policy and "script-src 'self';" in policy


def test_the_attribution_keeps_links_and_nothing_else(app: Any, client: Any, resident: Any,
                                                      round_: Any) -> None:
    app.config["PB_MAP_ATTRIBUTION"] = ('Tiles <a href="https://tiles.example.org">Example</a>'
                                        '<script>alert(1)</script><img src=x onerror=alert(2)>'
                                        '<a href="javascript:alert(3)">x</a>')
    propose(resident, round_, "Benches", (51.4816, -3.1791))
    page = client.get(f"/rounds/{round_.id}/proposals/map").get_data(as_text=True)
    attribution = page.split('data-attribution="')[1].split('"')[0]
    assert "&lt;a href=&#34;https://tiles.example.org&#34;&gt;Example&lt;/a&gt;" in attribution
    for bad in ("script", "onerror", "img", "javascript"):
        assert bad not in attribution


def test_the_ballot_links_to_the_map_when_its_projects_have_places(
        client: Any, login: Any, make_user: Any, voting_round: Any) -> None:
    round_ = voting_round("knapsack")
    login(make_user())
    link = f'href="/rounds/{round_.id}/proposals/map" target="_blank"'
    assert link not in text(client.get(f"/rounds/{round_.id}/vote"))
    first = round_.projects[0]
    first.latitude, first.longitude = 51.4816, -3.1791
    db.session.commit()
    page = text(client.get(f"/rounds/{round_.id}/vote"))
    assert link in page and "opens in a new tab, so your choices here stay" in page
    assert "Map view" not in page and "leaflet" not in page  # a link, not a map on the ballot


def test_leaflet_is_served_from_pb_with_its_licences(client: Any, resident: Any,
                                                     round_: Any) -> None:
    from pb.config import ROOT

    vendor = ROOT / "static" / "vendor" / "leaflet"
    assert "Volodymyr Agafonkin" in (vendor / "LICENSE").read_text()
    assert "David Leaver" in (vendor / "markercluster" / "LICENSE").read_text()
    propose(resident, round_, "Benches", (51.4816, -3.1791))
    page = client.get(f"/rounds/{round_.id}/proposals/map").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert any("vendor/leaflet/leaflet." in s for s in sources)
    assert all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200
