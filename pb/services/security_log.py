"""Security events as structured log lines an operator can ship to their SIEM.

Each event is one JSON object on the `pb.security` logger: `event`, `at` (UTC, ISO 8601),
`account` (an account id, never a name or email) and a few fields that say what happened
(a round or council id, a role name, the client address). Nothing a resident wrote and no
personal data beyond the account id goes into these lines.

The events, each described in docs/security.md (whose test checks the two lists agree):
login.succeeded, login.failed, login.throttled, logout, logout.everywhere, session.ended,
reauth.failed, password.changed, password.reset_requested, two_factor.enrolled,
two_factor.disabled, two_factor.failed, two_factor.recovery_used, role.granted,
role.revoked, results.certified, results.departure, data.exported, host.refused,
access.refused.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

LOGGER = logging.getLogger("pb.security")


def event(name: str, account: int | None = None, **fields: Any) -> dict[str, Any]:
    """Log one security event and return what was logged (for tests and callers)."""
    line: dict[str, Any] = {"event": name, "account": account,
                            "at": datetime.now(UTC).isoformat(timespec="seconds")}
    line.update({key: value for key, value in fields.items() if value is not None})
    LOGGER.info(json.dumps(line, sort_keys=True, default=str))
    return line
