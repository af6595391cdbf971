"""The kinds of notification, how people may choose to receive them, and when the worker
tries a failed email again (docs/accounts.md, "Notifications")."""

from __future__ import annotations

from datetime import datetime, timedelta

# Every kind a person can choose for, in the order the settings page lists them.
KINDS = ("phase", "closing", "results", "review", "reply", "referral", "response")
IMMEDIATELY, DAILY, NEVER = "immediately", "daily", "never"
DELIVERIES = (IMMEDIATELY, DAILY, NEVER)
DEFAULT_DELIVERY = IMMEDIATELY

# The reminder goes this long before voting closes.
CLOSING_NOTICE = timedelta(hours=24)

# A failed email waits 1, 2, 4 ... minutes before its next try, never more than an hour: an
# outage delays mail, and nothing is given up.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait before trying again an email that failed `attempts` times."""
    if attempts < 1:
        return timedelta(0)
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 16), LONGEST_RETRY)


def check_delivery(value: str) -> str:
    """Return `value` if it is a delivery people may choose, else raise ValueError."""
    if value not in DELIVERIES:
        raise ValueError(value)
    return value


def digest_due(last_run: datetime | None, now: datetime) -> bool:
    """Tell whether the daily digest should go out now: once per calendar day (UTC)."""
    return last_run is None or last_run.date() < now.date()


def closing_window(closes_at: datetime, now: datetime) -> bool:
    """Tell whether voting that closes at `closes_at` closes within the notice period."""
    return now < closes_at <= now + CLOSING_NOTICE
