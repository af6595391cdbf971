"""Certifying results, departing from the vote, reporting progress: all in the public record."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.domain.errors import UserError
from pb.domain.outcomes import funded_after
from pb.extensions import db
from pb.models import Certification, Departure, ImplementationUpdate, Proposal, RecordEntry
from pb.services import ServiceError, counting, outcomes, pabulib_io, records
from tests.shared_data import shared_data

REASON = "The site of this project was sold after the vote, so it cannot be built."


@pytest.fixture()
def assen(app: Any) -> Any:
    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    return pabulib_io.do_import(source, None)


def proposal(round_: Any, project_id: str) -> Proposal:
    return db.session.scalar(sa.select(Proposal).where(Proposal.round_id == round_.id,
                                                       Proposal.external_id == project_id))


def entries() -> list[RecordEntry]:
    return list(db.session.scalars(sa.select(RecordEntry).order_by(RecordEntry.seq)))


def test_certifying_writes_the_count_to_the_record(assen: Any, make_user: Any) -> None:
    officer = make_user("officer", name="Olu")
    certification = outcomes.do_certify(officer, assen)
    (entry,) = entries()
    body = records.body_of(entry)
    assert entry.kind == "results.certified" and entry.seq == certification.record_seq
    assert sorted(body["selected"], key=int) == ["2", "3", "5", "6", "9", "11", "12", "13",
                                                 "14"]
    assert body["input_sha256"] == counting.do_count(assen).run.digest and body["by"] == "Olu"
    with pytest.raises(ServiceError, match="already certified"):
        outcomes.do_certify(officer, assen)
    assert len(entries()) == 1 and records.verify().ok


def test_residents_cannot_certify_or_depart(assen: Any, make_user: Any) -> None:
    resident = make_user()
    with pytest.raises(ServiceError, match="Only officers"):
        outcomes.do_certify(resident, assen)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certification)) == 0


def test_a_departure_needs_certification_and_a_reason(assen: Any, make_user: Any) -> None:
    officer = make_user("officer")
    dropped = proposal(assen, "3")
    with pytest.raises(ServiceError, match="Certify the counted results first"):
        outcomes.do_depart(officer, assen, dropped, "drop", REASON)
    outcomes.do_certify(officer, assen)
    with pytest.raises(UserError, match="public reason of at least 20"):
        outcomes.do_depart(officer, assen, dropped, "drop", "too short")
    with pytest.raises(UserError, match="already funds"):
        outcomes.do_depart(officer, assen, dropped, "fund", REASON)
    with pytest.raises(UserError, match="does not fund this project"):
        outcomes.do_depart(officer, assen, proposal(assen, "1"), "drop", REASON)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Departure)) == 0
    outcomes.do_depart(officer, assen, dropped, "drop", REASON)
    state = outcomes.decided(assen, counting.do_count(assen))
    assert "3" not in state.funded and len(state.departures) == 1
    assert [e.kind for e in entries()] == ["results.certified", "results.departure"]
    assert records.body_of(entries()[-1])["reason"] == REASON


def test_progress_only_on_funded_projects_and_cancelling_needs_a_reason(
        assen: Any, make_user: Any) -> None:
    officer = make_user("officer")
    outcomes.do_certify(officer, assen)
    funded = proposal(assen, "9")
    with pytest.raises(ServiceError, match="Only funded projects"):
        outcomes.do_update(officer, assen, proposal(assen, "1"), "planned", None, "")
    with pytest.raises(UserError, match="cannot be negative"):
        outcomes.do_update(officer, assen, funded, "in_progress", -5, "")
    with pytest.raises(UserError, match="Cancelling a funded project needs"):
        outcomes.do_update(officer, assen, funded, "cancelled", None, "no")
    outcomes.do_update(officer, assen, funded, "in_progress", 1_000_00, "Contractor chosen.")
    outcomes.do_update(officer, assen, funded, "done", 20_500_00, "Opened on 1 May.")
    assert [u.status for u in outcomes.updates([funded.id])[funded.id]] == ["in_progress",
                                                                            "done"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImplementationUpdate)) == 2
    assert entries()[-1].kind == "implementation.update" and records.verify().ok


def test_a_project_funded_against_the_vote_can_report_progress(assen: Any,
                                                               make_user: Any) -> None:
    officer = make_user("officer")
    outcomes.do_certify(officer, assen)
    extra = proposal(assen, "1")
    outcomes.do_depart(officer, assen, extra, "fund", REASON)
    outcomes.do_update(officer, assen, extra, "planned", None, "")
    assert "1" in outcomes.decided(assen, counting.do_count(assen)).funded


def test_funded_after_applies_departures_in_order() -> None:
    assert funded_after(["a", "b"], [("drop", "a"), ("fund", "c"), ("fund", "a")]) == \
        ["b", "c", "a"]


def test_departures_and_progress_record_the_titles_in_both_languages(
        assen: Any, make_user: Any) -> None:
    officer = make_user("officer")
    assen.language, assen.translations = "en", {"cy": {"title": "Assen yn Gymraeg"}}
    dropped, funded = proposal(assen, "3"), proposal(assen, "9")
    dropped.language, dropped.translations = "en", {"cy": {"title": "Prosiect tri"}}
    db.session.commit()
    outcomes.do_certify(officer, assen)
    outcomes.do_depart(officer, assen, dropped, "drop", REASON)
    outcomes.do_update(officer, assen, funded, "in_progress", None, "Contractor chosen.")
    departure, update = (records.body_of(e) for e in entries()[-2:])
    assert departure["round"]["translations"] == {"cy": {"title": "Assen yn Gymraeg"}}
    assert departure["project"] == {"id": "3", "title": dropped.title, "language": "en",
                                    "translations": {"cy": {"title": "Prosiect tri"}}}
    assert update["project"]["translations"] == {} and update["round"]["language"] == "en"
    assert records.verify().ok
