"""Officers certify, depart and report on the results page; everyone sees it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Departure, Proposal
from pb.services import pabulib_io
from tests.conftest import text
from tests.factories import confirm
from tests.shared_data import shared_data

REASON = "The site of this project was sold after the vote, so it cannot be built."


@pytest.fixture()
def assen(app: Any) -> Any:
    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    return pabulib_io.do_import(source, None)


def test_officer_certifies_departs_and_reports(client: Any, assen: Any, make_user: Any,
                                               login: Any) -> None:
    login(make_user("officer", name="Olu Officer"))
    base = f"/rounds/{assen.id}/results"
    assert "Check the count before certifying it" in text(client.get(base))
    confirm(client, f"{base}/certify")
    page = text(client.get(base))
    assert "Certified by Olu Officer" in page and "Decision record entry 1" in page
    response = client.post(f"{base}/departures", data={"project": "3", "action": "drop",
                                                       "reason": "short"})
    assert response.status_code == 400 and "at least 20 characters" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Departure)) == 0
    client.post(f"{base}/departures", data={"project": "3", "action": "drop",
                                            "reason": REASON})
    response = client.post(f"{base}/updates", data={"project": "9", "status": "done",
                                                    "spent": "-3", "note": ""})
    assert response.status_code == 400 and "cannot be negative" in text(response)
    client.post(f"{base}/updates", data={"project": "9", "status": "in_progress",
                                         "spent": "1,250.50", "note": "Work has started."})
    client.post("/account/logout")
    page = text(client.get(base))
    assert "Departures from the vote" in page and REASON in page
    assert "Dropped against the vote" in page and "Work has started." in page
    assert "€1,250.50 spent" in page and "For officers" not in page
    records = text(client.get("/records/"))
    assert "departed from the vote" in records


def test_only_officers_may_post(client: Any, assen: Any, make_user: Any, login: Any) -> None:
    base = f"/rounds/{assen.id}/results"
    assert client.post(f"{base}/certify").status_code == 302  # log in first
    login(make_user())
    assert client.post(f"{base}/certify").status_code == 403
    assert client.post(f"{base}/departures", data={"project": "3", "action": "drop",
                                                   "reason": REASON}).status_code == 403


def test_unknown_project_is_not_found(client: Any, assen: Any, make_user: Any,
                                      login: Any) -> None:
    login(make_user("officer"))
    confirm(client, f"/rounds/{assen.id}/results/certify")
    response = client.post(f"/rounds/{assen.id}/results/departures",
                           data={"project": "999", "action": "drop", "reason": REASON})
    assert response.status_code == 400 and "Not a valid choice" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 14


def test_round_page_shows_progress_once_certified(client: Any, assen: Any, make_user: Any,
                                                  login: Any) -> None:
    assert "Progress on funded projects" not in text(client.get(f"/rounds/{assen.id}"))
    login(make_user("officer"))
    confirm(client, f"/rounds/{assen.id}/results/certify")
    client.post(f"/rounds/{assen.id}/results/updates", data={
        "project": "9", "status": "done", "spent": "", "note": ""})
    page = text(client.get(f"/rounds/{assen.id}"))
    assert "Progress on funded projects" in page and 'step-current' in page
    section = page.split('id="progress-title"')[1].split("</section>")[0]
    assert "Done" in section and "No progress reported yet." in section


def test_proposal_page_shows_its_progress(client: Any, assen: Any, make_user: Any,
                                          login: Any) -> None:
    login(make_user("officer"))
    confirm(client, f"/rounds/{assen.id}/results/certify")
    client.post(f"/rounds/{assen.id}/results/updates", data={
        "project": "9", "status": "in_progress", "spent": "500", "note": "Tender published."})
    gym = db.session.scalar(sa.select(Proposal).where(Proposal.round_id == assen.id,
                                                      Proposal.external_id == "9"))
    page = text(client.get(f"/proposals/{gym.id}"))
    assert "Progress on this project" in page and "Tender published." in page
    assert "€500 spent" in page


def test_the_page_title_is_only_the_title(client: Any, assen: Any, make_user: Any,
                                          login: Any) -> None:
    login(make_user("officer"))
    page = text(client.get(f"/rounds/{assen.id}/results"))
    title = page.split("<title>")[1].split("</title>")[0]
    assert title == "Results of Assen Top Idee – pb"
    assert page.count("For officers") == 1
