"""Photos re-encoded outside the request: the upload answers with the photo "processing", a
background job makes it ready (or failed, with its message), the worker picks up what a dead
process left, and the alt text is kept in both languages."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pb.extensions import db
from pb.models import ProposalPicture, ProposalRevision
from pb.models.base import utcnow
from pb.services import ServiceError, picture_jobs, pictures, worker
from tests import images
from tests.factories import swings_proposal


@pytest.fixture()
def world(app: Flask, make_round: Any) -> dict[str, Any]:
    return swings_proposal(make_round)


def pending_files(app: Flask) -> list[str]:
    folder = Path(app.config["PB_UPLOADS"])
    return sorted(p.name for p in folder.glob("*.pending")) if folder.exists() else []


def revisions() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProposalRevision)) or 0


def test_the_upload_answers_before_reencoding_and_the_photo_becomes_ready_after(
        app: Flask, world: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    go_on, started = threading.Event(), threading.Event()
    reencode = pictures.reencode

    def slow(data: bytes) -> Any:
        started.set()
        assert go_on.wait(30), "the test never let the re-encoding go on"
        return reencode(data)

    monkeypatch.setattr(pictures, "reencode", slow)
    before = revisions()
    picture = picture_jobs.do_add(world["author"], world["proposal"],
                                  images.photo(1600, 1200), "The swings")
    # Answered while the re-encoding waits: the photo is processing, its bytes pending.
    assert started.wait(30)
    assert (picture.state, picture.variants, picture.key) == ("processing", [], "")
    assert (picture.width, picture.height) == (1600, 1200)  # from the header
    assert len(pending_files(app)) == 1
    proposal = world["proposal"]
    assert pictures.thumbnails([proposal.id]) == {}
    assert pictures.shown(proposal, world["resident"], everyone=False) == []
    assert pictures.shown(proposal, world["author"], everyone=False) == [picture]
    assert revisions() == before  # nothing public changed yet
    go_on.set()
    picture_jobs.wait_idle()
    db.session.refresh(picture)
    assert picture.state == "ready" and picture.pending is None
    assert [v["width"] for v in picture.variants] == [160, 320, 640, 1280]
    assert pending_files(app) == []
    assert pictures.thumbnails([proposal.id]) == {proposal.id: picture}
    assert pictures.shown(proposal, world["resident"], everyone=False) == [picture]
    assert revisions() == before + 1  # the photo joined the public list of revisions


def test_a_damaged_file_with_a_good_header_fails_with_its_message(app: Flask,
                                                                  world: dict) -> None:
    whole = images.photo(1600, 1200)
    damaged = whole[:len(whole) // 3]  # the header says a photo; the data stops short
    picture = pictures.do_add(world["author"], world["proposal"], damaged, "The swings")
    assert picture.state == "processing"  # the header passed: refused only once decoded
    assert picture_jobs.prepare(picture.id) == "failed"
    db.session.refresh(picture)
    assert picture.state == "failed" and "damaged" in (picture.failure or "")
    assert pending_files(app) == []
    assert pictures.thumbnails([world["proposal"].id]) == {}
    assert pictures.shown(world["proposal"], world["resident"], everyone=False) == []
    for n in range(4):  # a failed photo does not take a place
        pictures.do_add(world["author"], world["proposal"], images.photo(300, 200, seed=n), "A")


def test_a_photo_left_processing_is_picked_up_by_the_worker(app: Flask, world: dict) -> None:
    # The process died before starting it: the worker's next pass prepares it.
    left = pictures.do_add(world["author"], world["proposal"], images.photo(800, 600), "A")
    # This one had started a moment ago (its job may still be running): left alone a minute.
    started = pictures.do_add(world["author"], world["proposal"], images.photo(700, 500), "B")
    now = utcnow()
    db.session.execute(sa.update(ProposalPicture).where(ProposalPicture.id == started.id)
                       .values(started_at=now))
    db.session.commit()
    worker.run_once(now)
    db.session.refresh(left)
    db.session.refresh(started)
    assert left.state == "ready" and started.state == "processing"
    assert picture_jobs.resume_stale(now + timedelta(minutes=2)) == 1
    db.session.refresh(started)
    assert started.state == "ready" and pending_files(app) == []


def test_the_status_check_starts_again_a_photo_left_processing(app: Flask,
                                                               world: dict) -> None:
    picture = pictures.do_add(world["author"], world["proposal"], images.photo(800, 600), "A")
    assert picture_jobs.poll(picture)["state"] == "processing"
    picture_jobs.wait_idle()
    db.session.refresh(picture)
    assert picture_jobs.poll(picture) == {"id": picture.id, "state": "ready", "failure": None}


def test_alt_text_in_welsh_only_is_kept_as_welsh(app: Flask, world: dict) -> None:
    picture = pictures.do_add(world["author"], world["proposal"], images.photo(300, 200),
                              {"en": {"alt": " "}, "cy": {"alt": "Y siglenni wedi torri"}})
    assert (picture.alt, picture.language) == ("Y siglenni wedi torri", "cy")
    assert picture.shown("alt", "en").lang == "cy"


def test_a_round_in_both_languages_needs_the_alt_text_in_each(app: Flask,
                                                              world: dict) -> None:
    world["round"].both_languages = True
    db.session.commit()
    with pytest.raises(ServiceError, match="in Cymraeg too") as refused:
        pictures.do_add(world["author"], world["proposal"], images.photo(300, 200),
                        {"en": {"alt": "The swings"}, "cy": {"alt": ""}})
    assert refused.value.field == "alt_cy"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposalPicture)) == 0
    assert pending_files(app) == []
    picture = pictures.do_add(world["author"], world["proposal"], images.photo(300, 200),
                              {"en": {"alt": "The swings"}, "cy": {"alt": "Y siglenni"}})
    assert (picture.alt, picture.language) == ("The swings", "en")
    assert picture.translations == {"cy": {"alt": "Y siglenni"}}
    assert picture.shown("alt", "cy").text == "Y siglenni"
