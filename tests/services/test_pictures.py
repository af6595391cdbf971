"""Photos on proposals: re-encoded (no EXIF or GPS, upright, at planned widths), refused when
bad with nothing kept, kept with revisions, hidden with a public reason."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from pb.domain.errors import UserError
from pb.domain.pictures import FileRefused
from pb.extensions import db
from pb.models import AuditEntry, ProposalPicture, ProposalRevision
from pb.services import pictures, proposals
from tests import images
from tests.factories import photo_added, swings_proposal


@pytest.fixture()
def world(app: Flask, make_round: Any) -> dict[str, Any]:
    return swings_proposal(make_round)


def uploads(app: Flask) -> list[str]:
    folder = Path(app.config["PB_UPLOADS"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def decoded(app: Flask, name: str) -> Image.Image:
    return Image.open(Path(app.config["PB_UPLOADS"]) / name)


def test_a_photo_is_reencoded_without_exif_or_gps_and_turned_upright(app: Flask,
                                                                      world: dict) -> None:
    # Orientation 6: the camera was turned; the stored pixels are landscape, shown portrait.
    sent = images.photo(1600, 1200, orientation=6, gps=True)
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(images.GPS_IFD)
    picture = photo_added(world["author"], world["proposal"], sent, "The swings")
    assert (picture.width, picture.height) == (1200, 1600)  # upright: portrait
    assert [v["width"] for v in picture.variants] == [160, 320, 640, 1200]
    for variant in picture.variants:
        stored = decoded(app, variant["name"])
        assert stored.format == "WEBP"
        assert stored.size == (variant["width"], variant["height"])
        assert stored.height > stored.width
        assert not stored.getexif(), "EXIF (and its GPS position) must not be kept"
        assert "exif" not in stored.info and "icc_profile" not in stored.info
        raw = (Path(app.config["PB_UPLOADS"]) / variant["name"]).read_bytes()
        assert b"Exif" not in raw and b"PhoneMaker" not in raw
    assert sent not in [(Path(app.config["PB_UPLOADS"]) / n).read_bytes() for n in uploads(app)]


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted(app: Flask, world: dict, kind: str) -> None:
    picture = photo_added(world["author"], world["proposal"],
                              images.photo(800, 600, kind), "A corner")
    assert picture.variants[-1]["width"] == 800
    assert all(n.endswith(".webp") for n in uploads(app))


def test_file_names_are_content_addressed(app: Flask, world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(700, 500), "A")
    widest = (Path(app.config["PB_UPLOADS"]) / picture.variants[-1]["name"]).read_bytes()
    import hashlib

    assert picture.key == hashlib.sha256(widest).hexdigest()
    assert all(v["name"] == f"{picture.key}-{v['width']}.webp" for v in picture.variants)


BAD = [
    (b"this is text, not a photo", "not a picture"),
    (b"\xff\xd8\xff\xe0 a JPEG's first bytes, then nothing", "damaged"),
    (images.png_bomb(), "100 megapixels"),
    (images.SVG, "SVG"),
    (b"", "empty"),
]


@pytest.mark.parametrize(("data", "words"), BAD)
def test_bad_files_are_refused_and_nothing_is_kept(app: Flask, world: dict, data: bytes,
                                                   words: str) -> None:
    with pytest.raises(FileRefused) as refused:
        photo_added(world["author"], world["proposal"], data, "A photo")
    assert words in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposalPicture)) == 0
    assert uploads(app) == []


def test_an_animated_gif_bomb_is_refused(app: Flask, world: dict) -> None:
    with pytest.raises(FileRefused, match="animated"):
        photo_added(world["author"], world["proposal"], images.gif_bomb(), "Swings")
    assert uploads(app) == []


def test_an_animated_png_is_refused(app: Flask, world: dict) -> None:
    with pytest.raises(FileRefused, match="Animated"):
        photo_added(world["author"], world["proposal"], images.animated_png(), "Swings")


def test_alt_text_is_required(app: Flask, world: dict) -> None:
    with pytest.raises(UserError, match="Describe the photo"):
        photo_added(world["author"], world["proposal"], images.photo(400, 300), " ")
    assert uploads(app) == []


def test_at_most_four_photos(app: Flask, world: dict) -> None:
    for n in range(4):
        photo_added(world["author"], world["proposal"], images.photo(300, 200, seed=n),
                        f"Photo {n}")
    with pytest.raises(UserError, match="at most 4"):
        photo_added(world["author"], world["proposal"], images.photo(300, 200), "Fifth")


def test_only_authors_and_officers_add_photos(app: Flask, world: dict) -> None:
    with pytest.raises(UserError, match="Only the proposal"):
        photo_added(world["resident"], world["proposal"], images.photo(300, 200), "Mine")
    photo_added(world["officer"], world["proposal"], images.photo(300, 200), "Site visit")


def test_revisions_record_which_photos_the_proposal_had(app: Flask, world: dict) -> None:
    proposal = world["proposal"]
    first = photo_added(world["author"], proposal, images.photo(300, 200, seed=1), "One")
    second = photo_added(world["author"], proposal, images.photo(300, 200, seed=2), "Two")
    pictures.do_remove(world["author"], first)
    proposals.do_edit(world["author"], proposal, proposals.ProposalData(
        title="Mend the swings soon", summary="They are broken.", body="",
        cost_minor=500_000), expected_version=None)
    kept = list(db.session.scalars(sa.select(ProposalRevision).where(
        ProposalRevision.proposal_id == proposal.id).order_by(ProposalRevision.number)))
    assert [r.pictures for r in kept] == [[first.id], [first.id, second.id], [second.id],
                                          [second.id]]
    assert kept[2].changes == {"pictures": {"before": ["One", "Two"], "after": ["Two"]}}
    assert "title" in kept[3].changes
    assert pictures.shown(proposal) == [second]
    # The removed photo's files stay, so the revision that showed it can still show it.
    assert all((Path(app.config["PB_UPLOADS"]) / v["name"]).exists() for v in first.variants)


def test_hiding_a_photo_needs_a_public_reason_and_is_logged(app: Flask, world: dict) -> None:
    picture = photo_added(world["author"], world["proposal"], images.photo(300, 200), "A")
    with pytest.raises(UserError, match="Only officers"):
        pictures.do_hide(world["resident"], picture, "Not nice")
    with pytest.raises(UserError, match="public reason"):
        pictures.do_hide(world["officer"], picture, "  ")
    pictures.do_hide(world["officer"], picture, "Shows a child's face")
    assert picture.hidden and picture.hidden_reason == "Shows a child's face"
    assert pictures.thumbnails([world["proposal"].id]) == {}
    assert not pictures.servable(picture.variants[0]["name"], world["resident"])
    assert pictures.servable(picture.variants[0]["name"], world["officer"])
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "picture.hide")).one()
    assert entry.detail["reason"] == "Shows a child's face"
    pictures.do_unhide(world["officer"], picture)
    assert not picture.hidden
    assert pictures.servable(picture.variants[0]["name"], None)
