"""Who may do what (issue #19): every route in the app's URL map and every Socket.IO handler,
tried as every role and compared with the tables declared below.

A route or socket event missing from its table fails the test, and so does a table entry the
app no longer has: whoever adds a route says here who may use it.

Routes: each rule's arguments are filled from one shared world (a round in each phase that
matters, a proposal, a comment, a council with draft and published advice, a live session,
recruitments by lot, paper ballots). Every method the rule allows is sent as each role, POSTs
with an empty body and CSRF checks off (as in every page test): what matters is refused or
not, so a validation answer counts as allowed. Allowed: 2xx, a redirect anywhere but the
login page, 400 or 422. Refused: 401, 403, 404 or a redirect to log in and come `next` back
(a redirect to the login page after logging out everywhere is allowed). Anything else
(a 500, a 405) fails on its own. The few routes that act on an empty form get an object of
their own for each request, so the world stays as built.

Sockets: each handler is sent a payload that would succeed, as each role; an `ok` ack (or an
accepted connection) is allowed, an error ack refused.

The world lives in a SQLite copy of the migrated schema, whatever `--database` says: what is
checked here is the web and socket layers' answers, not the database.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, g, url_for

from pb import create_app
from pb.broadcast import events
from pb.domain import roles
from pb.domain.roles import ADMIN, COUNCIL, FACILITATOR, OFFICER, RESIDENT
from pb.extensions import db, socketio
from pb.models import User
from pb.models.base import utcnow
from pb.services import discussion, live, outcomes, proposals, rounds, voting
from pb.services.council import councils
from pb.services.council import recruitment as rec
from pb.services.voting import paper
from tests.conftest import Client, _wait_for_broadcasts, make_config
from tests.factories import (
    BROWSER,
    QUOTAS,
    add_projects,
    connect,
    key,
    plain_user,
    session_id,
    socket,
)

# Who -------------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
MEMBER = "council member"  # holds the council role and sits on the world's council
ROLES = (ANONYMOUS, RESIDENT, FACILITATOR, MEMBER, OFFICER, ADMIN)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
RUNNERS = frozenset({FACILITATOR, OFFICER, ADMIN})  # live sessions (roles.LIVE_RUNNERS)
OFFICERS = frozenset({OFFICER, ADMIN})  # rounds, review, councils (roles.ROUND_MANAGERS)
ADMINS = frozenset({ADMIN})
MEMBERS_OF_THE_COUNCIL = frozenset({MEMBER})  # a current term on the council, not the role alone
AUTHOR = frozenset({RESIDENT})  # the resident wrote the world's proposal and comment
NOBODY: frozenset[str] = frozenset()

# Routes ----------------------------------------------------------------------------------------
# endpoint -> the roles that may use it (every method), or {method: roles}. The object each
# rule is tried on is the one `values` gives; CASES tries some rules on other objects.

TABLE: dict[str, frozenset[str] | dict[str, frozenset[str]]] = {
    "static": EVERYONE,
    "main.index": EVERYONE,
    "main.health": EVERYONE,
    "main.ready": EVERYONE,
    "main.service_worker": EVERYONE,
    "main.manifest": EVERYONE,
    "main.offline": EVERYONE,
    "main.privacy": EVERYONE,
    "main.accessibility": EVERYONE,
    # Accounts
    "auth.register": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    "auth.forgot": EVERYONE,
    "auth.reset": EVERYONE,  # the token is the key; a wrong one is explained (400)
    "auth.profile": SIGNED_IN,
    "auth.logout_everywhere": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.end_sessions": SIGNED_IN,
    "auth.change_name": SIGNED_IN,
    "auth.change_email": SIGNED_IN,
    "auth.confirm_email": EVERYONE,  # the signed link is the key; a wrong one is explained
    "auth.my_data_download": SIGNED_IN,
    "auth.delete_account": SIGNED_IN,  # an empty form deletes nothing (400)
    # Without a password typed on this device in the last minutes, it says to log in again.
    "auth.second_factor": EVERYONE,
    "auth.two_factor": SIGNED_IN,
    "auth.new_recovery_codes": SIGNED_IN,
    "auth.turn_off_two_factor": SIGNED_IN,
    # Admin
    "admin.users": ADMINS,
    "admin.roles": ADMINS,
    "admin.end_sessions": ADMINS,
    "admin.outbox": ADMINS,
    "admin.audit_log": ADMINS,
    "admin.site_page": ADMINS,
    # Rounds (a round in voting; drafts in CASES)
    "rounds.index": EVERYONE,
    "rounds.show": EVERYONE,
    "rounds.new": OFFICERS,
    "rounds.edit": OFFICERS,
    "rounds.change_phase": OFFICERS,
    # Proposals (a submitted proposal in a round taking proposals)
    "proposals.index": EVERYONE,
    "proposals.show": EVERYONE,
    "proposals.new": SIGNED_IN,
    "proposals.edit": AUTHOR,
    "proposals.withdraw": AUTHOR,
    "proposals.review": OFFICERS,
    "proposals.map_view": EVERYONE,
    "proposals.place": OFFICERS,
    # Photos (the world's proposal has one) and background papers (the voting round has one)
    "pictures.manage": AUTHOR | OFFICERS,
    "pictures.remove": AUTHOR | OFFICERS,
    "pictures.status": AUTHOR | OFFICERS,  # a photo being prepared: its uploader's business
    "pictures.moderate": OFFICERS,  # without a reason: explained (400)
    "pictures.file": EVERYONE,
    "pictures.set_low_data": EVERYONE,
    "pictures.paper": EVERYONE,
    "pictures.round_papers": OFFICERS,
    "pictures.referral_papers": OFFICERS,
    "pictures.remove_paper": OFFICERS,  # a paper of its own for each request
    # Discussion
    "discussion.show": EVERYONE,
    "discussion.post": SIGNED_IN,
    "discussion.reply": SIGNED_IN,
    "discussion.edit": AUTHOR,
    "discussion.flag": SIGNED_IN,
    "discussion.moderate": OFFICERS,
    "discussion.moderation": EVERYONE,  # the public log; the flags only for officers
    # Who may vote
    "eligibility.census": OFFICERS,
    "eligibility.codes": OFFICERS,
    # Voting (a round whose voters are its account holders)
    "voting.ballot": SIGNED_IN,
    "voting.done": EVERYONE,  # without a ballot: back to the ballot
    "voting.code": EVERYONE,
    "voting.census": EVERYONE,
    "voting.finish": EVERYONE,
    "voting.receipt": EVERYONE,
    "voting.fingerprints": EVERYONE,  # certified round
    "voting.running_totals": EVERYONE,  # a round that shows them
    "voting.api_cast": EVERYONE,  # a code in the body identifies code voters
    # Paper ballots (a round with a live session, whose facilitators enter its scorecards;
    # a round without one in CASES)
    "paper.index": RUNNERS,
    "paper.batch": RUNNERS,
    "paper.enter": RUNNERS,
    "paper.resolve": RUNNERS,
    "paper.correct": RUNNERS,
    "paper.count": RUNNERS,
    # Results (a certified round)
    "results.show": EVERYONE,
    "results.how_counting_works": EVERYONE,
    "results.as_json": EVERYONE,
    "results.as_csv": EVERYONE,
    "results.as_pabulib": EVERYONE,
    "results.certify": OFFICERS,
    "results.depart": OFFICERS,
    "results.update": OFFICERS,
    # Live sessions: facilitators set up and run them; phones join by code
    "live.index": RUNNERS,
    "live.new": RUNNERS,
    "live.edit": RUNNERS,
    "live.console": RUNNERS,
    "live.control": RUNNERS,
    "live.open_voting": RUNNERS,  # the round already votes: explained (400)
    "live.screen": RUNNERS,
    "live.join": EVERYONE,
    "live.join_code": EVERYONE,
    "live.enter": EVERYONE,
    "live.score": EVERYONE,
    "live.ask": EVERYONE,
    "live.upvote": EVERYONE,
    # Councils (a published recommendation; drafts in CASES)
    "council.index": EVERYONE,
    "council.show": EVERYONE,
    "council.new": OFFICERS,
    "council.edit": OFFICERS,
    "council.add_member": OFFICERS,
    "council.end_term": OFFICERS,
    "council.refer": OFFICERS,
    "council.referral": EVERYONE,  # the question is public; the draft only to members
    "council.add_recommendation": MEMBERS_OF_THE_COUNCIL,
    "council.save_summary": MEMBERS_OF_THE_COUNCIL,
    "council.publish": MEMBERS_OF_THE_COUNCIL,
    "council.recommendation": EVERYONE,
    "council.edit_recommendation": NOBODY,  # published: it cannot change
    "council.remove_recommendation": NOBODY,  # published: it cannot change
    "council.respond": OFFICERS,
    "council.register": EVERYONE,
    "council.register_csv": EVERYONE,
    "council.register_json": EVERYONE,
    # Councils chosen by lot: officers run it; volunteers need no account, their links a key
    "council.new_recruitment": OFFICERS,
    "council.recruitment": EVERYONE,
    "council.close_recruitment": OFFICERS,
    "council.import_volunteers": OFFICERS,
    "council.publish_selection": OFFICERS,
    "council.enter_seed": OFFICERS,
    "council.dropped_out": OFFICERS,
    "council.recruitment_file": EVERYONE,
    "council.volunteer": EVERYONE,
    "council.volunteered": EVERYONE,
    "council.volunteer_page": EVERYONE,
    "council.confirm_volunteer": EVERYONE,
    "council.withdraw_volunteer": EVERYONE,
    "council.invitation": EVERYONE,
    "council.answer_invitation": EVERYONE,
    # Notifications: one's own list and settings; the resident's notification is theirs alone;
    # an unsubscribe link's token is the key (a wrong one is explained, 400)
    "notifications.index": SIGNED_IN,
    "notifications.mark_read": SIGNED_IN,
    "notifications.open_one": AUTHOR,
    "notifications.settings": SIGNED_IN,
    "notifications.follow_round": SIGNED_IN,
    "notifications.follow_proposal": SIGNED_IN,
    "notifications.unsubscribe": EVERYONE,
    # The decision record
    "records.index": EVERYONE,
    "records.entry": EVERYONE,
    "records.download": EVERYONE,
    "records.feed": EVERYONE,
}


# The world -------------------------------------------------------------------------------------


@dataclass
class World:
    """One instance of everything the routes and events need, and who is who."""

    app: Flask
    users: dict[str, User] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    fresh: dict[str, Callable[[], Any]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.ids[name]
        except KeyError:
            raise AttributeError(name) from None


def build(app: Flask) -> World:
    """Make the users and objects, through the services as people would."""
    w = World(app)
    officer, admin = plain_user(RESIDENT, OFFICER), plain_user(RESIDENT, ADMIN)
    resident, member = plain_user(RESIDENT), plain_user(RESIDENT, COUNCIL)
    w.users = {RESIDENT: resident, FACILITATOR: plain_user(RESIDENT, FACILITATOR),
               MEMBER: member, OFFICER: officer, ADMIN: admin}

    def make_round(phase: str, **fields: Any) -> Any:
        data = rounds.RoundData(**{"title": f"Round in {phase}", "area": "Northfield",
                                   "budget_minor": 100_000, "currency": "GBP",
                                   "ballot_method": "approval", "tally_rule": "greedy",
                                   **fields})
        round_ = rounds.do_create_round(officer, data)
        if phase == "draft":
            return round_
        for step in ("proposals", "review", "deliberation", "voting", "results"):
            if step == "voting":
                add_projects(round_, [40_000, 50_000, 30_000])
            rounds.do_change_phase(officer, round_, step)
            if step == phase:
                return round_
        raise AssertionError(phase)

    # Rounds: a draft, one taking proposals, one in voting (scored, on paper too, with a live
    # session and running totals), rounds voting by code and by census, and certified results.
    w.ids["draft_round"] = make_round("draft").id
    taking = make_round("proposals")
    w.ids["proposals_round"] = taking.id

    def new_proposal(submit: bool = True) -> int:
        made, _new = proposals.do_create(resident, taking, proposals.ProposalData(
            title="Benches on the green", summary="Somewhere to sit.", body="Three benches.",
            cost_minor=50_000), submit=submit, form_key=key())
        return made.id

    w.ids["proposal"], w.ids["draft_proposal"] = new_proposal(), new_proposal(submit=False)
    proposal = proposals.get_proposal(w.proposal, resident)
    comment, _ = discussion.do_post(resident, proposal, discussion.PostData(
        stance="for", body="I would use these every day.", form_key=key()))
    w.ids["comment"] = comment.id
    from pb.services import papers  # noqa: PLC0415
    from tests import images  # noqa: PLC0415
    from tests.factories import photo_added  # noqa: PLC0415

    photo = photo_added(resident, proposal, images.photo(200, 150), "Benches")
    w.ids["picture"], w.ids["picture_file"] = photo.id, photo.variants[0]["name"]

    voting_round = make_round("voting", ballot_method="scoring", double_entry=True,
                              running_totals=True)
    w.ids["voting_round"] = voting_round.id

    def new_paper() -> dict[str, Any]:
        made = papers.do_add(officer, voting_round, "Costs", images.pdf(pages=1))
        return {"paper_id": made.id}

    w.ids["paper"] = new_paper()["paper_id"]
    w.fresh["paper"] = new_paper
    pids = [p.id for p in rounds.proposals(voting_round)]
    w.ids["pids"] = pids
    w.ids["codes_round"] = make_round("voting", eligibility="codes").id
    w.ids["census_round"] = make_round("voting", eligibility="census",
                                       census_check="postcode").id

    def counted() -> Any:
        round_ = make_round("voting")
        voting.do_cast(round_, voting.voter_for_user(round_, resident),
                       [str(p.id) for p in rounds.proposals(round_)][:1], key())
        rounds.do_change_phase(officer, round_, "results")
        return round_

    results = counted()
    outcomes.do_certify(officer, results)
    w.ids["results_round"] = results.id
    w.ids["uncertified_round"] = counted().id  # not yet checked and certified

    # Paper ballots: batch 1 of three papers disagrees on the first; a fresh one for each
    # request that resolves a paper.
    def mismatch_batch() -> dict[str, int]:
        batch = paper.do_create_batch(officer, voting_round, paper.next_number(voting_round),
                                      "Ward 3 box", 3)
        paper.do_enter(officer, voting_round, batch, 1, 1, {str(pids[0]): "7"})
        paper.do_enter(admin, voting_round, batch, 2, 1, {str(pids[0]): "1"})
        return {"round_id": voting_round.id, "number": batch.number, "position": 1}

    w.ids["batch"] = mismatch_batch()["number"]
    w.fresh["mismatch"] = mismatch_batch

    # A live session on the voting round, scoring the first pitch, with a question asked.
    session = live.do_create(officer, voting_round, "Pitch night", "open", "scoring",
                             [(pid, 60, 30) for pid in pids])
    live.do_control(officer, session, "start")
    live.do_control(officer, session, "open_scoring")
    seat, _token = live.do_join(session)
    w.ids["question"] = live.do_ask(session, seat, "Where will they go?").id
    w.ids["session"], w.ids["join_code"] = session.id, session.join_code

    # A council with a member; a referral with draft advice, one with published advice, one
    # with an empty draft (publishing it is refused as a mistake, so it stays a draft).
    council = councils.do_create_council(officer, councils.CouncilData("Matrix Council"))
    term = councils.do_add_member(officer, council, member, date.today() - timedelta(days=30),
                                  None)
    councils.do_update_council(officer, council, councils.CouncilData(
        "Matrix Council", chair_id=member.id))
    w.ids["council"], w.ids["term"] = council.id, term.id

    def refer(question: str) -> Any:
        return councils.do_refer(officer, council, councils.ReferralData(
            question, date.today() + timedelta(days=60)))

    drafting, published, empty = refer("Parks?"), refer("Libraries?"), refer("Buses?")
    w.ids["draft_referral"], w.ids["empty_referral"] = drafting.id, empty.id

    def draft_recommendation() -> int:
        return councils.do_add_recommendation(member, drafting, "Plant trees", "Shade").id

    w.ids["draft_rec"] = draft_recommendation()
    w.fresh["draft_rec"] = draft_recommendation
    w.ids["published_rec"] = councils.do_add_recommendation(member, published, "Open late",
                                                            "Students").id
    councils.do_publish_advice(member, published)

    # Recruitments by lot: one open with a volunteer, one to close, and one published with a
    # volunteer invited (the draw itself is the sortition tests' business).
    def recruitment(title: str) -> Any:
        return rec.do_open(officer, council, rec.RecruitmentData(
            title=title, seats=4, closes_at=utcnow() + timedelta(days=10),
            term_start=date.today() + timedelta(days=30), term_end=None,
            seed_source="Numbers drawn from a bag.", quotas=QUOTAS, panel_count=100))

    def volunteer(recruitment: Any, n: int) -> tuple[Any, str]:
        keys: list[str] = []  # the key their emailed links carry

        def link(secret: str) -> str:
            keys.append(secret)
            return f"http://pb.test/councils/volunteer/{secret}"

        person = rec.do_volunteer(recruitment, rec.VolunteerData(
            name=f"Volunteer {n}", email=f"volunteer{n}@example.org",
            answers={"Age": "Under 40", "Area": "North"}), link)
        rec.do_confirm(person)
        return person, keys[0]

    opened, to_close, drawn = (recruitment(t) for t in ("Open", "To close", "Drawn"))
    person, w.ids["volunteer_key"] = volunteer(opened, 1)
    w.ids["recruitment"], w.ids["volunteer_number"] = opened.id, person.number
    w.ids["recruitment_to_close"] = to_close.id
    invited, w.ids["invited_key"] = volunteer(drawn, 2)
    now = utcnow()
    drawn.closes_at, drawn.published_at, drawn.pool_csv = now, now, "number\n1\n"
    invited.invitation, invited.invited_at = "invited", now
    db.session.commit()
    w.ids["drawn_recruitment"] = drawn.id
    return w


@pytest.fixture(scope="module")
def world(migrated_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One app on its own copy of the migrated database, with the world built once."""
    database = tmp_path_factory.mktemp("matrix") / "pb.sqlite3"
    shutil.copy(migrated_db, database)
    # Rate limits are not about who may do what, and ~1,000 requests from one address meet them.
    app = create_app(make_config(database, RATELIMIT_ENABLED=False,
                                 PB_UPLOADS=str(database.parent / "uploads")))
    app.test_client_class = Client
    with app.app_context():
        yield build(app)
        _wait_for_broadcasts(app)
        db.session.remove()
        db.engine.dispose()


# What each rule is tried on --------------------------------------------------------------------


def values(w: World, endpoint: str, arguments: set[str]) -> dict[str, Any]:
    """Fill a rule's arguments: the usual object for each name, or the endpoint's own."""
    usual = {
        "round_id": w.voting_round, "proposal_id": w.proposal, "comment_id": w.comment,
        "council_id": w.council, "referral_id": w.draft_referral, "rec_id": w.published_rec,
        "member_id": w.term, "user_id": w.users[RESIDENT].id, "rid": w.recruitment,
        "key": w.volunteer_key, "code": w.join_code, "session_id": w.session, "seq": 1,
        "number": w.batch, "pass_no": 1, "position": 3, "token": "not-a-reset-token",
        "name": "pool.csv", "filename": "css/app.css", "picture_id": w.picture,
    }
    own: dict[str, Callable[[], dict[str, Any]]] = {
        "proposals.index": lambda: {"round_id": w.proposals_round},
        "proposals.new": lambda: {"round_id": w.proposals_round},
        "admin.site_page": lambda: {"slug": "privacy"},
        "proposals.map_view": lambda: {"round_id": w.proposals_round},
        "eligibility.census": lambda: {"round_id": w.census_round},
        "eligibility.codes": lambda: {"round_id": w.codes_round},
        "voting.fingerprints": lambda: {"round_id": w.results_round},
        "council.publish": lambda: {"referral_id": w.empty_referral},
        "council.close_recruitment": lambda: {"rid": w.recruitment_to_close},
        "council.recruitment_file": lambda: {"rid": w.drawn_recruitment},
        "council.invitation": lambda: {"key": w.invited_key},
        "council.answer_invitation": lambda: {"key": w.invited_key},
        "council.dropped_out": lambda: {"number": w.volunteer_number},
        "paper.correct": w.fresh["mismatch"],  # its own disagreement: resolving ends one
        "pictures.file": lambda: {"name": w.picture_file},
        "pictures.paper": lambda: {"paper_id": w.paper, "name": "costs.pdf"},
        "pictures.remove_paper": w.fresh["paper"],
        "notifications.open_one": lambda: {"notification_id": _notification_for(
            w.users[RESIDENT])},
    }
    filled = {**usual, **(own[endpoint]() if endpoint in own else {})}
    if endpoint.startswith("results."):
        filled["round_id"] = w.results_round
    return {name: filled[name] for name in arguments}


def _notification_for(user: User) -> int:
    """Return a fresh notification of `user`'s (opening one marks it read)."""
    from pb.services import notifications  # noqa: PLC0415

    (made,) = notifications.notify([user], "results", {"round": "A round", "round_id": 1},
                                   "/rounds/1")
    return made.id


@dataclass(frozen=True)
class Case:
    """A rule tried on another object than the usual one, with its own answer."""

    endpoint: str
    label: str
    who: frozenset[str]
    values: Callable[[World], dict[str, Any]]


CASES = (
    Case("rounds.show", "a draft round", OFFICERS, lambda w: {"round_id": w.draft_round}),
    Case("rounds.edit", "a draft round", OFFICERS, lambda w: {"round_id": w.draft_round}),
    Case("proposals.index", "a draft round", OFFICERS, lambda w: {"round_id": w.draft_round}),
    Case("proposals.map_view", "a draft round", OFFICERS,
         lambda w: {"round_id": w.draft_round}),
    Case("results.show", "a draft round", OFFICERS, lambda w: {"round_id": w.draft_round}),
    Case("paper.index", "a round without a live session", OFFICERS,
         lambda w: {"round_id": w.uncertified_round}),
    Case("results.as_json", "results not yet certified", OFFICERS,
         lambda w: {"round_id": w.uncertified_round}),
    Case("voting.fingerprints", "results not yet certified", NOBODY,
         lambda w: {"round_id": w.uncertified_round}),
    Case("proposals.show", "a draft proposal", AUTHOR | OFFICERS,
         lambda w: {"proposal_id": w.draft_proposal}),
    Case("proposals.edit", "a draft proposal", AUTHOR,
         lambda w: {"proposal_id": w.draft_proposal}),
    Case("proposals.place", "a draft proposal", OFFICERS,
         lambda w: {"proposal_id": w.draft_proposal}),
    Case("discussion.show", "a draft proposal", AUTHOR | OFFICERS,
         lambda w: {"proposal_id": w.draft_proposal}),
    Case("council.recommendation", "a draft", MEMBERS_OF_THE_COUNCIL,
         lambda w: {"rec_id": w.draft_rec}),
    Case("council.edit_recommendation", "a draft", MEMBERS_OF_THE_COUNCIL,
         lambda w: {"rec_id": w.draft_rec}),
    Case("council.remove_recommendation", "a draft", MEMBERS_OF_THE_COUNCIL,
         lambda w: {"rec_id": w.fresh["draft_rec"]()}),  # removing it works: one each time
    Case("council.add_recommendation", "published advice", NOBODY,
         lambda w: {"referral_id": _referral_of(w.published_rec)}),
    Case("council.save_summary", "published advice", NOBODY,
         lambda w: {"referral_id": _referral_of(w.published_rec)}),
    Case("council.publish", "published advice", NOBODY,
         lambda w: {"referral_id": _referral_of(w.published_rec)}),
)


def _referral_of(rec_id: int) -> int:
    found = councils.get_recommendation(rec_id, None)
    assert found is not None
    return found.referral_id


# Asking ----------------------------------------------------------------------------------------


def client_for(w: World, role: str) -> Any:
    """A test client logged in as the role's user (a visitor for ANONYMOUS)."""
    client = w.app.test_client()
    if role != ANONYMOUS:
        with client.session_transaction() as session:
            session["_user_id"] = session_id(w.users[role])  # a session kept at the server
            session["_fresh"] = True
    return client


LOGIN_PATH = "/account/login"  # checked against the URL map below


def outcome(response: Any) -> str:
    """Say whether the app let the request through: "allowed", "refused" or "unexpected …"."""
    code = response.status_code
    if code in (401, 403, 404):
        return "refused"
    if 300 <= code < 400:  # to log in first, and come back here next
        where = urlsplit(response.headers.get("Location", ""))
        asked = where.path == LOGIN_PATH and "next=" in where.query
        return "refused" if asked else "allowed"
    if code < 300 or code in (400, 422):
        return "allowed"
    return f"unexpected {code}"


def methods_of(rule: Any) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def who_for(entry: frozenset[str] | dict[str, frozenset[str]], method: str) -> frozenset[str]:
    return entry[method] if isinstance(entry, dict) else entry


def answers(w: World, endpoint: str, url_values: Callable[[], dict[str, Any]],
            method: str) -> dict[str, tuple[str, int]]:
    """Send the request as every role; return each role's outcome and status code."""
    found = {}
    for role in ROLES:
        with w.app.test_request_context():
            url = url_for(endpoint, **url_values())
        response = client_for(w, role).open(url, method=method, data={})
        found[role] = (outcome(response), response.status_code)
    return found


def differences(expected: frozenset[str], found: dict[str, tuple[str, int]]) -> list[str]:
    wrong = []
    for role, (result, code) in found.items():
        should = "allowed" if role in expected else "refused"
        if result != should:
            wrong.append(f"{role}: {result} ({code}), should be {should}")
    return wrong


def rules_of(app: Flask) -> dict[str, Any]:
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def test_every_route_is_in_the_table(world: World) -> None:
    endpoints = set(rules_of(world.app))
    missing = sorted(endpoints - set(TABLE))
    assert not missing, (
        f"These routes are not in the authorization table: {missing}. Add each one to TABLE "
        "in tests/test_authorization_matrix.py with the roles that may use it.")
    gone = sorted(set(TABLE) - endpoints)
    assert not gone, f"These routes are in TABLE but not in the app: {gone}; remove them."
    with world.app.test_request_context():
        assert url_for("auth.login") == LOGIN_PATH
    assert (OFFICERS, RUNNERS) == (roles.ROUND_MANAGERS, roles.LIVE_RUNNERS)
    assert set(ROLES) - {ANONYMOUS, MEMBER} | {COUNCIL} == set(roles.ROLES)
    gone = sorted({c.endpoint for c in CASES} - endpoints)
    assert not gone, f"These CASES name routes the app does not have: {gone}"


def test_every_route_answers_every_role_as_the_table_says(world: World) -> None:
    problems = []
    rules = rules_of(world.app)
    for endpoint in sorted(set(rules) & set(TABLE)):
        rule = rules[endpoint]
        for method in methods_of(rule):
            found = answers(world, endpoint,
                            lambda e=endpoint, r=rule: values(world, e, set(r.arguments)),
                            method)
            problems += [f"{method} {endpoint}: {line}"
                         for line in differences(who_for(TABLE[endpoint], method), found)]
    for case in CASES:
        rule = rules[case.endpoint]
        for method in methods_of(rule):
            found = answers(world, case.endpoint, lambda c=case: c.values(world), method)
            problems += [f"{method} {case.endpoint} ({case.label}): {line}"
                         for line in differences(case.who, found)]
    assert not problems, "\n".join(problems)


# Sockets ---------------------------------------------------------------------------------------
# (namespace, event) -> the roles whose message is accepted, for every handler on the server.
# Events the server sends (the catalogue's "server → client") reach the rooms that the
# handler named in AUDIENCE lets people join, so they follow its row.

LIVE = events.LIVE
SOCKET_TABLE: dict[tuple[str, str], frozenset[str]] = {
    ("/", "connect"): EVERYONE,  # watchers need no account
    ("/", events.WATCH): EVERYONE,  # a round in voting; a draft in SOCKET_CASES
    ("/", events.WATCH_REGISTER): EVERYONE,
    ("/", events.WATCH_PROPOSAL): EVERYONE,
    ("/", events.VOTE): SIGNED_IN,  # a round whose voters are its account holders
    (LIVE, "connect"): EVERYONE,
    (LIVE, "disconnect"): EVERYONE,
    (LIVE, events.LIVE_JOIN): EVERYONE,  # as a phone (open session); the console: RUNNERS
    (LIVE, events.LIVE_VOTE): EVERYONE,  # phones that joined
    (LIVE, events.LIVE_ASK): EVERYONE,
    (LIVE, events.LIVE_UPVOTE): EVERYONE,
    (LIVE, events.LIVE_CONTROL): RUNNERS,  # from the console only
    ("/", "*"): NOBODY,  # any event without a handler: an error ack naming it, for everyone
    (LIVE, "*"): NOBODY,
}
AUDIENCE = {
    events.ROUND_PHASE: ("/", events.WATCH), events.ROUND_TOTALS: ("/", events.WATCH),
    events.REGISTER_CHANGED: ("/", events.WATCH_REGISTER),
    events.COMMENT_ADDED: ("/", events.WATCH_PROPOSAL),
    events.COMMENT_HIDDEN: ("/", events.WATCH_PROPOSAL),
    events.STANCE_COUNTS: ("/", events.WATCH_PROPOSAL),
    events.LIVE_STATE: (LIVE, events.LIVE_JOIN), events.LIVE_TALLY: (LIVE, events.LIVE_JOIN),
    events.LIVE_QUESTIONS: (LIVE, events.LIVE_JOIN),
}


def handlers() -> set[tuple[str, str]]:
    """Return (namespace, event) for every handler registered on the Socket.IO server."""
    return {(namespace, name) for namespace, found in socketio.server.handlers.items()
            for name in found}


def _ok(ack: Any) -> bool:
    return isinstance(ack, dict) and ack.get("ok") is True


def _joined(w: World, client: Any, role: str = "phone") -> tuple[Any, bool]:
    """A /live connection joined to the world's session as `role`; whether it got in."""
    sock = connect(w.app, client)
    ack = sock.emit(events.LIVE_JOIN, {"code": w.join_code, "role": role}, namespace=LIVE,
                    callback=True)
    return sock, _ok(ack)


def _on_root(w: World, client: Any, event: str, payload: dict[str, Any]) -> bool:
    sock = socket(w.app, client)
    try:
        return _ok(sock.emit(event, payload, callback=True))
    finally:
        sock.disconnect()


def _as_phone(event: str, payload: Callable[[World], dict[str, Any]]) -> Any:
    def probe(w: World, client: Any) -> bool:
        sock, joined = _joined(w, client)
        try:
            return joined and _ok(sock.emit(event, payload(w), namespace=LIVE, callback=True))
        finally:
            sock.disconnect(namespace=LIVE)

    return probe


def _connects(namespace: str, headers: dict[str, str] = BROWSER) -> Any:
    def probe(w: World, client: Any) -> bool:
        sock = socketio.test_client(w.app, namespace=namespace, flask_test_client=client,
                                    headers=headers)
        connected = sock.is_connected(namespace)
        if connected:
            sock.disconnect(namespace=namespace)
        return connected

    return probe


def _disconnects(w: World, client: Any) -> bool:
    sock, joined = _joined(w, client)
    sock.disconnect(namespace=LIVE)
    return joined and not sock.is_connected(LIVE)


def _controls(join_as: str) -> Any:
    def probe(w: World, client: Any) -> bool:
        sock, joined = _joined(w, client, join_as)
        if not joined:  # the console refused: try from a phone's connection
            sock.disconnect(namespace=LIVE)
            sock, _ = _joined(w, client)
        try:
            paused = _ok(sock.emit(events.LIVE_CONTROL, {"action": "pause"}, namespace=LIVE,
                                   callback=True))
            if paused:  # as it was, for the next role
                assert _ok(sock.emit(events.LIVE_CONTROL, {"action": "resume"},
                                     namespace=LIVE, callback=True))
            return paused
        finally:
            sock.disconnect(namespace=LIVE)

    return probe


def _joins(join_as: str) -> Any:
    def probe(w: World, client: Any) -> bool:
        sock, joined = _joined(w, client, join_as)
        sock.disconnect(namespace=LIVE)
        return joined

    return probe


def _ballot(w: World) -> dict[str, Any]:
    return {"round": w.voting_round, "key": key(), "items": {str(w.pids[0]): 7}}


PROBES: dict[tuple[str, str], Callable[[World, Any], bool]] = {
    ("/", "connect"): _connects("/"),
    ("/", events.WATCH): lambda w, c: _on_root(w, c, events.WATCH, {"round": w.voting_round}),
    ("/", events.WATCH_REGISTER): lambda w, c: _on_root(w, c, events.WATCH_REGISTER, {}),
    ("/", events.WATCH_PROPOSAL): lambda w, c: _on_root(w, c, events.WATCH_PROPOSAL,
                                                        {"proposal": w.proposal}),
    ("/", events.VOTE): lambda w, c: _on_root(w, c, events.VOTE, _ballot(w)),
    (LIVE, "connect"): _connects(LIVE),
    (LIVE, "disconnect"): _disconnects,
    (LIVE, events.LIVE_JOIN): _joins("phone"),
    (LIVE, events.LIVE_VOTE): _as_phone(events.LIVE_VOTE, lambda w: {
        "key": key(), "items": {str(w.pids[0]): 7}}),
    (LIVE, events.LIVE_ASK): _as_phone(events.LIVE_ASK, lambda w: {"text": "Who mends them?"}),
    (LIVE, events.LIVE_UPVOTE): _as_phone(events.LIVE_UPVOTE, lambda w: {
        "question": w.question}),
    (LIVE, events.LIVE_CONTROL): _controls("console"),
    ("/", "*"): lambda w, c: _on_root(w, c, "no_such_event", {"round": w.voting_round}),
    (LIVE, "*"): _as_phone("no_such_event", lambda w: {}),
}
SOCKET_CASES = (  # (namespace, event, on what, who, probe)
    ("/", events.WATCH, "a draft round", OFFICERS,
     lambda w, c: _on_root(w, c, events.WATCH, {"round": w.draft_round})),
    ("/", events.WATCH_PROPOSAL, "a draft proposal", AUTHOR | OFFICERS,
     lambda w, c: _on_root(w, c, events.WATCH_PROPOSAL, {"proposal": w.draft_proposal})),
    (LIVE, events.LIVE_JOIN, "as the console", RUNNERS, _joins("console")),
    # A login comes only from the site's pages (browsers send Origin); visitors need none.
    ("/", "connect", "a login without Origin", frozenset({ANONYMOUS}), _connects("/", {})),
    (LIVE, "connect", "a login without Origin", frozenset({ANONYMOUS}), _connects(LIVE, {})),
    (LIVE, events.LIVE_CONTROL, "from a phone's connection", NOBODY, _controls("phone")),
)


def test_every_socket_handler_and_catalogue_event_is_in_the_table(world: World) -> None:
    registered = handlers()
    missing = sorted(registered - set(SOCKET_TABLE))
    assert not missing, (
        f"These Socket.IO handlers are not in the authorization table: {missing}. Add each "
        "one to SOCKET_TABLE (and a probe to PROBES) in tests/test_authorization_matrix.py.")
    gone = sorted(set(SOCKET_TABLE) - registered)
    assert not gone, f"These events are in SOCKET_TABLE but have no handler: {gone}"
    assert set(PROBES) == set(SOCKET_TABLE)
    incoming = {(ns, name) for ns, direction, name in events.CATALOGUE
                if direction.endswith("→ server")}
    assert incoming <= set(SOCKET_TABLE), incoming - set(SOCKET_TABLE)
    outgoing = {name for _ns, direction, name in events.CATALOGUE
                if direction.endswith("→ client")}
    assert outgoing == set(AUDIENCE), (
        f"Say in AUDIENCE which handler lets people hear each event the server sends: "
        f"{sorted(outgoing ^ set(AUDIENCE))}")
    assert set(AUDIENCE.values()) <= set(SOCKET_TABLE)


def test_every_socket_event_answers_every_role_as_the_table_says(world: World) -> None:
    problems = []
    tried = [(ns, event, "", who, PROBES[(ns, event)])
             for (ns, event), who in sorted(SOCKET_TABLE.items())]
    for namespace, event, label, who, probe in [*tried, *SOCKET_CASES]:
        for role in ROLES:
            # Handlers run in the app context this module keeps open, where Flask-Login keeps
            # the last user it loaded: forget it, so the socket's own cookie says who it is.
            g.pop("_login_user", None)
            allowed = probe(world, client_for(world, role))
            if allowed != (role in who):
                problems.append(f"{namespace} {event}{f' ({label})' if label else ''}: {role} "
                                f"{'allowed' if allowed else 'refused'}, should be "
                                f"{'allowed' if role in who else 'refused'}")
    assert not problems, "\n".join(problems)
