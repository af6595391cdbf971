"""The demo town's pictures, places and rounds in two languages, as the README promises."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pb.demo import pictures as demo_pictures
from pb.demo import welsh
from pb.extensions import db
from pb.models import Proposal, ProposalPicture, Round
from pb.services import pictures, storage

README = Path(__file__).resolve().parents[2] / "README.md"
# Afonbridge's pins lie in one Welsh town centre (pb.demo.places).
TOWN = ((51.46, 51.50), (-3.20, -3.16))


def _readme() -> str:
    return " ".join(README.read_text(encoding="utf-8").split())


def test_the_readme_names_the_bilingual_rounds_the_demo_writes() -> None:
    found = re.search(r"two rounds, \*([^*]+)\* and \*([^*]+)\*, are written in English and "
                      r"Welsh \(the first is published in both\)", _readme())
    assert found, "the README no longer says which demo rounds are bilingual"
    assert list(found.groups()) == list(welsh.BILINGUAL)
    first, second = (welsh.BILINGUAL[title] for title in found.groups())
    assert first[2] is True and second[2] is False  # only the first requires both
    assert "Some of its proposals have pictures (drawings the demo makes itself, credited on " \
        "each proposal), the map of every round with proposals has pins" in _readme()


def test_the_demo_town_has_pictures_places_and_two_rounds_in_welsh(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    rounds = {r.title: r for r in db.session.scalars(sa.select(Round))}

    # Two rounds in both languages: titles, descriptions, categories, every proposal's texts.
    for title in welsh.BILINGUAL:
        round_ = rounds[title]
        assert round_.shown("title", "cy").lang == "cy" and not round_.shown("title", "cy").missing
        assert round_.shown("description", "cy").lang == "cy"
        assert round_.shown("title", "en").text == title
        listed = list(db.session.scalars(sa.select(Proposal).where(
            Proposal.round_id == round_.id)))
        assert listed
        for proposal in listed:
            for field in Proposal.TRANSLATED:
                seen = proposal.shown(field, "cy")
                assert seen.lang == "cy" and seen.text and not seen.missing, (proposal.title,
                                                                             field)
                assert seen.text != getattr(proposal, field), (proposal.title, field)
            shown_category = round_.category_shown(proposal.category, "cy")
            assert shown_category.lang == "cy" and not shown_category.missing, proposal.category
    assert [t for t, r in rounds.items() if r.both_languages] == ["Old Town Community Fund"]
    # The others are English only: a Welsh reader is told so.
    english_only = rounds["Green Northfield 2027"]
    assert english_only.shown("title", "cy").missing and not english_only.translations

    # Pictures: ready, drawn, described in both languages, credited on their proposals.
    seeded = list(db.session.scalars(sa.select(ProposalPicture)))
    expected = sum(len(scenes) for by_proposal in demo_pictures.PICTURES.values()
                   for scenes in by_proposal.values())
    assert len(seeded) == expected >= 5
    for picture in seeded:
        assert picture.state == "ready" and picture.variants, picture.alt
        assert all((storage.folder() / v["name"]).is_file() for v in picture.variants)
        assert picture.language == "en" and picture.shown("alt", "cy").lang == "cy"
        proposal = db.session.get(Proposal, picture.proposal_id)
        assert picture in pictures.shown(proposal)
        assert demo_pictures.CREDIT in proposal.body
        if proposal.translations:
            assert demo_pictures.CREDIT_CY in proposal.shown("body", "cy").text
    assert len({p.proposal_id for p in seeded}) < len(seeded)  # one proposal has two

    # Places: every round with public proposals has pins, all inside the town.
    for round_ in rounds.values():
        public = list(db.session.scalars(sa.select(Proposal).where(
            Proposal.round_id == round_.id, Proposal.status != "draft")))
        if round_.phase == "draft" or not public:
            continue
        pinned = [p for p in public if p.latitude is not None]
        assert pinned, round_.title
        for p in pinned:
            assert TOWN[0][0] < p.latitude < TOWN[0][1] and TOWN[1][0] < p.longitude < TOWN[1][1]
            assert p.place
    assert any(p.latitude is None and p.place for p in db.session.scalars(sa.select(Proposal)))
