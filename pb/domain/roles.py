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
