"""Councils through the services: members, terms, referrals, drafting, publishing, who may."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import RecordEntry
from pb.services import ServiceError, records
from pb.services.council import councils as councils
from tests.factories import counts, make_setup, publish


def test_officers_create_councils_and_others_cannot(make_user: Any) -> None:
    officer = make_user("officer")
    council = councils.do_create_council(officer, councils.CouncilData("Youth Council"))
    assert council.response_days == 30
    others = (make_user(), make_user("council"), make_user("facilitator"))
    before = counts()
    for who in others:
        with pytest.raises(ServiceError, match="Only officers"):
            councils.do_create_council(who, councils.CouncilData("Another"))
    with pytest.raises(ServiceError, match="already a council called"):
        councils.do_create_council(officer, councils.CouncilData(" Youth Council "))
    with pytest.raises(ServiceError, match="between 1 and 365"):
        councils.do_create_council(officer, councils.CouncilData("Elders", response_days=0))
    with pytest.raises(ServiceError, match="Give the council a name"):
        councils.do_create_council(officer, councils.CouncilData("  "))
    assert counts() == before


def test_members_need_the_council_role_and_terms_must_not_overlap(make_user: Any) -> None:
    s = make_setup(make_user)
    resident, other = make_user(), make_user("council")
    before = counts()
    with pytest.raises(ServiceError, match="does not have the council member role"):
        councils.do_add_member(s.officer, s.council, resident, date.today(), None)
    with pytest.raises(ServiceError, match="no account with that email"):
        councils.do_add_member(s.officer, s.council, None, date.today(), None)
    with pytest.raises(ServiceError, match="already has a term"):
        councils.do_add_member(s.officer, s.council, s.member, date.today(), None)
    with pytest.raises(ServiceError, match="end on or after"):
        councils.do_add_member(s.officer, s.council, other, date.today(),
                               date.today() - timedelta(days=1))
    with pytest.raises(ServiceError, match="Only officers"):
        councils.do_add_member(s.member, s.council, other, date.today(), None)
    assert counts()["CouncilMember"] == before["CouncilMember"]


def test_a_term_that_ended_stops_drafting(make_user: Any) -> None:
    s = make_setup(make_user)
    assert councils.is_member(s.member, s.council)
    term = s.council.members[0]
    councils.do_end_term(s.officer, term, date.today() - timedelta(days=1))
    assert not councils.is_member(s.member, s.council)
    assert councils.current_members(s.council) == []
    with pytest.raises(ServiceError, match="Only current members"):
        councils.do_add_recommendation(s.member, s.referral, "Plant trees", "")
    with pytest.raises(ServiceError, match="end on or after"):
        councils.do_end_term(s.officer, term, term.term_start - timedelta(days=1))


def test_referrals_are_for_officers_with_a_future_date(make_user: Any) -> None:
    s = make_setup(make_user)
    before = counts()
    future = date.today() + timedelta(days=10)
    with pytest.raises(ServiceError, match="Only officers"):
        councils.do_refer(s.member, s.council, councils.ReferralData("Q?", future))
    with pytest.raises(ServiceError, match="date in the future"):
        councils.do_refer(s.officer, s.council, councils.ReferralData("Q?", date.today()))
    with pytest.raises(ServiceError, match="Write the question"):
        councils.do_refer(s.officer, s.council, councils.ReferralData(" ", future))
    with pytest.raises(ServiceError, match="at most 300"):
        councils.do_refer(s.officer, s.council, councils.ReferralData("x" * 301, future))
    assert counts() == before


def test_only_current_members_draft_and_drafts_are_private(make_user: Any) -> None:
    s = make_setup(make_user)
    rec = councils.do_add_recommendation(s.member, s.referral, "Plant trees", "Shade.")
    for outsider in (s.officer, make_user("council"), make_user()):
        with pytest.raises(ServiceError, match="Only current members"):
            councils.do_add_recommendation(outsider, s.referral, "More", "")
        with pytest.raises(ServiceError, match="Only current members"):
            councils.do_edit_recommendation(outsider, rec, "Changed", "")
        with pytest.raises(ServiceError, match="Only current members"):
            councils.do_publish_advice(outsider, s.referral)
        assert councils.get_recommendation(rec.id, outsider) is None
    assert councils.get_recommendation(rec.id, None) is None
    assert councils.get_recommendation(rec.id, s.member) is rec
    with pytest.raises(ServiceError, match="Write the recommendation"):
        councils.do_add_recommendation(s.member, s.referral, "  ", "")


def test_removing_a_draft_renumbers_the_rest(make_user: Any) -> None:
    s = make_setup(make_user)
    recs = [councils.do_add_recommendation(s.member, s.referral, t, "") for t in "ABC"]
    councils.do_remove_recommendation(s.member, recs[0])
    assert [(r.number, r.text) for r in s.referral.recommendations] == [(1, "B"), (2, "C")]


def test_publishing_numbers_the_advice_starts_the_clock_and_records_it(make_user: Any) -> None:
    s = make_setup(make_user, response_days=30)
    when = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    recs = publish(s, now=when)
    assert [r.number for r in recs] == [1, 2, 3]
    assert all(r.published_at == when and r.response_due == when + timedelta(days=30)
               for r in recs)
    (entry,) = db.session.scalars(sa.select(RecordEntry))
    assert (entry.seq, entry.kind, entry.subject) == (1, "advice.published",
                                                      f"referral:{s.referral.id}")
    body = records.body_of(entry)
    assert [r["text"] for r in body["recommendations"]] == ["Plant trees", "Open toilets",
                                                            "Add bins"]
    assert body["by"] == "Carys Council" and entry.council_id == s.council.id
    assert records.verify().ok


def test_published_advice_cannot_change_in_any_way(make_user: Any) -> None:
    s = make_setup(make_user)
    recs = publish(s)
    before = counts()
    rec = recs[0]
    attempts = [
        lambda: councils.do_edit_recommendation(s.member, rec, "Rewritten", ""),
        lambda: councils.do_remove_recommendation(s.member, rec),
        lambda: councils.do_add_recommendation(s.member, s.referral, "One more", ""),
        lambda: councils.do_save_summary(s.member, s.referral, "New summary"),
        lambda: councils.do_publish_advice(s.member, s.referral),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError, match="has been published and cannot be changed"):
            attempt()
        db.session.rollback()
    assert counts() == before
    assert db.session.get(type(rec), rec.id).text == "Plant trees"


def test_advice_needs_a_recommendation(make_user: Any) -> None:
    s = make_setup(make_user)
    before = counts()
    with pytest.raises(ServiceError, match="at least one recommendation"):
        councils.do_publish_advice(s.member, s.referral)
    assert counts() == before and s.referral.published_at is None


def test_a_welsh_referrals_advice_is_welsh_first_and_keeps_each_texts_translation(
        make_user: Any) -> None:
    s = make_setup(make_user)
    referral = councils.do_refer(s.officer, s.council, councils.ReferralData(
        "", date.today() + timedelta(days=9), texts={
            "en": {"question": "", "background": "Papers."},
            "cy": {"question": "Pa barc?", "background": "Papurau."}}))
    assert (referral.language, referral.question, referral.translations) == (
        "cy", "Pa barc?", {"en": {"background": "Papers."}})
    with pytest.raises(ServiceError, match="background papers in") as unpaired:
        councils.do_refer(s.officer, s.council, councils.ReferralData(
            "", date.today() + timedelta(days=9), texts={
                "en": {"question": "", "background": "Papers."}, "cy": {"question": "Pa?"}}))
    assert unpaired.value.field == "background_cy"
    with pytest.raises(ServiceError, match="recommendation in Cymraeg as well") as refused:
        councils.do_add_recommendation(s.member, referral, texts={"en": {"text": "Trees"}})
    assert refused.value.field == "text_cy" and refused.value.params == {"language": "Cymraeg"}
    rec = councils.do_add_recommendation(s.member, referral, "Coed", "Cysgod")  # in Welsh
    assert (rec.text, rec.translations, rec.shown("text", "en").lang) == ("Coed", None, "cy")
    councils.do_save_summary(s.member, referral, texts={"cy": {"summary": "Cyngor."},
                                                        "en": {"summary": "Advice."}})
    assert referral.summary == "Cyngor." and referral.translations == {
        "en": {"background": "Papers.", "summary": "Advice."}}  # the background's kept
    councils.do_save_summary(s.member, referral, texts={"cy": {"summary": "Cyngor."},
                                                        "en": {"summary": ""}})
    assert referral.translations == {"en": {"background": "Papers."}}
