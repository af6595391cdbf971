"""Choosing a council by lot through the services: recruit, publish, draw, seat, replace."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from pb.domain.sortition import draw
from pb.domain.sortition.quotas import SortitionError
from pb.extensions import db
from pb.models import CouncilMember, OutboxMessage, RecordEntry, Volunteer
from pb.services import ServiceError
from pb.services.council import councils
from pb.services.council import recruitment as rec
from pb.services.council import selection as sel
from tests.factories import NOW, QUOTAS, link, opened, volunteers


def test_a_recruitment_runs_from_volunteers_to_a_seated_council(make_user: Any) -> None:
    officer, council, recruitment = opened(make_user)
    people = volunteers(recruitment, 12)
    second = make_user("officer")
    # Nobody can publish while volunteering is open.
    with freeze_time(NOW), pytest.raises(ServiceError, match="still open"):
        sel.do_publish(officer, recruitment)
    with freeze_time(NOW + timedelta(days=11)):
        sel.do_publish(officer, recruitment, greedy_runs=20)
        assert recruitment.published_at is not None
        files = sel.files(recruitment)
        # Every volunteer has a published chance, and they add up to the seats.
        chances = draw.parse_probabilities(files["probabilities.csv"])
        assert set(chances) == {v.number for v in people}
        assert sum(chances.values()) == pytest.approx(4, abs=1e-3)
        assert recruitment.smallest == pytest.approx(min(chances.values()), abs=1e-5)
        # The pool is fixed now.
        with pytest.raises(ServiceError, match="published"):
            rec.do_withdraw(people[0])
        # Seeds entered differently draw nothing; the same officer twice is refused.
        assert sel.do_enter_seed(officer, recruitment, "12 7 33", link).outcome == "waiting"
        with pytest.raises(ServiceError, match="second officer"):
            sel.do_enter_seed(officer, recruitment, "12 7 33", link)
        assert sel.do_enter_seed(second, recruitment, "12 7 34", link).outcome == "differs"
        assert recruitment.drawn_at is None
        assert sel.do_enter_seed(second, recruitment, "12, 7, 33", link).outcome == "waiting"
        assert sel.do_enter_seed(officer, recruitment, " 12  7 33 ", link).outcome == "drawn"
    # The panel is the one anyone replays from the files and the seed.
    replay = draw.replay(files, 4, "12 7 33")
    assert replay.panel_number == recruitment.panel_number
    invited = {v.number for v in people if v.invitation == "invited"}
    assert invited == set(replay.panel)
    entry = db.session.scalars(sa.select(RecordEntry).where(RecordEntry.kind == sel.DRAWN)).one()
    body = json.loads(entry.body)
    assert body["panel"] == sorted(replay.panel) and body["seed"] == "12 7 33"
    published = json.loads(db.session.scalars(
        sa.select(RecordEntry).where(RecordEntry.kind == sel.PUBLISHED)).one().body)
    assert published["files"] == {name: draw.sha256(text) for name, text in files.items()}
    # Invitations went out; one accepts and becomes a member, one declines and is replaced.
    drawn = [v for v in people if v.number in invited]
    mails = db.session.scalars(sa.select(OutboxMessage.recipient)
                               .where(OutboxMessage.subject.like("You have been drawn%"))).all()
    assert sorted(mails) == sorted(v.email for v in drawn)
    sel.do_answer(drawn[0], True, link, link)
    member = db.session.get(CouncilMember, drawn[0].member_id)
    assert member is not None and member.term_start == date(2027, 2, 1)
    assert councils.is_member(member.user, council, date(2027, 3, 1))
    welcome = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == drawn[0].email,
        OutboxMessage.subject.like("Welcome to%"))).one()
    assert "Choose its password" in welcome.body and "http://pb.test/v/" in welcome.body
    sel.do_answer(drawn[1], False, link, link)
    replacement = db.session.scalars(sa.select(Volunteer).where(
        Volunteer.replaces_number == drawn[1].number)).one()
    assert replacement.invitation == "invited"
    assert replacement.categories == drawn[1].categories or \
        all(v.categories != drawn[1].categories for v in people
            if v.invitation is None)
    with pytest.raises(ServiceError, match="already been answered"):
        sel.do_answer(drawn[1], True, link, link)
    # A seated member leaves: their term ends and a replacement is drawn and recorded.
    with freeze_time(datetime(2027, 6, 1, tzinfo=UTC)):
        after = sel.do_leave(officer, drawn[0], link, today=date(2027, 6, 1))
    assert member.term_end == date(2027, 6, 1)
    assert after is not None and after.replaces_number == drawn[0].number
    # Someone who drops out before the term starts loses a term that never began.
    sel.do_answer(after, True, link, link)
    early = db.session.get(CouncilMember, after.member_id)
    sel.do_leave(officer, after, link, today=date(2027, 1, 25))
    assert after.member_id is None and db.session.get(CouncilMember, early.id) is None
    kinds = db.session.scalars(sa.select(RecordEntry.kind).order_by(RecordEntry.seq)).all()
    assert kinds.count(sel.REPLACED) == 3


def test_bad_volunteers_and_imports_are_refused_with_reasons(make_user: Any) -> None:
    officer, _council, recruitment = opened(make_user)
    volunteers(recruitment, 1)
    with freeze_time(NOW):
        with pytest.raises(ServiceError, match="already registered"):
            rec.do_volunteer(recruitment, rec.VolunteerData(
                "Again", " V0@Example.org ", {"Age": "Under 40", "Area": "North"}), link)
        with pytest.raises(SortitionError, match="not a category"):
            rec.do_volunteer(recruitment, rec.VolunteerData(
                "Odd", "odd@example.org", {"Age": "Teen", "Area": "North"}), link)
        with pytest.raises(ServiceError, match="no column for Area"):
            rec.do_import(officer, recruitment, "name,email,Age\nA,a@x.org,Under 40\n")
        with pytest.raises(ServiceError, match="Row 3"):
            rec.do_import(officer, recruitment,
                          "name,email,age,area\nA,a@x.org,Under 40,North\nB,b@x.org,Old,East\n")
        assert len(recruitment.volunteers) == 1
        done = rec.do_import(officer, recruitment, "\ufeffName,Email,Age,Area,Phone\n"
                             "A,a@x.org,under 40,north,0123\nB,v0@example.org,Under 40,North,\n")
        assert done.added == 1 and "Row 3" in done.skipped[0]
        assert [c.volunteers for c in rec.counts(recruitment)] == [1, 1, 1, 1]
    with freeze_time(NOW + timedelta(days=11)), \
            pytest.raises(ServiceError, match="closed"):
        rec.do_volunteer(recruitment, rec.VolunteerData(
            "Late", "late@example.org", {"Age": "Under 40", "Area": "North"}), link)


def test_quotas_no_panel_can_meet_say_which_and_draw_nothing(make_user: Any) -> None:
    officer, _council, recruitment = opened(make_user)
    with freeze_time(NOW):
        for i in range(6):
            v = rec.do_volunteer(recruitment, rec.VolunteerData(
                f"P{i}", f"p{i}@example.org", {"Age": "40 and over",
                                               "Area": "North" if i % 2 else "South"}), link)
            rec.do_confirm(v)
    with freeze_time(NOW + timedelta(days=11)), pytest.raises(SortitionError) as caught:
        sel.do_publish(officer, recruitment, greedy_runs=5)
    assert [(s.feature, s.category, s.bound) for s in caught.value.lines] == \
        [("Age", "Under 40", "min")]
    assert recruitment.published_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordEntry)) == 0


def test_opening_checks_the_quotas_and_dates(make_user: Any) -> None:
    officer, council, _recruitment = opened(make_user)
    data = rec.RecruitmentData(
        title="Again", seats=2, closes_at=NOW + timedelta(days=1), term_start=date(2027, 2, 1),
        term_end=None, seed_source="Numbers drawn at the meeting of 21 January.",
        quotas="feature,category,min,max\nAge,A,1,2\nAge,B,3,2\n")
    with freeze_time(NOW), pytest.raises(SortitionError, match="Row 3: the min"):
        rec.do_open(officer, council, data)
    data.quotas = QUOTAS
    with freeze_time(NOW), pytest.raises(SortitionError, match="minimums for “Age” add up to 4"):
        rec.do_open(officer, council, replace(data, seats=3))
    with freeze_time(NOW), pytest.raises(ServiceError, match="term starts after"):
        rec.do_open(officer, council, replace(data, term_start=date(2027, 1, 5)))
    with freeze_time(NOW), pytest.raises(ServiceError, match="in the future"):
        rec.do_open(officer, council, replace(data, closes_at=NOW - timedelta(hours=1)))
    with freeze_time(NOW), pytest.raises(ServiceError, match="Only officers"):
        rec.do_open(make_user("council"), council, replace(data, seats=4))


def test_a_selection_that_takes_too_long_is_stopped_and_nothing_published(
        app: Any, make_user: Any) -> None:
    officer, _council, recruitment = opened(make_user)
    volunteers(recruitment, 8)
    rec.do_close_now(officer, recruitment)      # in real time: freezegun stops the clock
    app.config["PB_SORTITION_TIMEOUT"] = 0.01   # that subprocess's time limit reads
    with pytest.raises(ServiceError, match="took longer than 0 seconds"):
        sel.do_publish(officer, recruitment)
    assert recruitment.published_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordEntry)) == 0


def test_the_pool_or_a_rival_changing_while_computing_publishes_nothing(
        make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    officer, _council, recruitment = opened(make_user)
    people = volunteers(recruitment, 10)
    solve = sel._solve

    def meanwhile(change: Any) -> Any:
        def run(request: Any, time_limit: bool) -> Any:
            answer = solve(request, time_limit)
            db.session.execute(change)    # what another request committed in the meantime
            return answer
        return run

    withdrawn = sa.update(Volunteer).where(Volunteer.id == people[0].id) \
        .values(withdrawn_at=NOW)
    monkeypatch.setattr(sel, "_solve", meanwhile(withdrawn))
    with freeze_time(NOW + timedelta(days=11)), \
            pytest.raises(ServiceError, match="confirmed or withdrew"):
        sel.do_publish(officer, recruitment, greedy_runs=5)
    assert recruitment.published_at is None
    db.session.execute(sa.update(Volunteer).values(withdrawn_at=None))
    db.session.commit()
    rival = sa.update(type(recruitment)).values(published_at=NOW)
    monkeypatch.setattr(sel, "_solve", meanwhile(rival))
    with freeze_time(NOW + timedelta(days=11)), \
            pytest.raises(ServiceError, match="already been published"):
        sel.do_publish(officer, recruitment, greedy_runs=5)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordEntry)) == 0


def test_when_nobody_can_take_a_seat_the_record_says_so(make_user: Any) -> None:
    officer, _council, recruitment = opened(make_user)
    people = volunteers(recruitment, 4)           # exactly the seats: nobody is left over
    second = make_user("officer")
    with freeze_time(NOW + timedelta(days=11)):
        sel.do_publish(officer, recruitment, greedy_runs=5)
        sel.do_enter_seed(officer, recruitment, "9 9 9 9", link)
        sel.do_enter_seed(second, recruitment, "9 9 9 9", link)
    assert all(v.invitation == "invited" for v in people)
    assert sel.do_answer(people[0], False, link, link).invitation == "declined"
    entry = db.session.scalars(sa.select(RecordEntry).where(
        RecordEntry.kind == sel.REPLACED)).one()
    assert json.loads(entry.body)["replacement"] is None
    assert json.loads(entry.body)["leaving"] == people[0].number
