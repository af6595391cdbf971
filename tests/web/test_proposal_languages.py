"""Proposals in both languages: the side-by-side form, what each reader sees, search, the
ballot and the live screens (issue #17, "Content in both languages")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Proposal, ProposalRevision
from pb.services import live, proposals
from tests.conftest import text
from tests.factories import PROPOSAL_FORM as FORM

DOCS = Path(__file__).resolve().parents[2] / "docs" / "proposals.md"
WELSH = {"title_cy": "Parc bach ar Heol y Felin", "summary_cy": "Parc bach gyda meinciau.",
         "body_cy": "Meinciau, **blodau gwyllt** a bin."}
ENGLISH_ONLY = {"title": "", "summary": "", "body": ""}


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Proposal))


@pytest.fixture()
def resident(make_user: Any) -> Any:
    return make_user(name="Rhys Resident")


@pytest.fixture()
def round_(make_round: Any, make_user: Any) -> Any:
    return make_round("proposals", officer=make_user("officer"))


def post_new(client: Any, round_: Any, **changes: Any) -> Any:
    return client.post(f"/rounds/{round_.id}/proposals/new", data={**FORM, **changes})


def both(resident: Any, round_: Any, status: str = "submitted") -> Proposal:
    """A proposal written in English, with its title, summary and body in Welsh too."""
    data = proposals.ProposalData(title="", summary="", body="", cost_minor=2_000_000, texts={
        "en": {"title": "Pocket park", "summary": "A small park.", "body": "Benches."},
        "cy": {"title": "Parc bach", "summary": "Parc bychan.", "body": "Meinciau."}})
    proposal = proposals.do_create(resident, round_, data, submit=True)[0]
    proposal.status = status
    db.session.commit()
    return proposal


def english(resident: Any, round_: Any, title: str = "Street lights") -> Proposal:
    data = proposals.ProposalData(title=title, summary="Brighter lamps.", body="LEDs.",
                                  cost_minor=1_000_000, language="en")
    return proposals.do_create(resident, round_, data, submit=True)[0]


def test_the_form_shows_title_summary_and_body_in_both_languages(
        client: Any, login: Any, resident: Any, round_: Any) -> None:
    login(resident)
    page = text(client.get(f"/rounds/{round_.id}/proposals/new"))
    for name in ("title", "summary", "body"):
        assert f'name="{name}"' in page and f'name="{name}_cy"' in page
    assert "Title (Cymraeg)" in page and "Title (English)" in page
    assert re.search(r'<input[^>]*lang="cy"[^>]*name="title_cy"|'
                     r'<input[^>]*name="title_cy"[^>]*lang="cy"', page)
    assert 'name="language"' not in page  # the column says the language


def test_a_proposal_written_in_welsh_only_is_stored_as_welsh(
        client: Any, login: Any, resident: Any, round_: Any) -> None:
    login(resident)
    response = post_new(client, round_, **ENGLISH_ONLY, **WELSH)
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert (proposal.language, proposal.title, proposal.translations) == \
        ("cy", "Parc bach ar Heol y Felin", None)
    # Its edit form shows it in the Cymraeg column, and the English one empty.
    form = text(client.get(f"/proposals/{proposal.id}/edit"))
    assert re.search(r'name="title_cy"[^>]*value="Parc bach ar Heol y Felin"', form)
    assert not re.search(r'name="title"[^>]*value="Parc bach', form)


def test_a_title_in_neither_language_is_refused(client: Any, login: Any, resident: Any,
                                                round_: Any) -> None:
    login(resident)
    response = post_new(client, round_, title="", summary_cy="Crynodeb.")
    assert response.status_code == 400
    assert "Give the proposal a title in English or Cymraeg." in text(response)
    assert count() == 0


def test_a_round_in_both_languages_refuses_one_language_and_saves_nothing(
        client: Any, login: Any, resident: Any, round_: Any) -> None:
    round_.both_languages = True
    db.session.commit()
    login(resident)
    page = text(client.get(f"/rounds/{round_.id}/proposals/new"))
    assert "This round is published in both languages" in page
    response = post_new(client, round_)
    assert response.status_code == 400
    assert "Write the title in Cymraeg too: this round is published in both languages." \
        in text(response)
    assert count() == 0
    welsh_summary_missing = post_new(client, round_, **{**WELSH, "summary_cy": ""})
    assert welsh_summary_missing.status_code == 400
    assert "Write the summary in Cymraeg too" in text(welsh_summary_missing)
    assert count() == 0
    # A draft may be half-translated; submitting it asks for the rest.
    draft = post_new(client, round_, action="draft")
    assert draft.status_code == 302 and count() == 1
    proposal = db.session.scalar(sa.select(Proposal))
    refused = client.post(f"/proposals/{proposal.id}/edit",
                          data={**FORM, "version": "1", "action": "submit"})
    assert refused.status_code == 400 and "Write the title in Cymraeg too" in text(refused)
    db.session.refresh(proposal)
    assert proposal.status == "draft"
    sent = client.post(f"/proposals/{proposal.id}/edit",
                       data={**FORM, **WELSH, "version": "1", "action": "submit"})
    assert sent.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "submitted" and proposal.language == "en"
    assert proposal.translations == {"cy": {"title": WELSH["title_cy"],
                                            "summary": WELSH["summary_cy"],
                                            "body": WELSH["body_cy"]}}


def test_each_reader_sees_their_language_with_lang_attributes(
        client: Any, resident: Any, round_: Any) -> None:
    proposal = both(resident, round_)
    welsh = text(client.get(f"/proposals/{proposal.id}?lang=cy"))
    assert '<html lang="cy">' in welsh and "<h1>Parc bach</h1>" in welsh
    assert "Parc bychan." in welsh and "<p>Meinciau.</p>" in welsh
    assert "Pocket park" not in welsh and 'data-testid="not-yet"' not in welsh
    english_page = text(client.get(f"/proposals/{proposal.id}?lang=en"))
    assert "<h1>Pocket park</h1>" in english_page and "Parc bach" not in english_page


def test_a_welsh_reader_is_told_when_the_welsh_is_not_there_yet(
        client: Any, resident: Any, round_: Any) -> None:
    proposal = english(resident, round_)
    page = text(client.get(f"/proposals/{proposal.id}?lang=cy"))
    assert '<h1 lang="en">Street lights</h1>' in page
    assert '<div lang="en"><p>LEDs.</p>' in page
    assert 'data-testid="not-yet"' in page
    assert 'data-testid="not-yet"' not in text(client.get(f"/proposals/{proposal.id}?lang=en"))
    listing = text(client.get(f"/rounds/{round_.id}/proposals?lang=cy"))
    assert '<span lang="en">Street lights</span>' in listing
    assert 'data-testid="not-yet"' in listing
    discussion = text(client.get(f"/discussion/proposals/{proposal.id}?lang=cy"))
    assert '<h1 lang="en">Street lights</h1>' in discussion


def test_search_finds_a_proposal_by_a_welsh_word(client: Any, resident: Any,
                                                 round_: Any) -> None:
    both(resident, round_)
    english(resident, round_)
    found = text(client.get(f"/rounds/{round_.id}/proposals?q=BYCHAN&lang=en"))
    assert "1 proposal matches" in found and "Pocket park" in found
    assert "Street lights" not in found
    assert "1 proposal matches" in text(client.get(
        f"/rounds/{round_.id}/proposals?q=lamps"))


def test_changes_to_the_welsh_are_public_revisions(client: Any, login: Any, resident: Any,
                                                   round_: Any) -> None:
    proposal = both(resident, round_)
    login(resident)
    form = text(client.get(f"/proposals/{proposal.id}/edit"))
    assert re.search(r'name="summary_cy"[^>]*>\s*Parc bychan\.', form)
    response = client.post(f"/proposals/{proposal.id}/edit", data={
        **FORM, "title": "Pocket park", "summary": "A small park.", "body": "Benches.",
        "title_cy": "Parc poced", "summary_cy": "Parc bychan.", "body_cy": "Meinciau.",
        "cost": "20000", "version": str(proposal.version), "action": "save"})
    assert response.status_code == 302
    revision = db.session.scalar(sa.select(ProposalRevision))
    assert revision.changes["title_cy"] == {"before": "Parc bach", "after": "Parc poced"}
    assert "title" not in revision.changes and "summary_cy" not in revision.changes
    page = text(client.get(f"/proposals/{proposal.id}?lang=en"))
    assert "Title (Cymraeg)" in page and "Parc poced" in page


def test_the_ballot_shows_the_readers_language(client: Any, voting_round: Any,
                                               make_user: Any, login: Any) -> None:
    round_ = voting_round("approval")
    first = round_.projects[0]
    first.language = "en"
    first.translations = {"cy": {"title": "Prosiect un", "summary": "Crynodeb un"}}
    round_.projects[1].language = "en"  # not in Welsh yet
    db.session.commit()
    login(make_user())
    welsh = text(client.get(f"/rounds/{round_.id}/vote?lang=cy"))
    assert '<span class="project-title">Prosiect un</span>' in welsh
    assert "Crynodeb un" in welsh
    assert '<span lang="en" class="project-title">Project 2</span>' in welsh
    english_page = text(client.get(f"/rounds/{round_.id}/vote?lang=en"))
    assert '<span class="project-title">Project 1</span>' in english_page
    assert "Prosiect un" not in english_page


def test_the_live_screens_carry_both_languages_of_the_pitch(client: Any, evening: Any) -> None:
    first = db.session.get(Proposal, evening.pids[0])
    first.language = "en"
    first.translations = {"cy": {"title": "Prosiect un", "summary": "Crynodeb un",
                                 "body": "Not sent to screens."}}
    db.session.commit()
    live.do_control(evening.officer, evening, "start")
    state = live.snapshot(live.view(evening.id))
    assert state["current"]["lang"] == "en"
    assert state["current"]["translations"] == {"cy": {"title": "Prosiect un",
                                                       "summary": "Crynodeb un"}}
    welsh = text(client.get(f"/live/j/{evening.join_code}?lang=cy"))
    assert '<h2 class="phone-pitch" id="p-title">Prosiect un</h2>' in welsh
    assert "Crynodeb un" in welsh
    english_page = text(client.get(f"/live/j/{evening.join_code}?lang=en"))
    assert '<h2 class="phone-pitch" id="p-title">Project 1</h2>' in english_page


def test_download_my_data_carries_both_languages(client: Any, login: Any, resident: Any,
                                                 round_: Any) -> None:
    proposal = both(resident, round_)
    login(resident)
    data = json.loads(client.get("/account/my-data").get_data(as_text=True))
    mine = next(p for p in data["proposals"] if p["id"] == proposal.id)
    assert (mine["language"], mine["title"]) == ("en", "Pocket park")
    assert mine["translations"]["cy"]["title"] == "Parc bach"


def test_the_docs_on_writing_in_both_languages_stay_true(client: Any, login: Any,
                                                         resident: Any, round_: Any) -> None:
    docs = DOCS.read_text()
    section = " ".join(docs.split("**Writing in both languages.**")[1].split("\n- ")[0].split())
    assert "searches titles, summaries and descriptions in either language" in \
        " ".join(docs.split())
    login(resident)
    form = text(client.get(f"/rounds/{round_.id}/proposals/new"))
    assert "<legend>English</legend>" in form and "<legend>Cymraeg</legend>" in form
    assert "title, summary and full description" in section
    for label in ("Title (Cymraeg)", "Short summary (Cymraeg)", "Full description (Cymraeg)"):
        assert label in form
    # "a proposal written only in the Cymraeg column is a Welsh one"
    assert post_new(client, round_, **ENGLISH_ONLY, **WELSH).status_code == 302
    assert db.session.scalar(sa.select(Proposal.language)) == "cy"
    # "the listing's search finds words in either language"
    assert "1 proposal matches" in text(client.get(
        f"/rounds/{round_.id}/proposals?q=gwyllt"))
    # "submitting refuses a text written in one language only ... and saves nothing; a
    # draft may stay half-translated"
    assert "saves nothing" in section and "half-translated" in section
    round_.both_languages = True
    db.session.commit()
    refused = post_new(client, round_, form_key="key-2")
    assert refused.status_code == 400 and "in Cymraeg too" in text(refused) and count() == 1
    assert post_new(client, round_, form_key="key-3", action="draft").status_code == 302
    # "Changes to either language are kept in the public revisions": see
    # test_changes_to_the_welsh_are_public_revisions; the note: see
    # test_a_welsh_reader_is_told_when_the_welsh_is_not_there_yet.
    assert "*Not yet available in Cymraeg*" in section.replace("\n", " ")
    assert "public revisions" in section


def test_the_live_results_name_the_funded_projects_in_the_readers_language(
        client: Any, evening: Any, login: Any) -> None:
    first = db.session.get(Proposal, evening.pids[0])
    first.language = "en"
    first.translations = {"cy": {"title": "Prosiect un"}}
    db.session.commit()
    officer = evening.officer
    live.do_control(officer, evening, "start")
    live.do_control(officer, evening, "open_scoring_all")
    participant, _ = live.do_join(evening)
    live.do_score(evening, participant, {str(evening.pids[0]): 9}, "languages-key-1")
    live.do_control(officer, evening, "close")
    live.do_control(officer, evening, "reveal")
    funded = live.snapshot(live.view(evening.id))["results"]["funded"]
    assert funded[0]["lang"] == "en"
    assert funded[0]["translations"] == {"cy": {"title": "Prosiect un"}}
    login(officer)
    welsh = text(client.get(f"/live/{evening.id}/screen?lang=cy"))
    assert '<span class="funded-title">Prosiect un</span>' in welsh

