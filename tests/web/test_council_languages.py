"""Referrals, advice and responses in English and Cymraeg (issue #17): the forms' columns,
what each reader sees, approvals of both languages, the register's downloads and the record."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Recommendation, RecordEntry, Referral
from pb.services import records
from pb.services.council import councils, publishing
from pb.services.council import register as council_register
from pb.services.council.responses import ResponseData, do_respond
from tests.conftest import text
from tests.factories import REASONS, confirm, counts, make_setup

FUTURE = (date.today() + timedelta(days=40)).isoformat()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "council.md"
REASONS_CY = "Mae cyllideb eleni eisoes wedi’i hymrwymo i’r amddiffynfeydd llifogydd ar yr afon."


@pytest.fixture()
def s(make_user: Any) -> Any:
    return make_setup(make_user)


def _refer(client: Any, s: Any, **texts: str) -> Referral:
    response = client.post(f"/councils/{s.council.id}/refer",
                           data={"advice_due": FUTURE, **texts})
    assert response.status_code == 302, text(response)
    return db.session.get(Referral, int(response.headers["Location"].rsplit("/", 1)[-1]))


def _bilingual(client: Any, s: Any, login: Any) -> Recommendation:
    """A referral put in both languages, advised on in both, published: its recommendation."""
    login(s.officer)
    referral = _refer(client, s, question="Which park first?", question_cy="Pa barc yn gyntaf?",
                      background="Two **parks**.", background_cy="Dau **barc**.")
    login(s.member)
    client.post(f"/councils/referrals/{referral.id}/summary",
                data={"summary": "Our advice.", "summary_cy": "Ein cyngor."})
    client.post(f"/councils/referrals/{referral.id}/recommendations", data={
        "text": "Start with Victoria Park.", "text_cy": "Dechrau gyda Pharc Victoria.",
        "rationale": "Most children.", "rationale_cy": "Y nifer fwyaf o blant."})
    assert confirm(client, f"/councils/referrals/{referral.id}/publish").status_code == 303
    db.session.refresh(referral)
    assert referral.published_at is not None
    return referral.recommendations[0]


def test_the_forms_show_both_languages_side_by_side(client: Any, s: Any, login: Any) -> None:
    login(s.officer)
    page = text(client.get(f"/councils/{s.council.id}/refer"))
    for name in ("question", "question_cy", "background", "background_cy"):
        assert f'name="{name}"' in page
    assert re.search(r'name="question_cy"[^>]*lang="cy"|lang="cy"[^>]*name="question_cy"', page)
    assert "Question for the council (Cymraeg)" in page
    login(s.member)
    draft = text(client.get(f"/councils/referrals/{s.referral.id}"))
    for name in ("summary", "summary_cy", "text", "text_cy", "rationale", "rationale_cy"):
        assert f'name="{name}"' in draft
    assert "The question was put in English, so write in English first" in draft
    councils.do_add_recommendation(s.member, s.referral, texts={
        "en": {"text": "Plant trees", "rationale": ""}, "cy": {"text": "Plannu coed"}})
    edit = text(client.get(f"/councils/recommendations/{s.referral.recommendations[0].id}/edit"))
    assert re.search(r'name="text_cy"[^>]*>\s*Plannu coed<', edit)
    councils.do_publish_advice(s.member, s.referral)
    login(s.officer)
    respond = text(client.get(f"/councils/recommendations/{s.referral.recommendations[0].id}"))
    assert 'name="reasons"' in respond and 'name="reasons_cy"' in respond


def test_a_referral_takes_the_language_it_was_written_in(client: Any, s: Any,
                                                         login: Any) -> None:
    login(s.officer)
    welsh = _refer(client, s, question_cy="Pa barc yn gyntaf?", background_cy="Dau barc.")
    assert (welsh.language, welsh.question, welsh.translations) == ("cy", "Pa barc yn gyntaf?",
                                                                     None)
    login(s.member)
    assert "The question was put in Cymraeg, so write in Cymraeg first" in text(
        client.get(f"/councils/referrals/{welsh.id}"))
    login(s.officer)
    both = _refer(client, s, question="Which park?", question_cy="Pa barc?")
    assert both.language == "en" and both.translations == {"cy": {"question": "Pa barc?"}}
    before = counts()
    refused = client.post(f"/councils/{s.council.id}/refer",
                          data={"advice_due": FUTURE, "background_cy": "Dim cwestiwn."})
    assert refused.status_code == 400 and "Write the question" in text(refused)
    assert counts() == before


def test_welsh_readers_see_welsh_and_others_see_the_original_with_a_note(
        client: Any, s: Any, login: Any) -> None:
    rec = _bilingual(client, s, login)
    do_respond(s.officer, rec, ResponseData("not_accepted", texts={
        "en": {"reasons": REASONS}, "cy": {"reasons": REASONS_CY}}))
    client.get("/?lang=cy")
    for url in (f"/councils/referrals/{rec.referral_id}", f"/councils/recommendations/{rec.id}",
                "/councils/register", f"/councils/{s.council.id}"):
        page = text(client.get(url))
        assert "Pa barc yn gyntaf?" in page, url
        assert "Which park first?" not in page, url
    for url in (f"/councils/referrals/{rec.referral_id}", f"/councils/recommendations/{rec.id}"):
        assert 'data-testid="not-yet"' not in text(client.get(url)), url
    advice = text(client.get(f"/councils/referrals/{rec.referral_id}"))
    for welsh in ("Dau <strong>barc</strong>", "Ein cyngor.", "Dechrau gyda Pharc Victoria.",
                  "Y nifer fwyaf o blant.", REASONS_CY):
        assert welsh in advice
    assert REASONS_CY in text(client.get("/councils/register"))

    # Written in Welsh only: English readers see the Welsh, marked as Welsh, with the note.
    login(s.officer)
    welsh = _refer(client, s, question_cy="Pa lyfrgell?")
    client.get("/?lang=en")
    for url in (f"/councils/referrals/{welsh.id}", f"/councils/{s.council.id}"):
        page = text(client.get(url))
        assert re.search(r'<[a-z0-9]+ lang="cy"[^>]*>Pa lyfrgell\?<', page), url
        assert "Not yet available in English" in page, url
    page = text(client.get(f"/councils/referrals/{rec.referral_id}"))
    assert "Start with Victoria Park." in page and 'lang="cy"' not in page.split("<main")[-1]


def test_advice_must_be_written_in_the_referrals_language_first(client: Any, s: Any,
                                                                  login: Any) -> None:
    login(s.member)
    before = counts()
    refused = client.post(f"/councils/referrals/{s.referral.id}/recommendations",
                          data={"text_cy": "Plannu coed"})
    page = text(refused)
    assert refused.status_code == 400
    assert "Write the recommendation in English as well: the question was put in English" in page
    assert counts() == before
    only_rationale = client.post(f"/councils/referrals/{s.referral.id}/recommendations",
                                 data={"text": "Plant trees", "rationale_cy": "Cysgod."})
    assert only_rationale.status_code == 400 and "Write the rationale in English" in \
        text(only_rationale)
    assert counts() == before
    summary = client.post(f"/councils/referrals/{s.referral.id}/summary",
                          data={"summary_cy": "Ein cyngor."})
    assert summary.status_code == 400 and "Write the summary in English" in text(summary)
    db.session.refresh(s.referral)
    assert s.referral.summary == "" and s.referral.translations is None


def test_responses_keep_both_languages_and_the_reasons_rule_reads_the_original(
        client: Any, s: Any, login: Any) -> None:
    rec = _bilingual(client, s, login)
    login(s.officer)
    url = f"/councils/recommendations/{rec.id}/respond"
    refused = client.post(url, data={"outcome": "not_accepted", "reasons_cy": REASONS_CY,
                                     "version": "0"})
    assert refused.status_code == 400 and "Write the reasons in English as well" in text(refused)
    short = client.post(url, data={"outcome": "not_accepted", "reasons": "No.",
                                   "reasons_cy": REASONS_CY, "version": "0"})
    assert short.status_code == 400 and "at least 40 characters" in text(short)
    done = client.post(url, data={"outcome": "not_accepted", "reasons": REASONS,
                                  "reasons_cy": REASONS_CY, "version": "0"})
    assert done.status_code == 302
    db.session.refresh(rec)
    assert rec.latest.reasons == REASONS and rec.latest.translations == {
        "cy": {"reasons": REASONS_CY}}
    # Amending only the Welsh reasons is a change; the same texts again are not.
    form = text(client.get(f"/councils/recommendations/{rec.id}"))
    assert re.search(r'name="reasons_cy"[^>]*>\s*' + re.escape(REASONS_CY), form)
    same = client.post(url, data={"outcome": "not_accepted", "reasons": REASONS,
                                  "reasons_cy": REASONS_CY, "version": "1", "amend": "1"})
    assert same.status_code == 400 and "same as the current response" in text(same)
    amended = client.post(url, data={"outcome": "not_accepted", "reasons": REASONS,
                                     "reasons_cy": REASONS_CY + " Eto.", "version": "1",
                                     "amend": "1"})
    assert amended.status_code == 302


def test_changing_only_the_welsh_text_withdraws_approvals(client: Any, s: Any, login: Any,
                                                          make_user: Any) -> None:
    for person in (make_user("council", name="Dewi Member"),
                   make_user("council", name="Efa Member")):
        councils.do_add_member(s.officer, s.council, person, date.today(), None)
    councils.do_update_council(s.officer, s.council, councils.CouncilData(
        s.council.name, publish_rule="majority"))
    rec = councils.do_add_recommendation(s.member, s.referral, texts={
        "en": {"text": "Plant trees", "rationale": "Shade."},
        "cy": {"text": "Plannu coed", "rationale": "Cysgod."}})
    url = f"/councils/referrals/{s.referral.id}/publish"
    login(s.member)
    check = text(client.get(url))
    assert "Plannu coed" in check and "Plant trees" in check  # members approve both
    confirm(client, url)
    assert len(publishing.publication(s.referral).approved) == 1
    login(s.member)
    client.post(f"/councils/recommendations/{rec.id}/edit", data={
        "text": "Plant trees", "rationale": "Shade.", "text_cy": "Plannu llawer o goed",
        "rationale_cy": "Cysgod."})
    db.session.refresh(s.referral)
    state = publishing.publication(s.referral)
    assert rec.text == "Plant trees" and not state.approved and len(state.earlier) == 1
    assert "Approved an earlier version" in text(client.get(url))
    # The summary's Welsh alone changes the draft too.
    digest = publishing.draft_digest(s.referral)
    councils.do_save_summary(s.member, s.referral, texts={"en": {"summary": "Advice."},
                                                          "cy": {"summary": ""}})
    plain = publishing.draft_digest(s.referral)
    councils.do_save_summary(s.member, s.referral, texts={"en": {"summary": "Advice."},
                                                          "cy": {"summary": "Cyngor."}})
    assert len({digest, plain, publishing.draft_digest(s.referral)}) == 3


def test_the_register_downloads_carry_both_languages(client: Any, s: Any, login: Any) -> None:
    rec = _bilingual(client, s, login)
    do_respond(s.officer, rec, ResponseData("partly", texts={
        "en": {"reasons": REASONS}, "cy": {"reasons": REASONS_CY}}))
    login(s.officer)
    welsh = _refer(client, s, question_cy="Pa lyfrgell?")
    login(s.member)
    client.post(f"/councils/referrals/{welsh.id}/recommendations", data={"text_cy": "Agor"})
    councils.do_publish_advice(s.member, welsh)

    data = json.loads(client.get("/councils/register.json").get_data(as_text=True))
    by_question = {item["question"]: item for item in data["recommendations"]}
    both = by_question["Which park first?"]
    assert both["language"] == "en" and both["translations"] == {"cy": {
        "question": "Pa barc yn gyntaf?", "recommendation": "Dechrau gyda Pharc Victoria.",
        "rationale": "Y nifer fwyaf o blant.", "reasons": REASONS_CY}}
    assert by_question["Pa lyfrgell?"]["language"] == "cy"
    assert by_question["Pa lyfrgell?"]["recommendation"] == "Agor"

    rows = list(csv.DictReader(io.StringIO(
        client.get("/councils/register.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {"language", "question_cy", "recommendation_cy", "rationale_cy",
            "reasons_cy"} <= set(rows[0])
    by_cy = {row["question_cy"]: row for row in rows}
    assert by_cy["Pa barc yn gyntaf?"]["question"] == "Which park first?"
    assert by_cy["Pa barc yn gyntaf?"]["reasons_cy"] == REASONS_CY
    assert by_cy["Pa barc yn gyntaf?"]["reasons"] == REASONS
    # Written in Welsh only: the English columns are empty, the Welsh ones hold the text.
    assert (by_cy["Pa lyfrgell?"]["question"], by_cy["Pa lyfrgell?"]["recommendation_cy"],
            by_cy["Pa lyfrgell?"]["language"]) == ("", "Agor", "cy")


def test_the_record_carries_the_translations_and_still_verifies(client: Any, s: Any,
                                                                login: Any) -> None:
    councils.do_add_recommendation(s.member, s.referral, "Plant trees", "Shade.")
    councils.do_publish_advice(s.member, s.referral)  # English only, as before
    rec = _bilingual(client, s, login)
    do_respond(s.officer, rec, ResponseData("not_accepted", texts={
        "en": {"reasons": REASONS}, "cy": {"reasons": REASONS_CY}}))
    entries = {(e.kind, e.subject): json.loads(e.body)
               for e in db.session.scalars(sa.select(RecordEntry))}
    advice = entries[(records.ADVICE_PUBLISHED, f"referral:{rec.referral_id}")]
    assert advice["language"] == "en" and advice["translations"] == {
        "cy": {"question": "Pa barc yn gyntaf?", "summary": "Ein cyngor."}}
    assert advice["recommendations"][0]["translations"] == {"cy": {
        "text": "Dechrau gyda Pharc Victoria.", "rationale": "Y nifer fwyaf o blant."}}
    response = entries[(records.RESPONSE_PUBLISHED, f"recommendation:{rec.id}")]
    assert response["translations"] == {"cy": {"reasons": REASONS_CY}}
    assert response["recommendation"]["translations"]["cy"]["text"] == \
        "Dechrau gyda Pharc Victoria."
    english = entries[(records.ADVICE_PUBLISHED, f"referral:{s.referral.id}")]
    assert english["translations"] == {} and english["recommendations"][0]["translations"] == {}
    assert records.verify().ok and records.verify().count == 3
    # An entry written before translations (no such keys) verifies too.
    old = records.append(records.ADVICE_PUBLISHED, "referral:999", {
        "referral": 999, "question": "Old?", "summary": "", "recommendations": []})
    db.session.commit()
    assert records.verify().ok and records.verify().head == old.hash
    assert "Pa barc yn gyntaf?" in text(client.get("/records/records.json"))


def test_the_docs_on_both_languages_stay_true() -> None:
    section = DOCS.read_text(encoding="utf-8").split("## In English and Cymraeg", 1)[1]
    section = section.split("\n## ", 1)[0]
    named = set(re.findall(r"`(\w+_cy)`", section))
    assert named and named <= set(council_register.FIELDS)
    assert {f"{name}_cy" for name in council_register.TEXTS} == named
    for phrase in ("side by side", "Not yet available in Cymraeg", "as well",
                   "changing only the Welsh", "`translations`", "`language`"):
        assert phrase in section, phrase
