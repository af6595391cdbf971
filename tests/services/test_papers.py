"""PDF background papers: only clean PDFs are kept; JavaScript in any form is refused."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pb.domain.errors import UserError
from pb.domain.pictures import FileRefused
from pb.extensions import db
from pb.models import Paper
from pb.services import papers
from pb.services.council import councils
from tests import images
from tests.factories import plain_user


@pytest.fixture()
def officer(app: Flask) -> Any:
    return plain_user("resident", "officer")


def test_a_clean_pdf_is_kept_under_its_hash(app: Flask, officer: Any, make_round: Any) -> None:
    round_ = make_round("proposals", officer=officer)
    data = images.pdf(pages=3)
    paper = papers.do_add(officer, round_, "Costs of the park works", data)
    assert (paper.pages, paper.size, paper.round_id) == (3, len(data), round_.id)
    assert (Path(app.config["PB_UPLOADS"]) / f"{paper.key}.pdf").read_bytes() == data
    assert papers.of_round(round_.id) == [paper]


def test_a_referral_takes_papers_too(app: Flask, officer: Any) -> None:
    council = councils.do_create_council(officer, councils.CouncilData("Parks council"))
    referral = councils.do_refer(officer, council, councils.ReferralData(
        "Which parks first?", date.today() + timedelta(days=30)))
    paper = papers.do_add(officer, referral, "Survey of the parks", images.pdf())
    assert papers.of_referral(referral.id) == [paper]


@pytest.mark.parametrize(("data", "words"), [
    (images.pdf(javascript=True), "JavaScript"),
    (images.pdf(open_action_js=True), "JavaScript"),
    (images.pdf(page_action=True), "JavaScript"),
    (images.photo(300, 200), "not a PDF"),
    (b"", "empty"),
    (b"%PDF-1.7\nthis is not really a PDF at all", "damaged"),
])
def test_bad_pdfs_are_refused_and_nothing_is_kept(app: Flask, officer: Any, make_round: Any,
                                                  data: bytes, words: str) -> None:
    round_ = make_round("proposals", officer=officer)
    with pytest.raises(FileRefused) as refused:
        papers.do_add(officer, round_, "Paper", data)
    assert words in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Paper)) == 0
    folder = Path(app.config["PB_UPLOADS"])
    assert not folder.exists() or not list(folder.iterdir())


def test_only_officers_add_papers_and_a_title_is_needed(app: Flask, officer: Any,
                                                        make_round: Any) -> None:
    round_ = make_round("proposals", officer=officer)
    with pytest.raises(UserError, match="Only officers"):
        papers.do_add(plain_user("resident"), round_, "Mine", images.pdf())
    with pytest.raises(UserError, match="Give the paper a title"):
        papers.do_add(officer, round_, " ", images.pdf())
    paper = papers.do_add(officer, round_, "Costs", images.pdf())
    papers.do_remove(officer, paper)
    assert papers.of_round(round_.id) == []


def test_a_pdf_locked_with_a_password_is_refused(app: Flask, officer: Any,
                                                 make_round: Any) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(images.pdf())))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(FileRefused, match="locked with a password"):
        papers.do_add(officer, make_round("proposals", officer=officer), "Locked",
                      out.getvalue())
