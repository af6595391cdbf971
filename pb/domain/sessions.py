"""Rules of login sessions: what a session's id looks like, when a session has run out, and a
few words that say which device it is on.

A session is one login on one device. Its id (kept by Flask-Login in the session cookie and in
the "Keep me logged in" cookie) is "<account>:<generation>:<token>": the token is random, and
the database keeps only its SHA-256, so a session ended there is refused wherever its cookies
were copied to. Everything here takes values and returns values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pb.domain.roles import ADMIN, OFFICER

# Whose sessions get the short limits: those who can change what others see and decide
# (NIST 800-63B's AAL2 asks them to log in again every 12 hours and after a spell idle).
STAFF_ROLES = frozenset({ADMIN, OFFICER})
# last_seen_at is written at most this often: no write on every request.
TOUCH_EVERY = timedelta(minutes=1)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class SessionId:
    account: int
    generation: int
    token: str


@dataclass(frozen=True)
class Limits:
    """How long a session may last: `absolute` from the login, `idle` since it was last used
    (None: no idle limit)."""

    absolute: timedelta
    idle: timedelta | None


def parse(session_id: str) -> SessionId | None:
    """Return the parts of "<account>:<generation>:<token>", or None for anything else (the
    older "<account>" and "<account>:<generation>" ids, which name no session, included)."""
    parts = session_id.split(":")
    if len(parts) != 3 or not session_id.isascii():
        return None
    account, generation, token = parts
    if not (account.isdigit() and generation.isdigit() and _TOKEN.fullmatch(token)):
        return None
    return SessionId(int(account), int(generation), token)


def token_hash(token: str) -> str:
    """Return what the database keeps of a session's token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_staff(role_names: Iterable[str], two_factor_on: bool) -> bool:
    """Tell whether a session of someone with these roles gets the staff limits: admins,
    officers, and anyone who turned on two-factor login."""
    return two_factor_on or bool(STAFF_ROLES.intersection(role_names))


def ran_out(started: datetime, last_seen: datetime, now: datetime,
            limits: Limits) -> str | None:
    """Return why a session has run out ("absolute" or "idle"), or None while it may go on."""
    if now - started >= limits.absolute:
        return "absolute"
    if limits.idle is not None and now - last_seen >= limits.idle:
        return "idle"
    return None


def due_a_touch(last_seen: datetime, now: datetime) -> bool:
    """Tell whether a session used now should have its last use written down."""
    return now - last_seen >= TOUCH_EVERY


# (name as shown, what the User-Agent says), first match wins: Edge and Opera also say
# Chrome, and Chrome also says Safari.
_BROWSERS = (
    ("Edge", ("Edg/", "EdgA/", "EdgiOS/")),
    ("Opera", ("OPR/", "Opera")),
    ("Samsung Internet", ("SamsungBrowser/",)),
    ("Firefox", ("Firefox/", "FxiOS/")),
    ("Chromium", ("Chromium/",)),
    ("Chrome", ("Chrome/", "CriOS/")),
    ("Safari", ("Safari/",)),
)
_SYSTEMS = (
    ("iPhone", ("iPhone",)),
    ("iPad", ("iPad",)),
    ("Android", ("Android",)),
    ("ChromeOS", ("CrOS",)),
    ("Windows", ("Windows",)),
    ("macOS", ("Macintosh", "Mac OS X")),
    ("Linux", ("Linux", "X11")),
)


def describe_device(user_agent: str) -> tuple[str, str]:
    """Return the browser and the system a User-Agent names, in a word or two each ("Firefox",
    "Windows"); "" for one not recognised. Nothing else of the User-Agent is kept."""
    agent = user_agent[:1000]

    def first(table: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
        return next((name for name, marks in table if any(m in agent for m in marks)), "")

    return first(_BROWSERS), first(_SYSTEMS)
