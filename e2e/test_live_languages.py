"""The live screens in the reader's language (issue #17): a phone and the projector read in
Welsh follow the pitches in Welsh as the facilitator moves on, or in the original language,
marked with its `lang`, where the Welsh is not written yet."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Browser, expect

from e2e.conftest import PHONE


def evening(live_app: Any) -> tuple[int, str]:
    """A session of two pitches: the first written in English and Welsh, the second in
    English only; return (session id, join code)."""
    from pb.extensions import db
    from pb.models import Proposal
    from pb.services import accounts, live, rounds

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        round_ = rounds.do_create_round(officer, rounds.RoundData(
            title=f"Youth Fund {uuid.uuid4().hex[:6]}", area="Northfield",
            budget_minor=20_000_000, currency="GBP", ballot_method="scoring",
            tally_rule="greedy", language="en"))
        projects = [
            Proposal(round_id=round_.id, title="Skate park lights", summary="Lights till ten.",
                     cost_minor=900_000, status="shortlisted", language="en",
                     translations={"cy": {"title": "Goleuadau'r parc sglefrio",
                                          "summary": "Goleuadau tan ddeg."}}),
            Proposal(round_id=round_.id, title="Youth radio", summary="A weekly show.",
                     cost_minor=500_000, status="shortlisted", language="en")]
        db.session.add_all(projects)
        db.session.commit()
        for step in ("proposals", "review", "deliberation", "voting"):
            rounds.do_change_phase(officer, round_, step)
        session = live.do_create(officer, round_, "Youth night", "open", "scoring",
                                 [(p.id, 180, 120) for p in projects])
        found = (session.id, session.join_code)
        db.session.remove()
    return found


def control(live_app: Any, session_id: int, action: str) -> None:
    from pb.extensions import db
    from pb.services import accounts, live

    with live_app.app_context():
        officer = accounts.find_by_email("officer@demo.example.org")
        live.do_control(officer, live.get(session_id), action)
        db.session.remove()


def test_a_welsh_phone_follows_the_pitches_in_welsh(browser: Browser, base_url: str,
                                                    live_app: Any, shot: Any) -> None:
    session_id, code = evening(live_app)
    phone = browser.new_context(base_url=base_url, viewport=PHONE, locale="cy-GB",
                                reduced_motion="reduce").new_page()
    phone.goto(f"/live/j/{code}?lang=cy")
    expect(phone.locator("html")).to_have_attribute("lang", "cy")
    control(live_app, session_id, "start")  # the page changes by itself (the socket)
    title = phone.locator("#p-title")
    expect(title).to_have_text("Goleuadau'r parc sglefrio")
    expect(phone.locator("#p-summary")).to_have_text("Goleuadau tan ddeg.")
    assert title.get_attribute("lang") is None
    shot(phone, "phone-pitch-cy")
    control(live_app, session_id, "next")
    expect(title).to_have_text("Youth radio")
    expect(title).to_have_attribute("lang", "en")
    expect(phone.locator("#p-summary")).to_have_attribute("lang", "en")
