"""Fixtures the page tests share: rounds open for voting, live sessions, paper ballots."""

from __future__ import annotations

from typing import Any

import pytest

from pb.extensions import db
from pb.models import Proposal
from pb.services import live
from tests.factories import open_round, plain_user


@pytest.fixture()
def voting_round(make_round: Any, make_user: Any) -> Any:
    """Return a function making a round in voting with three projects on its ballot."""

    def make(method: str = "knapsack", **fields: Any) -> Any:
        return open_round(make_round, make_user, ballot_method=method, **fields)

    return make


@pytest.fixture()
def scoring_round(app: Any, make_round: Any) -> Any:
    """A scoring round in voting with three projects on its ballot."""

    def make(**fields: Any) -> Any:
        return open_round(make_round, officer=plain_user("officer"), ballot_method="scoring",
                          **fields)

    return make


@pytest.fixture()
def evening(scoring_round: Any) -> Any:
    """An open session on that round, in the lobby."""
    round_ = scoring_round()
    session = live.do_create(round_.officer, round_, "Youth Decide night", "open", "scoring",
                             [(p.id, 60, 30) for p in round_.projects])
    session.officer = round_.officer
    session.pids = [p.id for p in round_.projects]
    return session


@pytest.fixture()
def ballot_round(make_round: Any) -> Any:
    """Return a function making a voting round with two projects on its ballot."""

    def make(**fields: Any) -> tuple[Any, list[str]]:
        round_ = make_round("deliberation", **{"double_entry": True,
                                               "ballot_method": "scoring", **fields})
        projects = [Proposal(round_id=round_.id, title=t, summary="", cost_minor=100_00,
                             status="feasible") for t in ("Benches", "Bins")]
        db.session.add_all(projects)
        round_.phase = "voting"
        db.session.commit()
        return round_, [str(p.id) for p in projects]

    return make
