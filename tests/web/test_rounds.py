"""Budget rounds through the real forms: create, edit, change phase, public pages."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import AuditEntry, Round
from tests.conftest import text
from tests.factories import ROUND_FORM as FORM
from tests.factories import confirm_from


def rounds_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Round))


@pytest.fixture()
def officer(make_user: Any, login: Any) -> Any:
    return login(make_user("officer", name="Olu Officer"))


def test_officer_creates_a_draft_round(client: Any, officer: Any) -> None:
    response = client.post("/rounds/new", data={**FORM, "starts_proposals": "2027-03-01T09:00",
                                                "starts_voting": "2027-05-01T09:00"})
    assert response.status_code == 302
    round_ = db.session.scalar(sa.select(Round))
    assert (round_.phase, round_.budget_minor, round_.currency) == ("draft", 25_000_000, "GBP")
    # Typed in London time (GMT in March, BST in May), stored in UTC.
    assert round_.starts["proposals"].isoformat() == "2027-03-01T09:00:00+00:00"
    assert round_.starts["voting"].isoformat() == "2027-05-01T08:00:00+00:00"
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "£250,000" in page and "<strong>play</strong>" in page


@pytest.mark.parametrize(("budget", "words"), [
    ("-100", "cannot be negative"),
    ("lots", "as a number"),
    ("100.001", "at most 2 decimal places"),
    ("1000000000000000", "too large"),
    ("0", "more than zero"),
    ("", "Enter the total budget"),
])
def test_bad_budgets_are_explained_and_nothing_is_saved(client: Any, officer: Any,
                                                        budget: str, words: str) -> None:
    response = client.post("/rounds/new", data={**FORM, "budget": budget})
    assert response.status_code == 400
    assert words in text(response)
    assert 'value="Green Northfield"' in text(response)  # what was typed is kept
    assert rounds_count() == 0


@pytest.mark.parametrize(("changes", "words"), [
    ({"starts_proposals": "2027-05-01T09:00", "starts_voting": "2027-03-01T09:00"},
     "voting phase must start after the proposals phase"),
    ({"starts_review": "not a date"}, "Not a valid datetime value"),
    ({"currency": "XYZ"}, "is not a currency code"),
    ({"ballot_method": "lottery"}, "Not a valid choice"),
    ({"title": "", "area": ""}, "Give the round a title"),
    ({"title": "x" * 201}, "at most 200 characters"),
])
def test_bad_round_settings_are_explained(client: Any, officer: Any, changes: dict,
                                          words: str) -> None:
    response = client.post("/rounds/new", data={**FORM, **changes})
    assert response.status_code == 400
    assert words in text(response)
    assert rounds_count() == 0


def test_residents_cannot_create_rounds(client: Any, make_user: Any, login: Any) -> None:
    login(make_user())
    assert client.get("/rounds/new").status_code == 403
    assert client.post("/rounds/new", data=FORM).status_code == 403
    assert rounds_count() == 0


def test_visitors_are_sent_to_log_in(client: Any) -> None:
    response = client.get("/rounds/new")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_phase_change_is_logged_and_shown_on_the_timeline(client: Any, officer: Any,
                                                          make_round: Any) -> None:
    round_ = make_round("draft", officer=officer)
    response = client.post(f"/rounds/{round_.id}/phase",
                           data={"target": "proposals", "expected": "draft"})
    assert response.status_code == 302
    assert db.session.get(Round, round_.id).phase == "proposals"
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "round.phase_changed"))
    assert entry.actor_id == officer.id
    assert entry.detail == {"before": "draft", "after": "proposals", "reason": "",
                            "scheduled": False}
    client.post("/account/logout")
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "Started" in page and "by Olu Officer" in page
    assert 'aria-current="step"' in page


def test_going_back_needs_a_public_reason(client: Any, officer: Any, make_round: Any) -> None:
    round_ = make_round("voting", officer=officer)
    response = client.post(f"/rounds/{round_.id}/phase",
                           data={"target": "deliberation", "expected": "voting"})
    assert response.status_code == 400 and "public reason" in text(response)
    assert db.session.get(Round, round_.id).phase == "voting"
    reason = "A project's cost was printed wrongly on the ballot."
    check = client.post(f"/rounds/{round_.id}/phase",
                        data={"target": "deliberation", "expected": "voting", "reason": reason})
    assert check.status_code == 200 and "Check before you move the round back" in text(check)
    assert db.session.get(Round, round_.id).phase == "voting"
    confirm_from(client, check.get_data(as_text=True))
    assert db.session.get(Round, round_.id).phase == "deliberation"
    assert reason.replace("'", "’") in text(client.get(f"/rounds/{round_.id}")).replace("'", "’")


def test_a_stale_phase_form_changes_nothing(client: Any, officer: Any, make_round: Any) -> None:
    round_ = make_round("proposals", officer=officer)
    response = client.post(f"/rounds/{round_.id}/phase",
                           data={"target": "voting", "expected": "draft"})
    assert response.status_code == 400 and "changed the phase meanwhile" in text(response)
    assert db.session.get(Round, round_.id).phase == "proposals"


def test_phases_cannot_be_skipped_backwards(client: Any, officer: Any, make_round: Any) -> None:
    round_ = make_round("voting", officer=officer)
    response = client.post(f"/rounds/{round_.id}/phase",
                           data={"target": "draft", "expected": "voting",
                                 "reason": "a very long reason indeed"})
    assert response.status_code == 400
    assert db.session.get(Round, round_.id).phase == "voting"


def test_edit_keeps_settings_and_logs_what_changed(client: Any, officer: Any,
                                                   make_round: Any) -> None:
    round_ = make_round("proposals", officer=officer)
    page = text(client.get(f"/rounds/{round_.id}/edit"))
    assert 'value="250000"' in page and 'value="Test round"' in page
    response = client.post(f"/rounds/{round_.id}/edit",
                           data={**FORM, "title": "Renamed", "budget": "300000"})
    assert response.status_code == 302
    assert db.session.get(Round, round_.id).budget_minor == 30_000_000
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "round.updated"))
    assert set(entry.detail["fields"]) >= {"title", "budget_minor"}


def test_budget_and_rules_are_frozen_once_voting_starts(client: Any, officer: Any,
                                                         make_round: Any) -> None:
    round_ = make_round("voting", officer=officer)
    response = client.post(f"/rounds/{round_.id}/edit", data={**FORM, "budget": "999"})
    assert response.status_code == 400 and "cannot change once voting has started" in \
        text(response)
    assert db.session.get(Round, round_.id).budget_minor == 25_000_000


def test_description_html_is_sanitised(client: Any, officer: Any, make_round: Any) -> None:
    evil = ("<script>alert(1)</script> [click](javascript:alert(2)) "
            "<img src=x onerror=alert(3)> [ok](https://example.org)")
    round_ = make_round("proposals", officer=officer, description=evil)
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    about = page[page.index('id="about-title"'):page.index('id="timeline-title"')]
    # Raw HTML is shown as text, script links are left as inert text, never as markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in about and "<script" not in about
    assert "href=\"javascript" not in about and "<img" not in about
    assert '<a href="https://example.org" rel="nofollow noopener">ok</a>' in page


def test_public_list_hides_drafts_and_puts_current_rounds_first(
        client: Any, make_round: Any) -> None:
    make_round("closed", title="Old round")
    make_round("draft", title="Secret draft")
    current = make_round("voting", title="Live round")
    page = text(client.get("/rounds/"))
    assert "Secret draft" not in page
    assert page.index("Live round") < page.index("Old round")
    assert client.get(f"/rounds/{current.id}").status_code == 200


def test_drafts_and_unknown_rounds_are_not_found(client: Any, make_round: Any) -> None:
    draft = make_round("draft")
    assert client.get(f"/rounds/{draft.id}").status_code == 404
    assert client.get("/rounds/99999").status_code == 404
    assert client.get("/rounds/abc").status_code == 404


def test_scheduled_phase_changes(app: Any, make_round: Any) -> None:
    from datetime import timedelta

    from pb.models.base import utcnow
    from pb.services import rounds

    now = utcnow()
    round_ = make_round("proposals", starts={"proposals": now - timedelta(days=2),
                                             "review": now - timedelta(minutes=1),
                                             "voting": now + timedelta(days=1)})
    result = app.test_cli_runner().invoke(args=["advance-phases"])
    assert "is now in review" in result.output
    assert db.session.get(Round, round_.id).phase == "review"
    assert rounds.do_advance_due(now + timedelta(days=2))[0].phase == "voting"
    entry = rounds.phase_log(round_)[0]
    assert entry.actor_id is None and entry.detail["scheduled"] is True


def test_text_is_marked_with_the_language_of_its_column(client: Any, officer: Any) -> None:
    client.post("/rounds/new", data={**FORM, "title": "", "description": "",
                                     "title_cy": "Parciau Penrhos"})
    round_ = db.session.scalar(sa.select(Round))
    assert (round_.language, round_.title, round_.translations) == ("cy", "Parciau Penrhos",
                                                                     None)
    page = text(client.get(f"/rounds/{round_.id}?lang=en"))
    assert '<h1 lang="cy">Parciau Penrhos</h1>' in page and '<html lang="en">' in page
    assert "Not yet available in English" in page
