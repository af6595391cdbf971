"""Rounds in English and Cymraeg (issue #17): the form's columns, what each reader sees, the
round that must be written in both, and the exports and record that carry both
(docs/proposals.md, "Both languages")."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Proposal, RecordEntry, Round
from pb.services import outcomes, pabulib_io, records, rounds
from tests.conftest import text
from tests.factories import ROUND_FORM as FORM
from tests.shared_data import shared_data

DOCS = Path(__file__).resolve().parents[2] / "docs" / "proposals.md"
WELSH = {"title_cy": "Gogledd Gwyrdd", "description_cy": "Parciau a **chwarae**.",
         "categories": "Parks\nRoads", "categories_cy": "Parciau\nFfyrdd"}


def rounds_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Round))


@pytest.fixture()
def officer(make_user: Any, login: Any) -> Any:
    return login(make_user("officer", name="Olu Officer"))


def bilingual_round(client: Any, **extra: str) -> Round:
    response = client.post("/rounds/new", data={**FORM, **WELSH, **extra})
    assert response.status_code == 302, text(response)
    return db.session.scalar(sa.select(Round).order_by(Round.id.desc()))


def test_the_form_shows_both_languages_side_by_side(client: Any, officer: Any) -> None:
    page = text(client.get("/rounds/new"))
    assert page.count('<fieldset class="language-column">') == 2
    for label in ("Title (English)", "Title (Cymraeg)", "Description (Cymraeg)",
                  "Categories of proposals (Cymraeg)", "Publish this round in both languages"):
        assert label in page
    assert re.search(r'<input[^>]*lang="cy"[^>]*name="title_cy"|<input[^>]*name="title_cy"'
                     r'[^>]*lang="cy"', page)
    assert 'name="language"' not in page  # the column says the language


def test_a_round_in_both_languages_is_stored_and_read_in_each(client: Any,
                                                              officer: Any) -> None:
    round_ = bilingual_round(client)
    assert (round_.language, round_.title) == ("en", "Green Northfield")
    assert round_.translations == {"cy": {"title": "Gogledd Gwyrdd",
                                          "description": "Parciau a **chwarae**."}}
    assert round_.categories == ["Parks", "Roads"]
    assert round_.category_names == {"Parks": {"cy": "Parciau"}, "Roads": {"cy": "Ffyrdd"}}
    rounds.do_change_phase(officer, round_, "proposals")
    db.session.add(Proposal(round_id=round_.id, title="Pocket park", summary="Benches.",
                            cost_minor=100, status="submitted", category="Parks",
                            language="en"))
    db.session.commit()
    client.get("/")  # shows the flash message naming the new round

    welsh = text(client.get(f"/rounds/{round_.id}?lang=cy"))
    assert '<html lang="cy">' in welsh and "<h1>Gogledd Gwyrdd</h1>" in welsh
    assert "<title>Gogledd Gwyrdd" in welsh and "<strong>chwarae</strong>" in welsh
    assert 'data-testid="not-yet"' not in welsh
    assert '<span class="category">Parciau</span>' in welsh  # the category, in Welsh
    assert "Green Northfield" not in welsh
    english = text(client.get(f"/rounds/{round_.id}?lang=en"))
    assert "<h1>Green Northfield</h1>" in english and "Gogledd Gwyrdd" not in english
    assert '<span class="category">Parks</span>' in english
    listed = text(client.get("/rounds/?lang=cy"))
    assert "Gogledd Gwyrdd" in listed and "Green Northfield" not in listed


def test_a_round_in_english_only_tells_welsh_readers(client: Any, officer: Any) -> None:
    client.post("/rounds/new", data=FORM)
    round_ = db.session.scalar(sa.select(Round))
    welsh = text(client.get(f"/rounds/{round_.id}?lang=cy"))
    assert '<h1 lang="en">Green Northfield</h1>' in welsh
    assert '<p class="not-yet" data-testid="not-yet">' in welsh
    assert re.search(r'data-testid="not-yet">[^<]+</p>', welsh)
    english = text(client.get(f"/rounds/{round_.id}?lang=en"))
    assert "<h1>Green Northfield</h1>" in english and 'data-testid="not-yet"' not in english


def test_a_round_in_both_languages_refuses_text_in_one(client: Any, officer: Any) -> None:
    response = client.post("/rounds/new", data={**FORM, "both_languages": "y"})
    assert response.status_code == 400
    assert ("Write the title in Cymraeg too: this round is published in both languages."
            in text(response))
    assert 'value="Green Northfield"' in text(response)  # what was typed is kept
    response = client.post("/rounds/new", data={**FORM, **WELSH, "both_languages": "y",
                                                "categories_cy": ""})
    assert response.status_code == 400
    assert "Name every category in Cymraeg too" in text(response)
    assert rounds_count() == 0
    bilingual_round(client, both_languages="y")
    assert rounds_count() == 1


def test_a_round_needs_a_title_in_some_language(client: Any, officer: Any) -> None:
    response = client.post("/rounds/new", data={**FORM, "title": ""})
    assert response.status_code == 400
    assert "Give the round a title, in English or Cymraeg." in text(response)
    assert rounds_count() == 0


def test_category_names_pair_line_by_line(client: Any, officer: Any) -> None:
    response = client.post("/rounds/new", data={**FORM, **WELSH, "categories_cy": "Parciau"})
    assert response.status_code == 400
    assert ("List 2 names in Cymraeg, one per line in the same order as the categories in "
            "English (this list has 1)." in text(response))
    assert rounds_count() == 0


def test_editing_shows_each_language_in_its_column(client: Any, officer: Any) -> None:
    round_ = bilingual_round(client)
    page = text(client.get(f"/rounds/{round_.id}/edit"))
    assert 'value="Gogledd Gwyrdd"' in page and 'value="Green Northfield"' in page
    assert "Parciau\nFfyrdd</textarea>" in page
    response = client.post(f"/rounds/{round_.id}/edit",
                           data={**FORM, **WELSH, "title_cy": "Gogledd Glas"})
    assert response.status_code == 302
    db.session.refresh(round_)
    assert round_.translations["cy"]["title"] == "Gogledd Glas" and round_.language == "en"


def test_a_welsh_round_keeps_its_categories_in_welsh(client: Any, officer: Any) -> None:
    response = client.post("/rounds/new", data={
        **FORM, "title": "", "description": "", "title_cy": "Gogledd Gwyrdd",
        "categories": "Parks", "categories_cy": "Parciau"})
    assert response.status_code == 302
    round_ = db.session.scalar(sa.select(Round))
    assert (round_.language, round_.categories) == ("cy", ["Parciau"])
    assert round_.category_names == {"Parciau": {"en": "Parks"}}
    assert round_.category_shown("Parciau", "en").text == "Parks"


@pytest.fixture()
def assen(app: Any) -> Any:
    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    round_ = pabulib_io.do_import(source, None)
    round_.language, round_.translations = "en", {"cy": {"title": "Assen yn Gymraeg"}}
    funded = db.session.scalar(sa.select(Proposal).where(Proposal.round_id == round_.id,
                                                         Proposal.external_id == "2"))
    funded.translations = {"cy": {"title": "Prosiect dau"}}
    db.session.commit()
    return round_


def test_the_exports_and_the_record_carry_both_languages(client: Any, assen: Any,
                                                         make_user: Any) -> None:
    outcomes.do_certify(make_user("officer"), assen)
    entry = db.session.scalar(sa.select(RecordEntry).where(
        RecordEntry.kind == "results.certified"))
    body = records.body_of(entry)
    assert body["round"]["translations"] == {"cy": {"title": "Assen yn Gymraeg"}}
    assert body["titles"]["2"]["translations"] == {"cy": {"title": "Prosiect dau"}}
    assert set(body["titles"]) == set(body["selected"])
    assert records.verify().ok

    data = client.get(f"/rounds/{assen.id}/results.json").get_json()
    assert data["round"]["translations"] == {"cy": {"title": "Assen yn Gymraeg"}}
    assert data["project_titles"]["2"]["translations"] == {"cy": {"title": "Prosiect dau"}}
    assert data["project_titles"]["1"]["translations"] == {}
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/rounds/{assen.id}/results.csv").get_data().decode("utf-8-sig"))))
    row = next(r for r in rows if r["project_id"] == "2")
    assert row["title_cy"] == "Prosiect dau" and row["title"]
    assert next(r for r in rows if r["project_id"] == "1")["title_cy"] == ""
    welsh = text(client.get(f"/rounds/{assen.id}/results?lang=cy"))
    assert "Prosiect dau" in welsh and "Assen yn Gymraeg" in welsh
    # The public record's sentences name the round in the reader's language.
    assert "Assen yn Gymraeg" in text(client.get("/records/?lang=cy"))
    english = text(client.get("/records/?lang=en"))
    assert "Assen yn Gymraeg" not in english and assen.title in english


def test_the_docs_on_both_languages_stay_true(client: Any, officer: Any) -> None:
    section = DOCS.read_text().split("**Both languages.**")[1].split("\n- ")[0]
    form = text(client.get("/rounds/new"))
    for quoted in re.findall(r"\*([^*]+)\*", section):
        if quoted.startswith(("Not yet available", "in ")):
            continue  # the note, checked on the round page below
        assert " ".join(quoted.split()) in form, quoted
    client.post("/rounds/new", data=FORM)
    round_ = db.session.scalar(sa.select(Round))
    assert "Not yet available in Cymraeg" in section
    assert 'data-testid="not-yet"' in text(client.get(f"/rounds/{round_.id}?lang=cy"))
    refused = text(client.post("/rounds/new?lang=en", data={**FORM, "both_languages": "y"}))
    assert "this round is published in both languages" in refused and rounds_count() == 1
    assert "`results.json`" in section and "`results.csv`" in section


def test_the_waiting_results_page_marks_the_title_language(client: Any,
                                                           make_round: Any) -> None:
    round_ = make_round("voting", title="Green <Northfield>", language="en")
    welsh = client.get(f"/rounds/{round_.id}/results?lang=cy").get_data(as_text=True)
    assert '<span lang="en">Green &lt;Northfield&gt;</span></h1>' in welsh
    english = client.get(f"/rounds/{round_.id}/results?lang=en").get_data(as_text=True)
    assert "<h1>Results of Green &lt;Northfield&gt;</h1>" in english
