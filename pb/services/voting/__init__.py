"""Voting: who is voting, casting ballots exactly once, receipts, and who may vote at all.

The modules of this package, from the bottom up: `store` (the ballot box: the prepared
statements of the casting path, ballots read without the ORM, the voting key), `identify` (THE
answer to "who is voting", for pages, the JSON API and sockets alike, with the web session's
key), `receipts` (derived receipts and what became of them), `totals` (running totals while
voting is open), `cast` (check a ballot, then write it), and the officers' tools: `census`,
`codes` (who may vote) and `paper` (paper ballots; `paper_progress` reads their batches).

They may import `pb.domain`, `pb.models`, `pb.broadcast`, `pb.extensions` and other services,
and each other downwards in that order; never `pb.web`, `pb.realtime` or `pb.api`. `paper` also
tells live sessions when paper ballots are counted, so it imports `pb.services.live`, which
imports this package: this `__init__` therefore never imports `paper` (import it as
`pb.services.voting.paper`).

Below are the public use cases, so callers can write `voting.do_cast(...)`.
"""

from pb.services.voting import census, codes, totals
from pb.services.voting.cast import (
    Cast,
    check_ballot_for,
    check_open,
    check_submission_key,
    do_cast,
    rules,
    voting_open,
)
from pb.services.voting.identify import (
    SESSION_KEY,
    Voter,
    forget,
    remember,
    session_voter,
    submitting_voter,
    voter_for_census,
    voter_for_code,
    voter_for_user,
)
from pb.services.voting.receipts import (
    certified,
    current,
    current_receipt,
    receipt_counts,
    receipt_fingerprints,
    receipt_status,
)
from pb.services.voting.store import AnyRound, BallotBox, ballot_box, counts, voting_key
from pb.services.voting.totals import when_ballots_added

__all__ = [
    # who is voting
    "SESSION_KEY", "Voter", "forget", "remember", "session_voter", "submitting_voter",
    "voter_for_census", "voter_for_code", "voter_for_user",
    # casting
    "AnyRound", "BallotBox", "Cast", "ballot_box", "check_ballot_for", "check_open",
    "check_submission_key", "do_cast", "rules", "voting_open",
    # receipts and the ballot box
    "certified", "counts", "current", "current_receipt", "receipt_counts", "receipt_fingerprints",
    "receipt_status", "voting_key",
    # other features told of ballots added in a batch
    "when_ballots_added",
    # modules
    "census", "codes", "totals",
]
