"""Fixtures the socket tests share: a live session with three pitches on its agenda."""

from __future__ import annotations

from typing import Any

import pytest

from pb.services import live
from tests.factories import open_round, plain_user


@pytest.fixture()
def evening(app: Any, make_round: Any) -> Any:
    """A scoring round in voting with three pitches on a session's agenda."""
    round_ = open_round(make_round, officer=plain_user("officer"), ballot_method="scoring")
    session = live.do_create(round_.officer, round_, "Youth Decide night", "open", "scoring",
                             [(p.id, 60, 30) for p in round_.projects])
    session.officer = round_.officer
    session.pids = [str(p.id) for p in round_.projects]
    return session
