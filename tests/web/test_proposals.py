"""Proposals through the real forms: write, draft, submit, edit, withdraw, review, list."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import AuditEntry, Proposal, ProposalEvent, ProposalRevision
from pb.services import proposals
from tests.conftest import text
from tests.factories import PROPOSAL_FORM as FORM


def count(model: Any = Proposal) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture()
def officer(make_user: Any) -> Any:
    return make_user("officer", name="Olu Officer")


@pytest.fixture()
def resident(make_user: Any) -> Any:
    return make_user(name="Rhys Resident")


@pytest.fixture()
def round_(make_round: Any, officer: Any) -> Any:
    return make_round("proposals", officer=officer)


def submit(client: Any, round_: Any, **changes: Any) -> Any:
    return client.post(f"/rounds/{round_.id}/proposals/new", data={**FORM, **changes})


def make(author: Any, round_: Any, submit_it: bool = True, key: str | None = None,
         **changes: Any) -> Proposal:
    data = proposals.ProposalData(**{"title": "Street trees", "summary": "Forty trees.",
                                     "body": "Trees.", "cost_minor": 2_400_000, **changes})
    return proposals.do_create(author, round_, data, submit=submit_it, form_key=key)[0]


def test_resident_submits_a_proposal(client: Any, login: Any, resident: Any,
                                     round_: Any) -> None:
    login(resident)
    response = submit(client, round_)
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert (proposal.status, proposal.cost_minor, proposal.author_id) == \
        ("submitted", 3_800_000, resident.id)
    page = text(client.get(response.headers["Location"]))
    assert "Pocket park on Mill Lane" in page and "<strong>wildflowers</strong>" in page
    assert "£38,000" in page and "15% of the round’s £250,000 budget" in page
    assert "Proposed by Rhys Resident" in page
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "proposal.submitted"))
    assert entry.actor_id == resident.id and entry.subject_id == proposal.id


def test_a_draft_is_private_until_submitted(client: Any, login: Any, resident: Any,
                                            make_user: Any, round_: Any) -> None:
    login(resident)
    response = submit(client, round_, action="draft")
    proposal = db.session.scalar(sa.select(Proposal))
    assert proposal.status == "draft"
    url = response.headers["Location"]
    assert "only its authors" in text(client.get(url))
    assert "Your drafts" in text(client.get(f"/rounds/{round_.id}/proposals"))
    login(make_user())
    assert client.get(url).status_code == 404
    assert "Pocket park" not in text(client.get(f"/rounds/{round_.id}/proposals"))
    assert "Pocket park" not in text(client.get(f"/rounds/{round_.id}"))
    login(resident)
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={**FORM, "version": "1", "action": "submit"})
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "submitted" and count(ProposalRevision) == 0


@pytest.mark.parametrize(("changes", "words"), [
    ({"title": ""}, "Give the proposal a title"),
    ({"title": "x" * 201}, "at most 200 characters"),
    ({"summary": ""}, "Write a short summary"),
    ({"summary": "x" * 501}, "at most 500 characters"),
    ({"body": "x" * 20_001}, "at most 20000 characters"),
    ({"cost": ""}, "Enter an estimated cost"),
    ({"cost": "-5"}, "cannot be negative"),
    ({"cost": "0"}, "more than zero"),
    ({"cost": "250,000.01"}, "more than the round’s whole budget"),
    ({"cost": "lots"}, "as a number"),
    ({"coauthors": "nobody@example.org"}, "No one has an account"),
    ({"form_key": ""}, "reload the page"),
    ({"category": "x" * 81}, "at most 80 characters"),
])
def test_bad_proposals_are_explained_and_nothing_is_saved(client: Any, login: Any,
                                                          resident: Any, round_: Any,
                                                          changes: dict, words: str) -> None:
    login(resident)
    response = submit(client, round_, **changes)
    assert response.status_code == 400
    page = text(response)
    assert words in page and 'role="alert"' in page
    assert count() == 0 and count(ProposalEvent) == 0


def test_category_and_area_come_from_the_rounds_lists(client: Any, login: Any,
                                                      resident: Any, round_: Any) -> None:
    round_.categories, round_.areas = ["Parks", "Transport"], ["North", "South"]
    db.session.commit()
    login(resident)
    page = text(client.get(f"/rounds/{round_.id}/proposals/new"))
    assert '<option value="Transport">' in page and '<option value="South">' in page
    response = submit(client, round_, category="Cake", area="North")
    assert response.status_code == 400 and "Not a valid choice" in text(response)
    assert count() == 0
    assert submit(client, round_, area="North").status_code == 302
    assert db.session.scalar(sa.select(Proposal.area)) == "North"


def test_officer_sets_the_lists_on_the_round_form(client: Any, login: Any, officer: Any,
                                                  round_: Any) -> None:
    login(officer)
    data = {"title": "Test round", "area": "Northfield", "currency": "GBP",
            "budget": "250000", "ballot_method": "approval", "tally_rule": "greedy",
            "categories": "Parks\nTransport, Parks\n", "areas": ""}
    assert client.post(f"/rounds/{round_.id}/edit", data=data).status_code == 302
    db.session.refresh(round_)
    assert round_.categories == ["Parks", "Transport"] and not round_.areas
    assert "Parks\nTransport" in text(client.get(f"/rounds/{round_.id}/edit"))
    response = client.post(f"/rounds/{round_.id}/edit", data={**data, "areas": "y" * 81})
    assert response.status_code == 400 and "at most 80 characters" in text(response)


def test_submitting_outside_the_proposals_phase_is_refused(client: Any, login: Any,
                                                           resident: Any, make_round: Any,
                                                           officer: Any) -> None:
    login(resident)
    for phase in ("review", "voting", "closed"):
        round_ = make_round(phase, officer=officer)
        response = client.get(f"/rounds/{round_.id}/proposals/new")
        assert response.status_code == 302
        response = submit(client, round_, form_key=f"k-{phase}")
        assert response.status_code == 302
        assert "only in the proposals phase" in text(client.get(response.headers["Location"]))
    draft = make_round("draft", officer=officer)
    assert submit(client, draft).status_code == 404
    assert count() == 0


def test_visitors_are_sent_to_log_in(client: Any, round_: Any) -> None:
    response = submit(client, round_)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert count() == 0


def test_sending_the_same_form_twice_creates_one_proposal(client: Any, login: Any,
                                                          resident: Any, round_: Any) -> None:
    login(resident)
    first = submit(client, round_)
    second = submit(client, round_)
    assert first.headers["Location"] == second.headers["Location"]
    assert count() == 1 and count(ProposalEvent) == 1
    assert "already sent" in text(client.get(second.headers["Location"]))


def test_edits_keep_public_revisions(client: Any, login: Any, resident: Any,
                                     round_: Any) -> None:
    login(resident)
    proposal = make(resident, round_)
    response = client.post(f"/proposals/{proposal.id}/edit", data={
        **FORM, "title": "Street trees", "summary": "Forty-two trees.", "body": "Trees.\nMore.",
        "cost": "25000", "version": "1", "action": "save"})
    assert response.status_code == 302
    revision = db.session.scalar(sa.select(ProposalRevision))
    assert set(revision.changes) == {"summary", "body", "cost_minor", "category", "area",
                                     "language"}
    assert revision.changes["cost_minor"] == {"before": 2_400_000, "after": 2_500_000}
    client.post("/account/logout")
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "1 revision" in page and "by Rhys Resident" in page
    assert "From £24,000 to £25,000" in page and "Forty-two trees." in page
    assert "<del>" in page and "<ins>" in page


def test_a_stale_edit_form_changes_nothing(client: Any, login: Any, resident: Any,
                                           round_: Any) -> None:
    login(resident)
    proposal = make(resident, round_)
    data = {**FORM, "version": "1", "action": "save"}
    assert client.post(f"/proposals/{proposal.id}/edit", data=data).status_code == 302
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={**data, "title": "Replayed"})
    assert response.status_code == 400 and "changed this proposal meanwhile" in text(response)
    db.session.refresh(proposal)
    assert proposal.title == FORM["title"] and proposal.version == 2
    assert count(ProposalRevision) == 1


def test_nobody_else_edits_or_withdraws_a_proposal(client: Any, login: Any, resident: Any,
                                                   make_user: Any, officer: Any,
                                                   round_: Any) -> None:
    proposal = make(resident, round_)
    for person in (make_user(), officer, make_user("admin")):
        login(person)
        assert client.get(f"/proposals/{proposal.id}/edit").status_code == 403
        assert client.post(f"/proposals/{proposal.id}/edit",
                           data={**FORM, "version": "1"}).status_code == 403
        assert client.post(f"/proposals/{proposal.id}/withdraw",
                           data={"reason": "x", "version": "1"}).status_code == 403
    db.session.refresh(proposal)
    assert (proposal.title, proposal.status, proposal.version) == \
        ("Street trees", "submitted", 1)


def test_coauthors_may_edit(client: Any, login: Any, resident: Any, make_user: Any,
                            round_: Any) -> None:
    partner = make_user(email="partner@example.org", name="Pat Partner")
    login(resident)
    response = submit(client, round_, coauthors="partner@example.org")
    proposal = db.session.scalar(sa.select(Proposal))
    assert "Pat Partner" in text(client.get(response.headers["Location"]))
    login(partner)
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={**FORM, "coauthors": "partner@example.org",
                                 "title": "Renamed", "version": "1"})
    assert response.status_code == 302
    assert db.session.get(Proposal, proposal.id).title == "Renamed"


def test_editing_stops_when_review_begins(client: Any, login: Any, resident: Any,
                                          officer: Any, round_: Any) -> None:
    from pb.services import rounds

    proposal = make(resident, round_)
    rounds.do_change_phase(officer, round_, "review")
    login(resident)
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "Edit the proposal" not in page
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data={**FORM, "version": "1", "action": "save"})
    assert response.status_code == 400 and "only in the proposals phase" in text(response)
    assert db.session.get(Proposal, proposal.id).title == "Street trees"


def test_author_withdraws_with_a_reason(client: Any, login: Any, resident: Any,
                                        round_: Any) -> None:
    proposal = make(resident, round_)
    login(resident)
    response = client.post(f"/proposals/{proposal.id}/withdraw",
                           data={"reason": "", "version": "1"})
    assert response.status_code == 400 and "Say why you are withdrawing" in text(response)
    assert db.session.get(Proposal, proposal.id).status == "submitted"
    response = client.post(f"/proposals/{proposal.id}/withdraw",
                           data={"reason": "The council is doing it anyway.", "version": "1"})
    assert response.status_code == 302
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "Withdrawn" in page and "The council is doing it anyway." in page
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "proposal.withdrawn")) is not None


def review(client: Any, proposal: Proposal, **data: Any) -> Any:
    return client.post(f"/proposals/{proposal.id}/review",
                       data={"version": str(proposal.version), **data})


def test_officer_marks_a_proposal_not_feasible_with_a_public_reason(
        client: Any, login: Any, resident: Any, officer: Any, round_: Any) -> None:
    proposal = make(resident, round_)
    login(officer)
    response = review(client, proposal, outcome="not_feasible", note="")
    assert response.status_code == 400 and "public reason" in text(response)
    assert db.session.get(Proposal, proposal.id).status == "submitted"
    reason = "The land belongs to the railway, which will not allow planting."
    assert review(client, proposal, outcome="not_feasible", note=reason).status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == "not_feasible" and proposal.status_note == reason
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "proposal.reviewed"))
    assert entry.actor_id == officer.id and entry.detail["note"] == reason
    client.post("/account/logout")
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "Why it is not feasible" in page and reason in page and "by Olu Officer" in page
    assert "Review (officers)" not in page


def test_feasible_at_an_adjusted_cost_needs_the_cost_and_a_note(
        client: Any, login: Any, resident: Any, officer: Any, round_: Any) -> None:
    from pb.services import counting

    proposal = make(resident, round_)
    login(officer)
    assert "Enter the adjusted cost" in text(review(client, proposal, outcome="adjusted"))
    response = review(client, proposal, outcome="adjusted", cost="30000")
    assert response.status_code == 400 and "public note" in text(response)
    response = review(client, proposal, outcome="adjusted", cost="300000", note="Bigger.")
    assert "whole budget" in text(response)
    assert review(client, proposal, outcome="adjusted", cost="30000",
                  note="Includes three years of watering.").status_code == 302
    db.session.refresh(proposal)
    assert (proposal.status, proposal.cost_minor) == ("feasible", 3_000_000)
    page = text(client.get(f"/proposals/{proposal.id}"))
    assert "Cost changed from £24,000 to £30,000" in page
    assert counting.ballot_proposals(round_) == [proposal]


def test_merging_links_both_proposals(client: Any, login: Any, resident: Any, officer: Any,
                                      round_: Any) -> None:
    kept = make(resident, round_, title="Trees for the whole town")
    merged = make(resident, round_)
    login(officer)
    response = review(client, merged, outcome="merged")
    assert response.status_code == 400 and "Choose the proposal" in text(response)
    assert review(client, merged, outcome="merged", merged_into=str(kept.id),
                  note="Same idea, one project.").status_code == 302
    assert db.session.get(Proposal, merged.id).merged_into_id == kept.id
    assert f'href="/proposals/{kept.id}"' in text(client.get(f"/proposals/{merged.id}"))
    page = text(client.get(f"/proposals/{kept.id}"))
    assert "Proposals merged into this one" in page and f'href="/proposals/{merged.id}"' in page
    response = review(client, db.session.get(Proposal, kept.id), outcome="merged",
                      merged_into=str(merged.id))
    assert response.status_code == 400 and db.session.get(Proposal, kept.id).status == \
        "submitted"


def test_only_officers_review(client: Any, login: Any, resident: Any, make_user: Any,
                              round_: Any) -> None:
    proposal = make(resident, round_)
    for person in (resident, make_user(), make_user("facilitator"), make_user("council")):
        login(person)
        assert review(client, proposal, outcome="feasible").status_code == 403
        assert "Review (officers)" not in text(client.get(f"/proposals/{proposal.id}"))
    client.post("/account/logout")
    assert review(client, proposal, outcome="feasible").status_code == 302
    assert db.session.get(Proposal, proposal.id).status == "submitted"
    login(make_user("admin"))
    assert review(client, proposal, outcome="feasible").status_code == 302
    assert db.session.get(Proposal, proposal.id).status == "feasible"


def test_a_stale_review_changes_nothing(client: Any, login: Any, resident: Any,
                                        officer: Any, round_: Any) -> None:
    proposal = make(resident, round_)
    login(officer)
    assert review(client, proposal, outcome="feasible", version="1").status_code == 302
    response = review(client, proposal, outcome="not_feasible", note="No.", version="1")
    assert response.status_code == 400 and "meanwhile" in text(response)
    assert db.session.get(Proposal, proposal.id).status == "feasible"
    assert count(ProposalEvent) == 2  # submitted, feasible


def test_reviews_stop_when_voting_starts(client: Any, login: Any, resident: Any,
                                         officer: Any, round_: Any) -> None:
    from pb.services import rounds

    proposal = make(resident, round_)
    rounds.do_change_phase(officer, round_, "voting")
    login(officer)
    response = review(client, proposal, outcome="not_feasible", note="Too late.")
    assert response.status_code == 400 and "before voting begins" in text(response)
    assert db.session.get(Proposal, proposal.id).status == "submitted"


def test_listing_filters_searches_sorts_and_counts(client: Any, resident: Any,
                                                   officer: Any, round_: Any) -> None:
    a = make(resident, round_, title="Bench", category="Parks", area="North",
             cost_minor=100_000, body="A bench by the pond.")
    b = make(resident, round_, title="Bus shelter", category="Transport", area="South",
             cost_minor=900_000)
    c = make(resident, round_, title="Swings", category="Parks", area="South",
             cost_minor=500_000)
    make(resident, round_, submit_it=False, title="Secret draft")
    proposals.do_review(officer, c, "not_feasible", "Unsafe ground.", expected_version=1)
    db.session.get(Proposal, b.id).comment_count = 7
    db.session.commit()
    url = f"/rounds/{round_.id}/proposals"
    page = text(client.get(url))
    assert "3 proposals in this round." in page and "3 proposals match" in page
    assert "Secret draft" not in page
    page = text(client.get(f"{url}?category=Parks"))
    assert "2 proposals match" in page and "Bus shelter" not in page
    page = text(client.get(f"{url}?area=South&status=not_feasible"))
    assert "1 proposal match" in page and "Swings" in page
    assert "Bench" in text(client.get(f"{url}?q=POND")) and \
        "1 proposal match" in text(client.get(f"{url}?q=POND"))
    assert "0 proposals match" in text(client.get(f"{url}?q=%25"))
    page = text(client.get(f"{url}?sort=cost_high"))
    assert page.index("Bus shelter") < page.index("Swings") < page.index("Bench")
    page = text(client.get(f"{url}?sort=discussed"))
    assert page.index("Bus shelter") < page.index("Bench")
    first = text(client.get(url))
    order = [first.index(t) for t in ("Bench", "Bus shelter", "Swings")]
    assert [text(client.get(url)).index(t) for t in ("Bench", "Bus shelter", "Swings")] == \
        [text(client.get(url)).index(t) for t in ("Bench", "Bus shelter", "Swings")]
    assert len(order) == 3 and a.id
    assert client.get(f"{url}?page=abc&sort=nonsense&status=<b>").status_code == 200


def test_listing_pages(client: Any, resident: Any, round_: Any) -> None:
    for i in range(proposals.PER_PAGE + 3):
        make(resident, round_, title=f"Idea {i}")
    url = f"/rounds/{round_.id}/proposals?sort=newest"
    page = text(client.get(url))
    assert "Page 1 of 2" in page and "Next page" in page and "Idea 22" in page
    page = text(client.get(f"{url}&page=2"))
    assert "Idea 0" in page and "Previous page" in page and "Idea 22" not in page
    assert "sort=newest" in page


def test_random_order_is_stable_per_visitor_and_differs_between_visitors(
        app: Any, resident: Any, round_: Any) -> None:
    for i in range(12):
        make(resident, round_, title=f"Idea {i:02d}")
    url = f"/rounds/{round_.id}/proposals"

    def order(client: Any) -> list[int]:
        import re

        return [int(m) for m in re.findall(r'href="/proposals/(\d+)"', text(client.get(url)))]

    one, two = app.test_client(), app.test_client()
    assert order(one) == order(one)
    assert order(one) != order(two) and sorted(order(one)) == sorted(order(two))


def test_round_page_links_to_the_proposals(client: Any, resident: Any, round_: Any) -> None:
    proposal = make(resident, round_)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert f'href="/proposals/{proposal.id}"' in page
    assert f'href="/rounds/{round_.id}/proposals"' in page


def test_unknown_and_hidden_proposals_are_not_found(client: Any, resident: Any,
                                                    make_round: Any, officer: Any) -> None:
    assert client.get("/proposals/9999").status_code == 404
    assert client.get("/rounds/9999/proposals").status_code == 404
    draft_round = make_round("draft", officer=officer)
    assert client.get(f"/rounds/{draft_round.id}/proposals").status_code == 404


def test_submissions_are_rate_limited(app: Any, client: Any, login: Any, resident: Any,
                                      round_: Any) -> None:
    app.config["PB_PROPOSAL_LIMIT"] = "2 per hour"
    login(resident)
    assert submit(client, round_, form_key="a").status_code == 302
    assert submit(client, round_, form_key="b").status_code == 302
    assert submit(client, round_, form_key="c").status_code == 429
    assert count() == 2


def test_nul_characters_never_reach_the_database(client: Any, login: Any, resident: Any,
                                                 round_: Any) -> None:
    """PostgreSQL refuses NUL in text (`./dev test` runs this there too): every form field
    drops it, so the proposal is kept rather than lost to an error page."""
    login(resident)
    response = submit(client, round_, title="Pocket\x00 park", body="Benches\x00.",
                      area="Mill\x00 Lane", form_key="key-\x00nul")
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert (proposal.title, proposal.body, proposal.area) == ("Pocket park", "Benches.",
                                                              "Mill Lane")
