"""Check your answers before irreversible steps (issue #16): publishing a council's advice, by
its chair or a majority, certifying results, and moving a round back a phase."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Ballot, Certification, RecordEntry, Round
from pb.services import outcomes, records, rounds, voting
from pb.services.council import councils, publishing
from tests.conftest import text
from tests.factories import confirm, confirm_from, key, make_setup


@pytest.fixture()
def s(make_user: Any) -> Any:
    setup = make_setup(make_user)
    councils.do_add_recommendation(setup.member, setup.referral, "Plant 40 trees",
                                   "Shade for the playground in summer.")
    return setup


def _published(referral: Any) -> bool:
    db.session.refresh(referral)
    return referral.published_at is not None


# Publishing advice ------------------------------------------------------------------------------


def test_a_straight_post_publishes_nothing_and_leads_to_the_check_page(
        client: Any, s: Any, login: Any) -> None:
    url = f"/councils/referrals/{s.referral.id}/publish"
    login(s.member)
    straight = client.post(url)
    assert straight.status_code == 303 and straight.headers["Location"].endswith(url)
    assert not _published(s.referral)
    page = text(client.get(url))
    assert "Check the advice before you publish it" in page
    assert "Plant 40 trees" in page and "Shade for the playground in summer." in page
    assert "The decision body must respond to each recommendation by" in page
    assert "An entry is added to the public decision record" in page
    assert "Go back to the draft" in page
    draft = text(client.get(f"/councils/referrals/{s.referral.id}"))
    assert "Check the advice before publishing it" in draft
    assert 'action="' + url not in draft  # the draft page has no one-click publish form
    assert confirm(client, url).status_code == 303
    assert _published(s.referral)


def test_a_forged_confirmation_without_the_csrf_token_publishes_nothing(
        app: Any, client: Any, s: Any, login: Any) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    login(s.member)
    url = f"/councils/referrals/{s.referral.id}/publish"
    client.post(url, data={"draft": publishing.draft_digest(s.referral)})
    assert not _published(s.referral)


def test_a_draft_changed_after_checking_is_not_published(client: Any, s: Any,
                                                         login: Any) -> None:
    login(s.member)
    url = f"/councils/referrals/{s.referral.id}/publish"
    page = client.get(url).get_data(as_text=True)
    councils.do_edit_recommendation(s.member, s.referral.recommendations[0], "Plant 4 trees",
                                    "Cheaper.")
    response = confirm_from(client, page)
    assert response.status_code == 303 and not _published(s.referral)
    assert "The draft changed after you checked it" in text(client.get(url))


def test_only_the_chair_publishes_under_the_chair_rule(client: Any, s: Any, login: Any,
                                                       make_user: Any) -> None:
    other = make_user("council", name="Dewi Member")
    councils.do_add_member(s.officer, s.council, other, date.today(), None)
    url = f"/councils/referrals/{s.referral.id}/publish"
    login(other)
    page = client.get(url)
    assert page.status_code == 200
    assert "The council’s chair, Carys Council, publishes its advice" in text(page)
    assert 'class="confirm"' not in text(page)
    client.post(url, data={"draft": publishing.draft_digest(s.referral)})
    assert not _published(s.referral)
    assert "Only the council’s chair, Carys Council, can publish its advice" in \
        text(client.get(url))


def test_a_council_without_a_chair_says_who_to_ask(client: Any, s: Any, login: Any) -> None:
    s.council.chair_id = None
    db.session.commit()
    login(s.member)
    page = text(client.get(f"/councils/referrals/{s.referral.id}/publish"))
    assert "the council has no chair serving. Ask an officer to name one" in page


def test_officers_choose_the_chair_and_the_majority_rule(client: Any, s: Any, login: Any,
                                                         make_user: Any) -> None:
    login(s.officer)
    form = {"name": s.council.name, "remit": "", "response_days": "30",
            "publish_rule": "majority", "chair_id": str(make_user("council").id)}
    refused = client.post(f"/councils/{s.council.id}/edit", data=form)
    assert refused.status_code == 400
    assert "Choose the chair from the council’s current members" in text(refused)
    form["chair_id"] = str(s.member.id)
    assert client.post(f"/councils/{s.council.id}/edit", data=form).status_code == 302
    db.session.refresh(s.council)
    assert s.council.publish_rule == "majority" and s.council.chair_id == s.member.id
    page = text(client.get(f"/councils/{s.council.id}"))
    assert "published when a majority of its current members have approved" in page
    assert "Chair: Carys Council." in page


def test_a_majority_of_members_approving_the_same_draft_publishes_it(
        client: Any, s: Any, login: Any, make_user: Any) -> None:
    dewi = make_user("council", name="Dewi Member")
    efa = make_user("council", name="Efa Member")
    for person in (dewi, efa):
        councils.do_add_member(s.officer, s.council, person, date.today(), None)
    councils.do_update_council(s.officer, s.council, councils.CouncilData(
        s.council.name, publish_rule="majority"))
    url = f"/councils/referrals/{s.referral.id}/publish"

    login(s.member)
    page = text(client.get(url))
    assert "Check the advice before you approve it" in page
    assert "published when 2 of the council’s 3 current members have approved" in page
    assert confirm(client, url).status_code == 303
    assert not _published(s.referral)
    draft = text(client.get(f"/councils/referrals/{s.referral.id}"))
    assert "Approved so far (1 of 2): Carys Council." in draft
    again = client.post(url, data={"draft": publishing.draft_digest(s.referral)})
    assert again.status_code == 303 and not _published(s.referral)

    # Changing the draft sets earlier approvals aside: they were for other words.
    login(dewi)
    councils.do_edit_recommendation(dewi, s.referral.recommendations[0], "Plant 50 trees",
                                    "More shade.")
    page = text(client.get(url))
    assert "Nobody has approved this draft yet." in page
    assert "Approved an earlier version, before the draft changed (not counted): Carys " \
           "Council." in page
    confirm(client, url)
    assert not _published(s.referral)

    login(s.member)
    assert "Approve and publish the advice" in text(client.get(url))
    confirm(client, url)
    assert _published(s.referral)
    entry = db.session.scalar(sa.select(RecordEntry).where(
        RecordEntry.subject == f"referral:{s.referral.id}"))
    assert json.loads(entry.body)["approved_by"] == ["Dewi Member", "Carys Council"]
    assert "Approved by a majority of its members: Dewi Member, Carys Council." in \
        text(client.get(f"/records/{entry.seq}"))


# Certifying results ------------------------------------------------------------------------------


@pytest.fixture()
def counted(voting_round: Any, make_user: Any) -> Any:
    """A round in its results phase with two ballots cast online."""
    round_ = voting_round("approval")
    for _ in range(2):
        voter = voting.voter_for_user(round_, make_user())
        voting.do_cast(round_, voter, [round_.ids[0]], key())
    rounds.do_change_phase(round_.officer, round_, "results")
    return round_


def _certified(round_: Any) -> bool:
    return db.session.scalar(sa.select(Certification.id).where(
        Certification.round_id == round_.id)) is not None


def test_certifying_goes_through_the_check_page(client: Any, counted: Any, login: Any) -> None:
    login(counted.officer)
    url = f"/rounds/{counted.id}/results/certify"
    straight = client.post(url)
    assert straight.status_code == 303 and straight.headers["Location"].endswith(url)
    assert not _certified(counted)
    page = text(client.get(url))
    assert "Check the count before you certify it" in page
    assert "2 ballots in all:" in page and "2 projects funded" in page
    assert "Project 2</span> <span" in page and "£900 of £1,000" in page
    assert "It cannot be undone" in page
    assert "the round cannot go back to voting" in page
    assert "Go back to the results" in page
    assert confirm(client, url).status_code == 303
    assert _certified(counted)
    assert client.get(url).status_code == 303  # nothing left to certify: back to the results


def test_a_count_that_changed_after_checking_is_not_certified(client: Any, counted: Any,
                                                              login: Any) -> None:
    login(counted.officer)
    url = f"/rounds/{counted.id}/results/certify"
    page = client.get(url).get_data(as_text=True)
    db.session.add(Ballot(round_id=counted.id, voter_key="paper:late", items=[counted.ids[1]],
                          source="paper"))
    db.session.commit()
    confirm_from(client, page)
    assert not _certified(counted)
    assert "The count changed after you checked it" in text(client.get(url))


# Moving a round back -----------------------------------------------------------------------------

REASON = "A project's cost was printed wrongly on the ballot."


def test_moving_back_shows_what_happens_to_the_ballots_first(client: Any, voting_round: Any,
                                                             make_user: Any, login: Any) -> None:
    round_ = voting_round("approval")
    for _ in range(3):
        voting.do_cast(round_, voting.voter_for_user(round_, make_user()), [round_.ids[0]],
                       key())
    login(round_.officer)
    check = client.post(f"/rounds/{round_.id}/phase",
                        data={"target": "deliberation", "expected": "voting", "reason": REASON})
    page = text(check)
    assert check.status_code == 200 and "Check before you move the round back" in page
    assert "Back from the voting phase to the deliberation phase" in page
    assert "Voting stops" in page and "The 3 ballots already cast are kept" in page
    assert REASON in page and "Go back to the round" in page
    assert db.session.get(Round, round_.id).phase == "voting"
    confirm_from(client, check.get_data(as_text=True))
    assert db.session.get(Round, round_.id).phase == "deliberation"
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(
        Ballot.round_id == round_.id)) == 3


def test_moving_forward_needs_no_check(client: Any, make_round: Any, make_user: Any,
                                       login: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("proposals", officer=officer)
    login(officer)
    moved = client.post(f"/rounds/{round_.id}/phase",
                        data={"target": "review", "expected": "proposals"})
    assert moved.status_code == 302 and db.session.get(Round, round_.id).phase == "review"


def test_certified_results_cannot_go_back_to_voting(client: Any, counted: Any,
                                                    login: Any) -> None:
    outcomes.do_certify(counted.officer, counted)
    login(counted.officer)
    response = client.post(f"/rounds/{counted.id}/phase", data={
        "target": "voting", "expected": "results", "reason": REASON, "confirmed": "1"})
    assert response.status_code == 400
    assert "certified, so it cannot go back to voting" in text(response)
    assert db.session.get(Round, counted.id).phase == "results"


# The receipt list explains ballots without receipts ----------------------------------------------


def test_the_receipt_list_explains_paper_and_imported_ballots(client: Any, counted: Any) -> None:
    db.session.add_all([
        *(Ballot(round_id=counted.id, voter_key=f"paper:{n}", items=[counted.ids[1]],
                 source="paper") for n in range(3)),
        Ballot(round_id=counted.id, voter_key="import:1", items=[counted.ids[2]],
               source="import")])
    db.session.commit()
    outcomes.do_certify(counted.officer, counted)
    assert len(voting.receipt_fingerprints(counted)) == 2
    for page in (text(client.get(f"/rounds/{counted.id}/results")),
                 text(client.get(f"/rounds/{counted.id}/receipt"))):
        assert "6 ballots in all:" in page
        assert "2 cast online, with their receipts in the list" in page
        assert "3 entered from paper ballots" in page
        assert "1 imported with the round from a pabulib file" in page
        assert "Only ballots cast online get a receipt" in page


def test_record_entries_read_as_sentences_with_links(client: Any, s: Any) -> None:
    councils.do_publish_advice(s.member, s.referral)
    entry = records.for_subject(f"referral:{s.referral.id}")[0]
    listing = text(client.get("/records/"))
    assert f'<a href="/councils/referrals/{s.referral.id}">How should the parks budget be ' \
           'spent?</a>' in listing
    assert f'<a href="/councils/{s.council.id}">Afonbridge Citizens’ Council</a> published ' \
           'advice with 1 recommendation' in listing
    page = text(client.get(f"/records/{entry.seq}"))
    assert f'<a href="/councils/referrals/{s.referral.id}">Go to what this entry is about</a>' \
        in page
    assert "<details" in page and "The entry as recorded (JSON)" in page
    assert records.verify().ok
    feed = text(client.get("/records/feed.atom"))
    assert "<a href" not in feed  # the feed's summaries stay plain text
    rec = s.referral.recommendations[0]
    from pb.services.council.responses import ResponseData, do_respond

    do_respond(s.officer, rec, ResponseData("accepted"))
    listing = text(client.get("/records/"))
    assert f'response to <a href="/councils/recommendations/{rec.id}">recommendation 1</a>' \
        in listing
    assert "recommendation:" not in listing.split("<main")[1]


def test_departures_link_the_round_and_project(client: Any, counted: Any) -> None:
    outcomes.do_certify(counted.officer, counted)
    proposal = counted.projects[0]
    outcomes.do_depart(counted.officer, counted, proposal, "drop",
                       "The land was sold after the vote, so it cannot be built.")
    listing = text(client.get("/records/"))
    assert f'<a href="/rounds/{counted.id}/results">Test round</a>' in listing
    assert f'<a href="/proposals/{proposal.id}">Project 1</a>' in listing
