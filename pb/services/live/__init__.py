"""Live sessions: set up, control, join, score, ask, and the snapshots every screen shows.

The package is cut by who does what on the night: `setup` (a facilitator creates and edits a
session and its agenda, before it starts), `control` (the facilitator drives the session's
state machine), `room` (phones join, rejoin and count as present; questions are asked,
up-voted and answered), `scoring` (scores, cast as the round's ballots), `screens` (what every
screen shows: snapshots, counts, tallies, results, and broadcasting them) and `store` (the
fast path a hall of phones takes: prepared statements, the `LiveView`/`Seat`/`Pitch` records
read without the ORM, and the per-app cache and tally throttles). Every write here runs in
`unit_of_work()` and is broadcast only after its commit (`on_commit`); a score is the one
exception, being a ballot stored by `voting.do_cast` in its own transaction.

Modules here may import `pb.broadcast`, `pb.models`, `pb.domain`, `pb.extensions`,
`pb.services` and its other features (voting, counting, audit), and each other downwards
only: `store` ← `screens` ← `setup` ← `control`, `room`; `scoring` uses `store` and
`screens`. Never `pb.web`, `pb.realtime` or `pb.api`. This module only re-exports the public
use cases below, so callers write `from pb.services import live; live.do_join(...)`.
"""

from pb.services import voting
from pb.services.live.control import do_control
from pb.services.live.room import (
    connected,
    do_answer,
    do_ask,
    do_join,
    do_moderate,
    do_upvote,
    my_questions,
    rejoin,
)
from pb.services.live.scoring import do_score, my_scores
from pb.services.live.screens import (
    console_questions,
    present,
    question_states,
    questions,
    recent_counts,
    results,
    round_ballots_changed,
    scored,
    snapshot,
    tally,
    tonights_result,
)
from pb.services.live.setup import (
    by_code,
    check_open_voting,
    do_create,
    do_open_voting,
    do_update,
    get,
    sessions_for,
)
from pb.services.live.store import (
    AnyParticipant,
    AnySession,
    LiveView,
    Pitch,
    Seat,
    agenda,
    now_ms,
    pitches,
    state_of,
    view,
    view_by_code,
)

__all__ = [
    "AnyParticipant", "AnySession", "LiveView", "Pitch", "Seat", "agenda", "by_code",
    "check_open_voting", "do_open_voting",
    "connected", "console_questions", "do_answer", "do_ask", "do_control", "do_create",
    "do_join", "do_moderate", "do_score", "do_update", "do_upvote", "get", "my_questions",
    "my_scores", "now_ms", "pitches", "present", "question_states", "questions",
    "recent_counts", "rejoin", "results", "round_ballots_changed", "scored", "sessions_for",
    "snapshot", "state_of", "tally", "tonights_result", "view", "view_by_code",
]

# The projector shows paper scorecards as they are counted (see voting.totals).
voting.when_ballots_added(round_ballots_changed)
