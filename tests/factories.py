"""Plain builders the tests share: users, rounds with projects, proposals and comments,
councils, Socket.IO test clients, and form data as a browser sends it.

Fixtures live in the conftest.py files; these are ordinary functions, imported by the test
modules that use them. No test module is ever imported by another (tests/test_layout.py).
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from freezegun import freeze_time

from pb.domain.tally.model import TallyInput
from pb.extensions import db, socketio
from pb.models import (
    AuditEntry,
    Comment,
    Council,
    CouncilMember,
    Proposal,
    Recommendation,
    RecordEntry,
    Referral,
    Response,
    User,
    Volunteer,
)
from pb.services import discussion, rounds
from pb.services.council import councils as councils
from pb.services.council import recruitment as rec

# Users ------------------------------------------------------------------------------------------


def plain_user(*roles: str) -> User:
    """A user without argon2 hashing (fast); roles as given."""
    from pb.models import UserRole

    n = db.session.scalar(sa.select(sa.func.count(User.id))) + 1
    user = User(email=f"live{n}@example.org", display_name=f"Person {n}", password_hash="x")
    user.roles = [UserRole(role=r) for r in roles]
    db.session.add(user)
    db.session.commit()
    return user


# Rounds with projects on the ballot -------------------------------------------------------------


def add_projects(round_: Any, costs: list[int]) -> list[Proposal]:
    """Put feasible projects with these costs (pence) on the round's ballot."""
    made = []
    for i, cost in enumerate(costs, start=1):
        p = Proposal(round_id=round_.id, title=f"Project {i}", summary=f"Summary {i}",
                     cost_minor=cost, status="feasible")
        db.session.add(p)
        made.append(p)
    db.session.commit()
    return made


def open_round(make_round: Any, make_user: Any = None, *, officer: Any = None,
               **fields: Any) -> Any:
    """A round in voting with a £1,000 budget and three projects (£400, £500, £300).

    The officer is `officer`, or a new one from `make_user`. The round carries its
    `officer`, its `projects` and their ids as strings (`ids`), for the tests to use.
    """
    officer = officer or make_user("officer")
    round_ = make_round("deliberation", officer=officer, budget_minor=100_000, **fields)
    projects = add_projects(round_, [40_000, 50_000, 30_000])
    rounds.do_change_phase(officer, round_, "voting")
    round_.officer, round_.projects = officer, projects
    round_.ids = [str(p.id) for p in projects]
    return round_


# Proposals and their discussion -----------------------------------------------------------------


def make_proposal(make_round: Any, phase: str = "deliberation", status: str = "feasible",
                  title: str = "Benches on the green", round_: Any = None) -> Proposal:
    """Create a proposal in a round in `phase` (a round is made unless one is given)."""
    round_ = round_ or make_round(phase)
    proposal = Proposal(round_id=round_.id, title=title, summary="Somewhere to sit.",
                        cost_minor=500_000, status=status, language="en")
    db.session.add(proposal)
    db.session.commit()
    return proposal


def key() -> str:
    """Return a fresh one-time form key."""
    return uuid.uuid4().hex


def post(author: User, proposal: Proposal, body: str = "I would use these every day.",
         stance: str = "for", parent: Comment | None = None) -> Comment:
    """Post a comment through the service and return it."""
    comment, created = discussion.do_post(author, proposal, discussion.PostData(
        stance=stance, body=body, form_key=key(), parent_id=parent.id if parent else None))
    assert created
    return comment


def comment_count() -> int:
    """Return how many comments are stored, to check nothing was half-written."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) or 0


# Councils, referrals and published advice -------------------------------------------------------

REASONS = "The budget for this year is already committed to the flood defences on the river."


@dataclass
class Setup:
    """An officer, a council with one member, and a referral."""

    officer: User
    member: User
    council: Council
    referral: Referral


def make_setup(make_user: Callable[..., User], response_days: int = 30,
               name: str = "Afonbridge Citizens’ Council") -> Setup:
    """Create an officer, a council with one current member (its chair), and a referral to
    it."""
    officer = make_user("officer", name="Olu Officer")
    member = make_user("council", name="Carys Council")
    data = councils.CouncilData(name, "Advises on **the budget**.", response_days)
    council = councils.do_create_council(officer, data)
    councils.do_add_member(officer, council, member, date.today() - timedelta(days=30), None)
    data.chair_id = member.id
    councils.do_update_council(officer, council, data)
    referral = councils.do_refer(officer, council, councils.ReferralData(
        "How should the parks budget be spent?", date.today() + timedelta(days=60),
        "The parks budget is £200,000."))
    return Setup(officer, member, council, referral)


def publish(setup: Setup, texts: tuple[str, ...] = ("Plant trees", "Open toilets", "Add bins"),
            now: datetime | None = None) -> list[Recommendation]:
    """Draft recommendations as the member and publish them; return them in order."""
    for text in texts:
        councils.do_add_recommendation(setup.member, setup.referral, text, f"Because {text}.")
    councils.do_publish_advice(setup.member, setup.referral, now=now)
    return list(setup.referral.recommendations)


def counts() -> dict[str, int]:
    """Return how many rows each council table and the record hold."""
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Council, CouncilMember, Referral, Recommendation, Response,
                          RecordEntry, AuditEntry)}


# Socket.IO test clients -------------------------------------------------------------------------

NS = "/live"
# What a browser on the site sends with every socket (the test apps answer at pb.test); a
# connection with a login and no Origin is refused.
BROWSER = {"Origin": "http://pb.test"}


def socket(app: Any, client: Any = None) -> Any:
    """A Socket.IO test client on the default namespace (logged in as `client` is)."""
    return socketio.test_client(app, flask_test_client=client, headers=BROWSER)


def connect(app: Any, client: Any = None) -> Any:
    """A Socket.IO test client on the /live namespace."""
    return socketio.test_client(app, namespace=NS, flask_test_client=client, headers=BROWSER)


def console(app: Any, client: Any, login: Any, session: Any) -> Any:
    """The session's officer, logged in, joined as the facilitator's console."""
    login(session.officer)
    client.get("/")
    sock = connect(app, client)
    ack = sock.emit("join", {"code": session.join_code, "role": "console"}, namespace=NS,
                    callback=True)
    assert ack["ok"], ack
    return sock


def phone(app: Any, session: Any, **extra: Any) -> tuple[Any, dict[str, Any]]:
    """An anonymous phone joined to the session; return it and its join ack."""
    sock = connect(app)
    ack = sock.emit("join", {"code": session.join_code.lower(), **extra}, namespace=NS,
                    callback=True)
    assert ack["ok"], ack
    return sock, ack


def control(sock: Any, action: str, **extra: Any) -> dict[str, Any]:
    """Send a console control; return its ack."""
    return sock.emit("control", {"action": action, **extra}, namespace=NS, callback=True)


# Forms and requests, as a browser sends them ----------------------------------------------------

ROUND_FORM = {"title": "Green Northfield", "area": "Northfield",
              "description": "Parks and **play**.", "currency": "GBP", "budget": "250,000",
              "ballot_method": "approval", "tally_rule": "mes"}

PROPOSAL_FORM = {"title": "Pocket park on Mill Lane", "summary": "A small park with benches.",
                 "body": "Benches, **wildflowers** and a bin.", "cost": "38,000",
                 "category": "Parks", "area": "Mill Lane",
                 "form_key": "key-1", "action": "submit"}


def agenda_form(round_: Any, rows: dict[int, tuple[str, str, str]], **extra: str) -> dict[str, str]:
    """The set-up form as a browser sends it: rows maps proposal ids to (order, pitch, q)."""
    data = {"title": "Pitch night", "round_id": str(round_.id), "shown_round": str(round_.id),
            "access": "open", "method": "scoring", "action": "save", **extra}
    for pid, (order, pitch, questions) in rows.items():
        data.update({f"pitches-{pid}": "y", f"order-{pid}": order, f"pitch-{pid}": pitch,
                     f"questions-{pid}": questions})
    return data


def new_batch(client: Any, round_: Any, number: int = 1, size: int = 2) -> Any:
    """Start a batch of paper ballots through the form."""
    return client.post(f"/rounds/{round_.id}/paper",
                       data={"number": str(number), "label": "Ward 3 ballot box",
                             "size": str(size)})


def enter_url(round_: Any, pass_no: int, position: int, number: int = 1) -> str:
    """The address where one pass enters one paper ballot of a batch."""
    return f"/rounds/{round_.id}/paper/{number}/enter/{pass_no}/{position}"


# Councils chosen by lot ---------------------------------------------------------------------

QUOTAS = """feature,category,min,max,population
Age,Under 40,2,3,0.45
Age,40 and over,2,3,0.55
Area,North,1,3,0.5
Area,South,1,3,0.5
"""
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def link(key: str) -> str:
    return f"http://pb.test/v/{key}"


def opened(make_user: Any, quotas: str = QUOTAS, seats: int = 4, **extra: Any) -> tuple:
    officer = make_user("officer")
    council = councils.do_create_council(officer, councils.CouncilData("Town Council"))
    data = rec.RecruitmentData(
        title="Town council 2027", seats=seats, closes_at=NOW + timedelta(days=10),
        term_start=date(2027, 2, 1), term_end=date(2028, 1, 31),
        seed_source="Five numbers drawn from a bag at the council meeting on 21 January.",
        quotas=quotas, panel_count=100, **extra)
    with freeze_time(NOW):
        return officer, council, rec.do_open(officer, council, data)


def volunteers(recruitment: Any, n: int) -> list[Volunteer]:
    people = []
    with freeze_time(NOW):
        for i in range(n):
            v = rec.do_volunteer(recruitment, rec.VolunteerData(
                name=f"Volunteer {i}", email=f"v{i}@example.org",
                answers={"Age": "Under 40" if i % 2 else "40 and over",
                         "Area": "North" if i % 3 else "South"}), link)
            rec.do_confirm(v)
            people.append(v)
    return people


# Sessions and two-factor login ----------------------------------------------------------------


def session_id(user: User, user_agent: str = "pytest") -> str:
    """Start a session kept at the server for `user`, as logging in does, and return the id a
    test puts in the session cookie (`session["_user_id"]`)."""
    from pb.services import accounts

    accounts.start_session(user, user_agent)
    return user.get_id()



def app_code(user: User, at: datetime | None = None) -> str:
    """Return the six digits `user`'s authenticator app shows at `at` (default: now)."""
    import pyotp

    assert user.totp_secret, "start enrolment first"
    moment = at.timestamp() if at is not None else datetime.now(UTC).timestamp()
    return pyotp.TOTP(user.totp_secret).at(moment)


def enrolled(user: User) -> list[str]:
    """Turn two-factor login on for `user` through the services; return the recovery codes."""
    from pb.services import two_factor

    two_factor.do_start_enrolment(user)
    return two_factor.do_confirm_enrolment(user, app_code(user))


def security_events(caplog: Any, name: str) -> list[dict[str, Any]]:
    """Return the security events called `name` logged so far (see pb.services.security_log)."""
    import json

    return [line for line in (json.loads(r.getMessage()) for r in caplog.records
                              if r.name == "pb.security") if line["event"] == name]


# Counting -------------------------------------------------------------------------------------

def plain_mes(data: TallyInput, share: Fraction) -> tuple[list[str], dict[str, Fraction]]:
    """Return the buying order and each price per unit of utility, voter by voter."""
    voters: list[dict[int, int]] = []
    for projects, sats, mult in data.groups:
        voters += [dict(zip(projects, sats, strict=True))] * mult
    money = [share] * len(voters)
    utility = [Fraction(c) if not data.points else None for c in data.costs]

    def util(i: int, p: int) -> Fraction:
        return utility[p] if utility[p] is not None else Fraction(voters[i][p])

    supported = {p for ballot in voters for p in ballot}
    order = [p for p in sorted(supported, key=lambda p: data.ids[p])
             if data.points and data.costs[p] == 0]
    live = {p for p in supported if data.costs[p] > 0}
    prices: dict[str, Fraction] = {}
    while True:
        best: tuple[Fraction, str, int] | None = None
        for p in sorted(live):
            fans = [i for i, ballot in enumerate(voters) if p in ballot and money[i] > 0]
            if sum(money[i] for i in fans) < data.costs[p]:
                live.discard(p)
                continue
            # Water-filling: the poorest (per unit of utility) pay all they have.
            fans.sort(key=lambda i: money[i] / util(i, p))
            left, weight, rho = data.costs[p], sum(util(i, p) for i in fans), None
            for i in fans:
                if money[i] >= left / weight * util(i, p):
                    rho = left / weight
                    break
                left -= money[i]
                weight -= util(i, p)
            assert rho is not None
            if best is None or (rho, data.ids[p]) < best[:2]:
                best = (rho, data.ids[p], p)
        if best is None:
            return [data.ids[p] for p in order], prices
        rho, _, q = best
        for i, ballot in enumerate(voters):
            if q in ballot:
                money[i] -= min(money[i], rho * util(i, q))
        live.discard(q)
        order.append(q)
        # The engine's price is per unit of its own utility (1 for approval, points else).
        prices[data.ids[q]] = rho * (data.costs[q] if not data.points else 1)


# Check your answers ---------------------------------------------------------------------------


def confirm(client: Any, check_page: str, **extra: str) -> Any:
    """Open a check-your-answers page and send its confirmation form as a browser would (every
    hidden field, e.g. the digest of what was checked, plus `extra`); return the response."""
    page = client.get(check_page)
    assert page.status_code == 200, f"no check page at {check_page}"
    return confirm_from(client, page.get_data(as_text=True), **extra)


def confirm_from(client: Any, page_html: str, **extra: str) -> Any:
    """Send the confirmation form (class "confirm") of a check page already fetched."""
    form = re.search(r'<form method="post" action="([^"]+)" class="confirm"[^>]*>(.*?)</form>',
                     page_html, re.S)
    assert form, "no confirmation form on the check page"
    data = {html.unescape(name): html.unescape(value) for name, value in re.findall(
        r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form.group(2))}
    return client.post(html.unescape(form.group(1)), data={**data, **extra})


# Photos -----------------------------------------------------------------------------------------


def photo_added(actor: User, proposal: Proposal, data: bytes, alt: Any = "A photo") -> Any:
    """A photo added and prepared here and now, as its background job would
    (pb.services.picture_jobs); returned ready (or failed)."""
    from pb.services import picture_jobs, pictures

    picture = pictures.do_add(actor, proposal, data, alt)
    picture_jobs.prepare(picture.id)
    db.session.refresh(picture)
    return picture


def swings_proposal(make_round: Any) -> dict[str, Any]:
    """A round taking proposals, its officer, and a resident's submitted proposal to mend
    the swings (the photos tests' world): {"author", "officer", "round", "proposal",
    "resident"}."""
    from pb.services import proposals

    author, officer = plain_user("resident"), plain_user("resident", "officer")
    round_ = make_round("proposals", officer=officer)
    proposal, _ = proposals.do_create(author, round_, proposals.ProposalData(
        title="Mend the swings", summary="They are broken.", body="", cost_minor=500_000),
        submit=True, form_key=key())
    return {"author": author, "officer": officer, "round": round_, "proposal": proposal,
            "resident": plain_user("resident")}
