"""Comply or explain through the services: responses, amendments, overdue, the register."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from pb.domain.errors import UserError
from pb.services import ServiceError, records
from pb.services.council import councils as councils
from pb.services.council import register as council_register
from pb.services.council.responses import ResponseData, do_respond
from tests.factories import REASONS, counts, make_setup, publish

PUBLISHED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture()
def advice(make_user: Any) -> Any:
    s = make_setup(make_user, response_days=30)
    return s, publish(s, now=PUBLISHED)


def test_the_decision_body_accepts_rejects_and_defers(advice: Any) -> None:
    s, (a, b, c) = advice
    at = PUBLISHED + timedelta(days=10)
    do_respond(s.officer, a, ResponseData("accepted"), now=at)
    do_respond(s.officer, b, ResponseData("not_accepted", REASONS), now=at)
    do_respond(s.officer, c, ResponseData("deferred", REASONS, date(2026, 6, 1)), now=at)
    assert [r.latest.outcome for r in (a, b, c)] == ["accepted", "not_accepted", "deferred"]
    assert b.latest.responded_by.display_name == "Olu Officer" and b.latest.responded_at == at
    rows = {row.rec.id: row for row in council_register.rows(now=at)}
    assert rows[b.id].status == "not_accepted" and rows[b.id].days_to_respond == 10.0
    kinds = [e.kind for e in records.entries(limit=None)]
    assert kinds == ["response.published"] * 3 + ["advice.published"]
    assert records.verify().ok and records.verify().count == 4


@pytest.mark.parametrize(("data", "words"), [
    (ResponseData("not_accepted", ""), "Give the reasons"),
    (ResponseData("partly", "Too dear."), "at least 40 characters"),
    (ResponseData("deferred", REASONS), "by which date"),
    (ResponseData("deferred", REASONS, date(2026, 3, 1)), "in the future"),
    (ResponseData("rejected", REASONS), "Choose a response"),
])
def test_bad_responses_write_nothing(advice: Any, data: ResponseData, words: str) -> None:
    s, (a, *_rest) = advice
    before = counts()
    with pytest.raises(UserError, match=words):
        do_respond(s.officer, a, data, now=PUBLISHED + timedelta(days=1))
    assert counts() == before


def test_only_officers_and_admins_respond(advice: Any, make_user: Any) -> None:
    s, (a, *_rest) = advice
    others = (s.member, make_user(), make_user("facilitator"), make_user("council"))
    before = counts()
    for who in others:
        with pytest.raises(ServiceError, match="Only officers"):
            do_respond(who, a, ResponseData("accepted"))
    assert counts() == before
    do_respond(make_user("admin"), a, ResponseData("accepted"))
    assert a.latest.version == 1


def test_unpublished_recommendations_get_no_response(make_user: Any) -> None:
    s = make_setup(make_user)
    rec = councils.do_add_recommendation(s.member, s.referral, "Plant trees", "")
    before = counts()
    with pytest.raises(ServiceError, match="has not been published yet"):
        do_respond(s.officer, rec, ResponseData("accepted"))
    assert counts() == before


def test_responding_twice_needs_an_amendment_which_keeps_the_old_version(advice: Any) -> None:
    s, (a, *_rest) = advice
    do_respond(s.officer, a, ResponseData("deferred", REASONS, date(2026, 5, 1)),
               now=PUBLISHED + timedelta(days=3))
    before = counts()
    with pytest.raises(ServiceError, match="already has a response"):
        do_respond(s.officer, a, ResponseData("accepted"))
    with pytest.raises(ServiceError, match="responded to this recommendation meanwhile"):
        do_respond(s.officer, a, ResponseData("accepted"), amend=True, seen_version=0)
    with pytest.raises(ServiceError, match="same as the current response"):
        do_respond(s.officer, a, ResponseData("deferred", REASONS, date(2026, 5, 1)),
                   amend=True, now=PUBLISHED + timedelta(days=4))
    assert counts() == before
    later = PUBLISHED + timedelta(days=20)
    do_respond(s.officer, a, ResponseData("partly", REASONS), amend=True, seen_version=1,
               now=later)
    assert [(r.version, r.outcome) for r in a.responses] == [(1, "deferred"), (2, "partly")]
    assert a.responses[0].responded_at == PUBLISHED + timedelta(days=3)
    (row,) = [r for r in council_register.rows(now=later) if r.rec.id == a.id]
    assert row.status == "partly" and row.days_to_respond == 3.0  # to the first response
    assert records.entries(limit=1)[0].kind == "response.amended"


def test_amending_needs_a_response_first(advice: Any) -> None:
    s, (a, *_rest) = advice
    with pytest.raises(ServiceError, match="no response to amend"):
        do_respond(s.officer, a, ResponseData("accepted"), amend=True)


def test_overdue_appears_once_the_due_date_passes(advice: Any) -> None:
    s, (a, b, c) = advice
    do_respond(s.officer, a, ResponseData("accepted"), now=PUBLISHED + timedelta(days=2))
    with freeze_time(PUBLISHED + timedelta(days=29)):
        statuses = {row.rec.id: row.status for row in council_register.rows()}
        assert statuses == {a.id: "accepted", b.id: "awaiting", c.id: "awaiting"}
    with freeze_time(PUBLISHED + timedelta(days=35)):
        rows = {row.rec.id: row for row in council_register.rows()}
        assert rows[b.id].status == "overdue" and rows[b.id].days_overdue == 5
        overdue = council_register.rows(council_register.Filters(status="overdue"))
        assert {row.rec.id for row in overdue} == {b.id, c.id}
        (council, figures), = council_register.figures(list(rows.values()))
        assert council.id == s.council.id
        assert figures.counts["overdue"] == 2 and figures.median_days == 2.0


def test_a_deferral_past_its_date_is_overdue_again(advice: Any) -> None:
    s, (a, *_rest) = advice
    do_respond(s.officer, a, ResponseData("deferred", REASONS, date(2026, 4, 1)),
               now=PUBLISHED + timedelta(days=1))
    with freeze_time(datetime(2026, 4, 5, 12, tzinfo=UTC)):
        (row,) = [r for r in council_register.rows() if r.rec.id == a.id]
        assert row.status == "overdue" and row.days_overdue == 4


def test_register_filters_by_council_status_and_year(advice: Any, make_user: Any) -> None:
    s, (a, b, c) = advice
    other = make_setup(make_user, name="Youth Council")  # its advice comes a year later
    publish(other, ("Later advice",), now=PUBLISHED + timedelta(days=365))
    do_respond(s.officer, a, ResponseData("accepted"), now=PUBLISHED + timedelta(days=1))
    everything = council_register.rows(now=PUBLISHED + timedelta(days=400))
    assert len(everything) == 4
    mine = council_register.rows(council_register.Filters(council=s.council.id))
    assert {r.rec.id for r in mine} == {a.id, b.id, c.id}
    assert [r.rec.text for r in council_register.rows(council_register.Filters(year=2027))] \
        == ["Later advice"]
    accepted = council_register.rows(council_register.Filters(status="accepted"))
    assert [r.rec.id for r in accepted] == [a.id]
    assert council_register.years() == [2027, 2026]
    assert [c.name for c, _f in council_register.figures(everything)] == [
        "Afonbridge Citizens’ Council", "Youth Council"]


def test_open_data_rows_and_csv(advice: Any) -> None:
    s, (a, b, _c) = advice
    do_respond(s.officer, b, ResponseData("not_accepted", "=HYPERLINK(\"x\") " + REASONS),
               now=PUBLISHED + timedelta(days=5))
    rows = council_register.rows(now=PUBLISHED + timedelta(days=6))
    items = [council_register.as_dict(r, f"https://pb.test/{r.rec.id}") for r in rows]
    item = next(i for i in items if i["number"] == b.number)
    assert item["status"] == "not_accepted" and item["responded_by"] == "Olu Officer"
    assert item["published_at"] == "2026-03-02T10:00:00+00:00"
    text = council_register.to_csv(items)
    assert text.startswith("\ufeff")   # Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert table[0][:4] == ["council", "referral", "question", "number"]
    assert any(cell.startswith("'=HYPERLINK") for row in table for cell in row)  # stays text
