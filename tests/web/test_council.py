"""Councils through the real forms and pages: who may do what, bad input, downloads, feeds."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from pb.services import records
from pb.services.council import councils
from pb.services.council.responses import ResponseData, do_respond
from tests.conftest import text
from tests.factories import REASONS, confirm, counts, make_setup, publish

FUTURE = (date.today() + timedelta(days=40)).isoformat()


@pytest.fixture()
def s(make_user: Any) -> Any:
    return make_setup(make_user)


def test_officer_creates_a_council_adds_a_member_and_refers(client: Any, make_user: Any,
                                                            login: Any) -> None:
    login(make_user("officer"))
    response = client.post("/councils/new", data={"name": "Youth Council", "remit": "**Youth**",
                                                  "response_days": "21"})
    assert response.status_code == 302
    url = response.headers["Location"]
    page = text(client.get(url))
    assert "<strong>Youth</strong>" in page and "within 21 days" in page
    council_id = int(url.rstrip("/").split("/")[-1])
    make_user("council", email="nia@example.org", name="Nia")
    added = client.post(f"/councils/{council_id}/members",
                        data={"email": "NIA@example.org", "term_start": "2026-01-01"})
    assert added.status_code == 302
    assert "Nia" in text(client.get(url))
    referred = client.post(f"/councils/{council_id}/refer", data={
        "question": "Which youth clubs first?", "background": "- Club A\n- Club B",
        "advice_due": FUTURE})
    assert referred.status_code == 302
    page = text(client.get(referred.headers["Location"]))
    assert "Which youth clubs first?" in page and "<li>Club A</li>" in page
    assert "preparing its advice" in page


@pytest.mark.parametrize(("url", "data", "words"), [
    ("/councils/new", {"name": "", "response_days": "30"}, "Give the council a name"),
    ("/councils/new", {"name": "X", "response_days": "0"}, "from 1 to 365"),
    ("/councils/new", {"name": "X", "response_days": "soon"}, "Enter a number of days"),
])
def test_bad_council_forms_are_explained(client: Any, make_user: Any, login: Any, url: str,
                                         data: dict, words: str) -> None:
    login(make_user("officer"))
    before = counts()
    response = client.post(url, data=data)
    assert response.status_code == 400 and words in text(response)
    assert counts() == before


@pytest.mark.parametrize(("data", "words"), [
    ({"question": "Q?", "advice_due": "31/02/2027"}, "Enter the date as day, month and year"),
    ({"question": "Q?", "advice_due": "2020-01-01"}, "date in the future"),
    ({"question": "", "advice_due": FUTURE}, "Write the question"),
])
def test_bad_referrals_are_explained(client: Any, s: Any, login: Any, data: dict,
                                     words: str) -> None:
    login(s.officer)
    before = counts()
    response = client.post(f"/councils/{s.council.id}/refer", data=data)
    assert response.status_code == 400 and words in text(response)
    assert counts() == before


def test_member_errors_are_shown_on_the_council_page(client: Any, s: Any, login: Any,
                                                     make_user: Any) -> None:
    make_user(email="rhys@example.org")
    login(s.officer)
    before = counts()
    response = client.post(f"/councils/{s.council.id}/members",
                           data={"email": "rhys@example.org", "term_start": "2026-01-01"})
    assert response.status_code == 400
    assert "does not have the council member role" in text(response)
    bad_date = client.post(f"/councils/{s.council.id}/members",
                           data={"email": "rhys@example.org", "term_start": "someday"})
    assert bad_date.status_code == 400 and "Enter the date as" in text(bad_date)
    assert counts() == before


def test_residents_and_members_cannot_use_officer_pages(client: Any, s: Any, login: Any,
                                                        make_user: Any) -> None:
    for who in (make_user(), s.member):
        login(who)
        assert client.get("/councils/new").status_code == 403
        assert client.post(f"/councils/{s.council.id}/refer",
                           data={"question": "Q", "advice_due": FUTURE}).status_code == 403
    assert client.post("/account/logout").status_code == 302
    assert client.get("/councils/new").status_code == 302


def test_members_draft_and_publish_and_drafts_stay_private(client: Any, s: Any, login: Any,
                                                           make_user: Any) -> None:
    url = f"/councils/referrals/{s.referral.id}"
    login(s.member)
    empty = client.post(f"{url}/recommendations", data={"text": "", "rationale": ""})
    assert empty.status_code == 400 and "Write the recommendation" in text(empty)
    for words in ("Plant 40 trees", "Open the toilets"):
        assert client.post(f"{url}/recommendations",
                           data={"text": words, "rationale": "Shade"}).status_code == 302
    client.post(f"{url}/summary", data={"summary": "Our *advice*."})
    page = text(client.get(url))
    assert "Draft advice" in page and "Plant 40 trees" in page
    rec_id = s.referral.recommendations[0].id
    login(make_user("council"))  # on no term of this council
    assert "Plant 40 trees" not in text(client.get(url))
    assert client.get(f"/councils/recommendations/{rec_id}").status_code == 404
    assert client.post(f"{url}/recommendations", data={"text": "Mine"}).status_code == 403
    login(s.member)
    assert confirm(client, f"{url}/publish").status_code == 303
    client.post("/account/logout")
    page = text(client.get(url))
    assert "Plant 40 trees" in page and "<em>advice</em>" in page and "Awaiting a response" in page
    login(s.member)
    edit = client.post(f"/councils/recommendations/{rec_id}/edit", data={"text": "Rewritten"})
    assert edit.status_code == 403 and "cannot be changed" in text(edit)
    removed = client.post(f"/councils/recommendations/{rec_id}/remove")
    assert removed.status_code == 403 and "cannot be changed" in text(removed)
    assert s.referral.recommendations[0].text == "Plant 40 trees"


def test_published_recommendations_offer_no_edit_form(client: Any, s: Any, login: Any,
                                                     make_user: Any) -> None:
    rec = publish(s)[0]
    url = f"/councils/recommendations/{rec.id}"
    for who in (make_user(), make_user("council"), make_user("officer"), make_user("admin"),
                s.member):
        login(who)
        page = client.get(f"{url}/edit")
        assert page.status_code == 403, who
        assert "This is a draft" not in text(page) and "Save the recommendation" not in text(page)
        assert client.post(f"{url}/edit", data={"text": "Rewritten"}).status_code == 403
        assert client.post(f"{url}/remove").status_code == 403
    assert "has been published and cannot be changed" in text(client.get(f"{url}/edit"))
    assert rec.text == "Plant trees" and len(s.referral.recommendations) == 3


def test_only_the_councils_members_may_publish_its_advice(client: Any, s: Any, login: Any,
                                                          make_user: Any) -> None:
    draft = councils.do_add_recommendation(s.member, s.referral, "Plant trees", "Shade")
    url = f"/councils/referrals/{s.referral.id}"
    for who in (make_user(), make_user("council"), make_user("officer"), make_user("admin")):
        login(who)
        refused = client.post(f"{url}/publish")
        assert refused.status_code == 403, who
        assert "Only current members of this council can draft its advice" in text(refused)
        assert client.get(f"/councils/recommendations/{draft.id}/edit").status_code == 404
        assert client.post(f"{url}/summary", data={"summary": "Ours"}).status_code == 403
    assert s.referral.published_at is None and s.referral.summary == ""
    login(s.member)
    assert confirm(client, f"{url}/publish").status_code == 303
    assert s.referral.published_at is not None
    again = client.post(f"{url}/publish")
    assert again.status_code == 403 and "has been published" in text(again)


def test_officer_responds_with_reasons_and_amends(client: Any, s: Any, login: Any) -> None:
    a, b, c = publish(s)
    login(s.officer)
    url = f"/councils/recommendations/{b.id}"
    assert "Respond for the decision body" in text(client.get(url))
    before = counts()
    short = client.post(f"{url}/respond", data={"outcome": "not_accepted", "reasons": "No.",
                                                "version": "0"})
    assert short.status_code == 400
    assert "at least 40 characters" in text(short) and counts() == before
    bad_date = client.post(f"{url}/respond", data={"outcome": "deferred", "reasons": REASONS,
                                                   "deferred_until": "2027-13-45",
                                                   "version": "0"})
    assert bad_date.status_code == 400 and "Not a valid date" in text(bad_date)
    assert counts() == before
    ok = client.post(f"{url}/respond", data={"outcome": "not_accepted", "reasons": REASONS,
                                             "version": "0"})
    assert ok.status_code == 302
    twice = client.post(f"{url}/respond", data={"outcome": "accepted", "version": "1"})
    assert twice.status_code == 400 and "amend the response" in text(twice)
    stale = client.post(f"{url}/respond", data={"outcome": "accepted", "version": "0",
                                                "amend": "1"})
    assert stale.status_code == 400 and "meanwhile" in text(stale)
    amended = client.post(f"{url}/respond", data={"outcome": "partly", "reasons": REASONS,
                                                  "version": "1", "amend": "1"})
    assert amended.status_code == 302
    client.post("/account/logout")
    page = text(client.get(url))
    assert "Partly accepted" in page and "Earlier versions" in page and "Not accepted" in page
    assert "Version 1, by Olu Officer" in page and "Version 2, by Olu Officer" in page
    assert client.post(f"{url}/respond", data={"outcome": "accepted"}).status_code == 302


def test_the_register_filters_downloads_and_shows_overdue(client: Any, s: Any) -> None:
    a, b, c = publish(s)
    do_respond(s.officer, a, ResponseData("accepted"))
    do_respond(s.officer, b, ResponseData("not_accepted", REASONS))
    page = text(client.get("/councils/register"))
    assert REASONS in page and "Awaiting a response" in page and "Median days to respond" in page
    with freeze_time(date.today() + timedelta(days=33)):
        overdue = text(client.get("/councils/register?status=overdue"))
        assert "Add bins" in overdue and "Plant trees" not in overdue
        assert "days overdue" in overdue
        data = json.loads(client.get("/councils/register.json?status=overdue").data)
        assert [r["recommendation"] for r in data["recommendations"]] == ["Add bins"]
        assert data["recommendations"][0]["days_overdue"] >= 2
    download = client.get(f"/councils/register.csv?council={s.council.id}&year=nonsense")
    assert download.mimetype == "text/csv" and "attachment" in download.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert {r["status"] for r in rows} == {"accepted", "not_accepted", "awaiting"}
    assert next(r for r in rows if r["status"] == "not_accepted")["reasons"] == REASONS
    assert "No recommendations match" in text(client.get("/councils/register?status=deferred"))


def test_council_page_lists_members_and_figures(client: Any, s: Any) -> None:
    a, *_rest = publish(s)
    do_respond(s.officer, a, ResponseData("accepted"))
    page = text(client.get(f"/councils/{s.council.id}"))
    assert "Carys Council" in page and "How its advice fared" in page
    assert "How should the parks budget be spent?" in page
    assert "@" not in page.split("<main")[1]  # members by display name, never by email


def test_the_record_pages_verify_download_and_feed(client: Any, s: Any) -> None:
    a, *_rest = publish(s)
    do_respond(s.officer, a, ResponseData("accepted"))
    page = text(client.get("/records/"))
    assert "The record is intact" in page and "All 2 entries" in page
    assert records.verify().head in page
    entry = text(client.get("/records/2"))
    assert "Hash of this entry" in entry and "Olu Officer" in entry
    assert client.get("/records/99").status_code == 404
    data = client.get("/records/records.json").get_json()
    assert [e["seq"] for e in data["entries"]] == [1, 2]
    feed = client.get("/records/feed.atom")
    assert feed.mimetype == "application/atom+xml"
    body = feed.get_data(as_text=True)
    assert body.count("<entry>") == 2 and "Advice published" in body
    per_council = client.get(f"/records/feed.atom?council={s.council.id}").get_data(as_text=True)
    assert per_council.count("<entry>") == 2
    assert client.get("/records/feed.atom?council=999").status_code == 404
    from xml.etree import ElementTree

    ElementTree.fromstring(feed.data)  # noqa: S314 - our own feed: checks it is well-formed


def test_the_record_page_says_which_entry_was_tampered_with(client: Any, s: Any) -> None:
    publish(s)
    import sqlalchemy as sa

    from pb.extensions import db

    db.session.execute(sa.text("UPDATE record_entries SET body = replace(body, 'trees', "
                               "'roads') WHERE seq = 1"))
    db.session.commit()
    page = text(client.get("/records/"))
    assert "The record does not match" in page and "Entry 1 was changed" in page
