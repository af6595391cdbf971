"""The roles a person can hold, and what each one lets them do."""

from __future__ import annotations

RESIDENT = "resident"
FACILITATOR = "facilitator"
OFFICER = "officer"
COUNCIL = "council"
ADMIN = "admin"

ROLES: tuple[str, ...] = (RESIDENT, FACILITATOR, OFFICER, COUNCIL, ADMIN)
# Roles an admin grants; everyone who registers is a resident.
GRANTABLE: tuple[str, ...] = (FACILITATOR, OFFICER, COUNCIL, ADMIN)
# Who may create and edit rounds and change their phase.
ROUND_MANAGERS = frozenset({OFFICER, ADMIN})
# Who may set up and run live sessions.
LIVE_RUNNERS = frozenset({FACILITATOR, OFFICER, ADMIN})
# Who may enter paper ballots: round managers for any round, and live runners for a round
# that has a live session (its paper scorecards, from the console's link).
PAPER_STAFF = ROUND_MANAGERS
PAPER_STAFF_AT_LIVE_EVENTS = LIVE_RUNNERS


def may_enter_paper(roles: set[str] | frozenset[str], has_live_session: bool) -> bool:
    """Tell whether someone holding `roles` may enter a round's paper ballots."""
    allowed = PAPER_STAFF | PAPER_STAFF_AT_LIVE_EVENTS if has_live_session else PAPER_STAFF
    return bool(roles & allowed)
