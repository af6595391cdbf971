"""The rounds service takes a round's texts by language (issue #17): it checks them, keeps the
original and its translations apart, and saves nothing when a round published in both
languages has a text in one only."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import AuditEntry, Round
from pb.services import ServiceError, rounds

BASE = {"title": "Green Northfield", "area": "Northfield", "budget_minor": 25_000_000,
        "currency": "GBP", "ballot_method": "approval", "tally_rule": "greedy"}
WELSH = {"cy": {"title": "Gogledd Gwyrdd", "description": "Parciau."}}


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Round))


def test_texts_are_kept_by_language(make_user: Any) -> None:
    round_ = rounds.do_create_round(make_user("officer"), rounds.RoundData(
        **BASE, description="Parks.", language="en", translations=WELSH,
        categories=["Parks"], category_names={"Parks": {"cy": "Parciau"}}))
    assert (round_.language, round_.title, round_.description) == ("en", "Green Northfield",
                                                                   "Parks.")
    assert round_.translations == WELSH
    assert round_.shown("title", "cy").text == "Gogledd Gwyrdd"
    assert round_.category_shown("Parks", "cy").text == "Parciau"
    assert round_.texts() == {"en": {"title": "Green Northfield", "description": "Parks."},
                              **WELSH}


def test_a_round_with_no_language_stated_stays_so(make_round: Any) -> None:
    round_ = make_round()
    assert (round_.language, round_.translations) == (None, None)
    assert not round_.shown("title", "cy").missing  # nobody said it is English


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"translations": {"cy": {"title": "Gogledd Gwyrdd"}}, "description": "Parks."},
     "description_cy", "Write the description in Cymraeg too"),
    ({"translations": {}}, "title_cy", "Write the title in Cymraeg too"),
    ({"translations": WELSH, "description": "Parks.", "categories": ["Parks"]},
     "categories_cy", "Name every category in Cymraeg too"),
])
def test_both_languages_refuses_a_text_in_one(make_user: Any, changes: dict[str, Any],
                                              field: str, words: str) -> None:
    data = rounds.RoundData(**{**BASE, "language": "en", "both_languages": True, **changes})
    with pytest.raises(ServiceError, match=words) as refused:
        rounds.do_create_round(make_user("officer"), data)
    assert refused.value.field == field and count() == 0


def test_a_title_in_some_language_is_required(make_user: Any) -> None:
    with pytest.raises(ServiceError, match="Give the round a title"):
        rounds.do_create_round(make_user("officer"), rounds.RoundData(
            **{**BASE, "title": " "}, language="en", translations={"cy": {"description": "x"}}))
    assert count() == 0


def test_an_edit_records_that_the_translation_changed(make_user: Any) -> None:
    officer = make_user("officer")
    round_ = rounds.do_create_round(officer, rounds.RoundData(
        **BASE, language="en", translations=WELSH))
    rounds.do_update_round(officer, round_, rounds.RoundData(
        **BASE, language="en", translations={"cy": {"title": "Gogledd Glas"}}))
    assert round_.translations == {"cy": {"title": "Gogledd Glas"}}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "round.updated"))
    assert entry.detail["fields"] == ["translations"]
