"""Photo and paper pages: upload with alt text, see photos with responsive sizes, serve
files with the right headers, refuse bad files with a clear message, hide with a reason,
thumbnails on listings and ballots (not in low-data mode), PDF papers as downloads."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pb.services import papers, picture_jobs, pictures, rounds
from tests import images
from tests.conftest import text
from tests.factories import open_round, photo_added, plain_user, swings_proposal


@pytest.fixture()
def world(app: Flask, make_round: Any) -> dict[str, Any]:
    return swings_proposal(make_round)


def upload(client: FlaskClient, proposal_id: int, data: bytes, alt: str = "The swings",
           name: str = "photo.jpg") -> Any:
    return client.post(f"/proposals/{proposal_id}/photos", data={
        "alt": alt, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_an_author_adds_a_photo_and_sees_it_with_responsive_sizes(
        client: FlaskClient, login: Any, world: dict) -> None:
    login(world["author"])
    pid = world["proposal"].id
    assert "Add or remove photos" in text(client.get(f"/proposals/{pid}"))
    response = upload(client, pid, images.photo(1600, 1200), "The broken swings at Elm Park")
    assert response.status_code == 302
    picture_jobs.wait_idle()
    page = text(client.get(f"/proposals/{pid}"))
    img = re.search(r'<img [^>]*alt="The broken swings at Elm Park"[^>]*>', page)
    assert img, page
    tag = img.group(0)
    assert 'loading="lazy"' in tag and 'sizes="' in tag
    assert tag.count(" 160w") == 1 and " 640w" in tag and " 1280w" in tag


def test_photo_files_are_served_with_type_nosniff_and_long_caching(
        client: FlaskClient, world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(700, 500), "A")
    response = client.get(f"/media/{picture.variants[0]['name']}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    assert response.data[:4] == b"RIFF"
    for wrong in ("../pb.sqlite3", "a" * 64 + ".webp", "secret_key", picture.key + ".exe"):
        assert client.get(f"/media/{wrong}").status_code == 404


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"I am a text file", "swings.jpg", "not a picture pb can read"),
    (images.png_bomb(), "big.png", "100 megapixels"),
    (images.gif_bomb(), "party.gif", "animated"),
    (images.SVG, "drawing.svg", "SVG drawings cannot be added"),
    (b"", "empty.jpg", "The file is empty"),
])
def test_bad_uploads_are_refused_with_a_clear_message(client: FlaskClient, login: Any,
                                                      world: dict, data: bytes, name: str,
                                                      words: str) -> None:
    login(world["author"])
    response = upload(client, world["proposal"].id, data, name=name)
    assert response.status_code == 400
    assert words in text(response)
    assert pictures.shown(world["proposal"]) == []


def test_no_file_or_no_alt_text_is_explained(client: FlaskClient, login: Any,
                                             world: dict) -> None:
    login(world["author"])
    response = client.post(f"/proposals/{world['proposal'].id}/photos",
                           data={"alt": "Swings"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a photo to add." in text(response)
    response = upload(client, world["proposal"].id, images.photo(300, 200), alt="")
    assert response.status_code == 400 and "Describe the photo" in text(response)


def test_an_upload_over_the_limit_gets_a_friendly_413(app: Flask, client: FlaskClient,
                                                       login: Any, world: dict) -> None:
    app.config["PB_UPLOAD_MAX_CONTENT_LENGTH"] = 50_000
    login(world["author"])
    response = upload(client, world["proposal"].id, b"\xff\xd8\xff" + b"0" * 60_000)
    assert response.status_code == 413
    assert "That was too large to send" in text(response)
    assert "A photo or a PDF paper can be up to 10 MB." in text(response)


def test_others_cannot_add_photos(client: FlaskClient, login: Any, world: dict) -> None:
    login(plain_user("resident"))
    assert upload(client, world["proposal"].id, images.photo(300, 200)).status_code == 403


def test_a_hidden_photo_shows_its_reason_and_its_files_are_withdrawn(
        client: FlaskClient, login: Any, world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(300, 200), "A")
    login(world["officer"])
    response = client.post(f"/photos/{picture.id}/moderate",
                           data={"action": "hide", "reason": "Shows a car's number plate"})
    assert response.status_code == 302
    client.get("/account/logout")
    anonymous = client.application.test_client()
    page = text(anonymous.get(f"/proposals/{world['proposal'].id}"))
    assert "Photo hidden by a moderator: Shows a car's number plate" in page
    assert picture.variants[0]["name"] not in page
    assert anonymous.get(f"/media/{picture.variants[0]['name']}").status_code == 404


def test_hiding_without_a_reason_is_refused(client: FlaskClient, login: Any,
                                            world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(300, 200), "A")
    login(world["officer"])
    response = client.post(f"/photos/{picture.id}/moderate", data={"action": "hide"})
    assert response.status_code == 400
    assert "Give the public reason for hiding this photo." in text(response)


def test_revisions_list_photo_changes(client: FlaskClient, login: Any, world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(300, 200),
                              "Swings")
    login(world["author"])
    client.post(f"/photos/{picture.id}/remove")
    page = text(client.get(f"/proposals/{world['proposal'].id}"))
    assert "Photos before: Swings. After: none." in page


def test_thumbnails_on_the_listing_unless_saving_data_or_turned_off(
        client: FlaskClient, world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(300, 200),
                              "Swings")
    url = f"/rounds/{world['round'].id}/proposals"
    thumb = picture.variants[0]["name"]
    assert thumb in text(client.get(url))
    response = client.get(url, headers={"Save-Data": "on"})
    assert thumb not in text(response)
    assert "Save-Data" in response.headers["Vary"]
    client.post("/low-data", data={"on": "1", "next": url})
    assert thumb not in text(client.get(url))
    assert "Show photos" in text(client.get(url))
    client.post("/low-data", data={"on": "0", "next": "https://evil.example/"})
    assert thumb in text(client.get(url))
    world["round"].show_thumbnails = False
    from pb.extensions import db

    db.session.commit()
    assert thumb not in text(client.get(url))


def test_the_round_form_sets_thumbnails(client: FlaskClient, login: Any, world: dict) -> None:
    login(world["officer"])
    page = text(client.get("/rounds/new"))
    box = re.search(r'<input[^>]*id="show_thumbnails"[^>]*>', page)
    assert box and "checked" in box.group(0)  # on by default


def test_thumbnails_on_the_ballot(app: Flask, client: FlaskClient, login: Any,
                                  make_round: Any) -> None:
    round_ = open_round(make_round, officer=plain_user("resident", "officer"))
    project = round_.projects[0]
    picture = photo_added(round_.officer, project, images.photo(300, 200), "Benches")
    voter = plain_user("resident")
    login(voter)
    page = text(client.get(f"/rounds/{round_.id}/vote"))
    assert picture.variants[0]["name"] in page and 'alt="Benches"' in page
    assert picture.variants[0]["name"] not in text(
        client.get(f"/rounds/{round_.id}/vote", headers={"Save-Data": "on"}))


def test_papers_are_added_by_officers_and_downloaded_as_attachments(
        client: FlaskClient, login: Any, world: dict) -> None:
    login(world["officer"])
    rid = world["round"].id
    response = client.post(f"/rounds/{rid}/papers", data={
        "title": "Costs of the park works", "file": (io.BytesIO(images.pdf()), "costs.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = text(client.get(f"/rounds/{rid}"))
    assert "Costs of the park works" in page
    paper = papers.of_round(rid)[0]
    download = client.get(f"/papers/{paper.id}/{paper.key}.pdf")
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Costs-of-the-park-works.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data == images.pdf()


@pytest.mark.parametrize(("data", "words"), [
    (images.pdf(javascript=True), "contains JavaScript"),
    (images.photo(300, 200), "not a PDF"),
    (b"", "The file is empty"),
])
def test_bad_papers_are_refused(client: FlaskClient, login: Any, world: dict, data: bytes,
                                words: str) -> None:
    login(world["officer"])
    response = client.post(f"/rounds/{world['round'].id}/papers", data={
        "title": "Paper", "file": (io.BytesIO(data), "paper.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert words in text(response)
    assert papers.of_round(world["round"].id) == []


def test_a_draft_rounds_papers_are_not_public(client: FlaskClient, make_round: Any) -> None:
    officer = plain_user("resident", "officer")
    round_ = make_round("draft", officer=officer)
    paper = papers.do_add(officer, round_, "Early costs", images.pdf())
    assert client.get(f"/papers/{paper.id}/{paper.key}.pdf").status_code == 404
    rounds.do_change_phase(officer, round_, "proposals")
    assert client.get(f"/papers/{paper.id}/{paper.key}.pdf").status_code == 200


def test_saving_data_shows_links_instead_of_photos(client: FlaskClient, world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(700, 500),
                              "Swings")
    url = f"/proposals/{world['proposal'].id}"
    page = text(client.get(url, headers={"Save-Data": "on"}))
    assert "<img" not in page.split('class="gallery"')[1].split("</section>")[0]
    assert "Photo: Swings" in page and picture.variants[-1]["name"] in page
    assert 'alt="Swings"' in text(client.get(url))


def test_servers_sharing_the_uploads_folder_serve_each_others_files(
        app: Flask, database_uri: str, world: dict) -> None:
    from pb import create_app
    from tests.conftest import make_config

    picture = photo_added(world["author"], world["proposal"], images.photo(300, 200), "A")
    other = create_app(make_config(database_uri, PB_UPLOADS=app.config["PB_UPLOADS"]))
    response = other.test_client().get(f"/media/{picture.variants[0]['name']}")
    assert response.status_code == 200 and response.data[:4] == b"RIFF"


def test_a_referral_takes_papers_from_its_page(client: FlaskClient, login: Any,
                                               world: dict) -> None:
    from datetime import date, timedelta

    from pb.services.council import councils

    council = councils.do_create_council(world["officer"], councils.CouncilData("Parks"))
    referral = councils.do_refer(world["officer"], council, councils.ReferralData(
        "Which parks first?", date.today() + timedelta(days=30)))
    login(world["officer"])
    page = text(client.get(f"/councils/referrals/{referral.id}"))
    assert "Add or remove papers" in page
    response = client.post(f"/councils/referrals/{referral.id}/papers", data={
        "title": "Survey of the parks", "file": (io.BytesIO(images.pdf()), "survey.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    client.get("/account/logout")
    page = text(client.application.test_client().get(f"/councils/referrals/{referral.id}"))
    assert "Papers to download" in page and "Survey of the parks" in page
    assert "Add or remove papers" not in page


def test_a_photo_being_prepared_shows_progress_to_its_author_only(
        client: FlaskClient, login: Any, world: dict) -> None:
    from pb.extensions import db

    pid = world["proposal"].id
    picture = pictures.do_add(world["author"], world["proposal"], images.photo(800, 600),
                              "The swings")  # not started: as if the server had stopped
    reader = client.application.test_client()
    assert "Preparing your photo" not in text(reader.get(f"/proposals/{pid}"))
    assert reader.get(f"/photos/{picture.id}/status").status_code in (302, 401)
    login(world["author"])
    for page in (text(client.get(f"/proposals/{pid}/photos")),
                 text(client.get(f"/proposals/{pid}"))):
        assert "Preparing your photo…" in page and ">Check again</a>" in page
        assert f'data-picture-status="/photos/{picture.id}/status"' in page
        assert "js/photo-status" in page
    status = client.get(f"/photos/{picture.id}/status")  # asking starts it again
    assert status.status_code == 200 and status.headers["Cache-Control"] == "no-store"
    assert status.get_json()["state"] == "processing"
    picture_jobs.wait_idle()
    db.session.expire_all()  # the tests' requests share one session
    assert client.get(f"/photos/{picture.id}/status").get_json() == {
        "id": picture.id, "state": "ready", "message": None}
    assert 'alt="The swings"' in text(reader.get(f"/proposals/{pid}"))


def test_a_photo_that_fails_once_decoded_says_why(client: FlaskClient, login: Any,
                                                   world: dict) -> None:
    from pb.extensions import db

    whole = images.photo(1600, 1200)
    login(world["author"])
    assert upload(client, world["proposal"].id, whole[:len(whole) // 3]).status_code == 302
    picture_jobs.wait_idle()
    db.session.expire_all()
    page = text(client.get(f"/proposals/{world['proposal'].id}/photos"))
    assert "This photo could not be added: This file is damaged" in page
    picture = pictures.shown(world["proposal"])[0]
    assert client.get(f"/photos/{picture.id}/status").get_json()["message"].startswith(
        "This file is damaged")


def test_alt_text_is_written_in_both_languages_and_read_in_the_readers(
        client: FlaskClient, login: Any, world: dict) -> None:
    from pb.extensions import db

    pid = world["proposal"].id
    login(world["author"])
    form = text(client.get(f"/proposals/{pid}/photos"))
    assert re.search(r'name="alt_cy"[^>]*lang="cy"|lang="cy"[^>]*name="alt_cy"', form)
    response = client.post(f"/proposals/{pid}/photos", data={
        "alt": "The broken swings", "alt_cy": "Y siglenni wedi torri",
        "file": (io.BytesIO(images.photo(600, 400)), "swings.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    picture_jobs.wait_idle()
    db.session.expire_all()
    reader = client.application.test_client()
    assert 'alt="The broken swings"' in text(reader.get(f"/proposals/{pid}?lang=en"))
    assert 'alt="Y siglenni wedi torri"' in text(reader.get(f"/proposals/{pid}?lang=cy"))
    # Written in English only: a Welsh reader gets the English, marked as English.
    photo_added(world["author"], world["proposal"], images.photo(500, 400, seed=2), "A bench")
    welsh = text(reader.get(f"/proposals/{pid}?lang=cy"))
    assert re.search(r'alt="A bench" lang="en"', welsh)


def test_a_round_in_both_languages_asks_for_the_alt_text_in_each(
        client: FlaskClient, login: Any, world: dict) -> None:
    from pb.extensions import db

    world["round"].both_languages = True
    db.session.commit()
    login(world["author"])
    response = upload(client, world["proposal"].id, images.photo(300, 200), "The swings")
    assert response.status_code == 400
    assert "Describe the photo in Cymraeg too: this round is published in both languages." \
        in text(response)
    assert pictures.shown(world["proposal"]) == []


def test_the_docs_on_photos_prepared_in_the_background_stay_true(
        client: FlaskClient, login: Any, world: dict) -> None:
    from pathlib import Path

    from pb.services import worker

    root = Path(__file__).resolve().parents[2]
    section = (root / "docs/proposals.md").read_text().split("## Photos")[1].split("\n## ")[0]
    background = " ".join(section.split("**Prepared in the background.**")[1]
                          .split("\n- ")[0].split())
    for promise in ("refused at once", "answers without waiting", "another thread",
                    "every two seconds", "more than a minute"):
        assert promise in background, promise
    assert "worker" in (root / "docs/deploy/worker.md").read_text().split(
        "**photos left processing**")[1][:300]
    assert ".pending" in (root / "docs/deploy/uploads.md").read_text()
    # "Preparing your photo…" to its authors, a check every two seconds, "Check again"
    picture = pictures.do_add(world["author"], world["proposal"], images.photo(400, 300), "A")
    login(world["author"])
    page = text(client.get(f"/proposals/{world['proposal'].id}/photos"))
    quotes = re.findall(r"\*\*([^*]+)\*\*", background)
    assert len(quotes) == 2, quotes
    for quoted in quotes:
        assert " ".join(quoted.split()) in page, quoted
    script = (root / "static/js/photo-status.js").read_text()
    assert "setTimeout(check, 2000)" in script
    # ... nobody else sees it; "This photo could not be added: …" once decoded
    assert "Preparing" not in text(client.application.test_client().get(
        f"/proposals/{world['proposal'].id}"))
    assert "This photo could not be added: …" in background
    # the worker picks up a photo left waiting
    worker.run_once()
    from pb.extensions import db

    db.session.refresh(picture)
    assert picture.state == "ready"
