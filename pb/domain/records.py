"""The decision record as a hash chain: canonical JSON, entry hashes, and verification.

Each entry is {seq, at, kind, subject, body, prev}; its hash is the SHA-256 of that object's
canonical JSON, and `prev` is the hash of the entry before it (64 zeros for the first). Anyone
holding the entries can recompute every hash, so rewriting, deleting or reordering an entry
shows up at the first entry that no longer matches. Pure: values in, values out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from pb.domain.errors import N_

GENESIS = "0" * 64


def canonical(obj: Any) -> bytes:
    """Return the canonical JSON of `obj`: sorted keys, no spaces, UTF-8, as bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) \
        .encode("utf-8")


def format_at(when: datetime) -> str:
    """Return a time as the record writes it: UTC, to the microsecond, ending in Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(seq: int, at: str, kind: str, subject: str, body: Any, prev: str) -> str:
    """Return the SHA-256 (hex) of an entry's canonical JSON."""
    content = {"seq": seq, "at": at, "kind": kind, "subject": subject, "body": body,
               "prev": prev}
    return hashlib.sha256(canonical(content)).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One entry of the record as stored: `body` is its canonical JSON text."""

    seq: int
    at: str
    kind: str
    subject: str
    body: str
    prev: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as published in the JSON download (body parsed)."""
        return {"seq": self.seq, "at": self.at, "kind": self.kind, "subject": self.subject,
                "body": json.loads(self.body), "prev": self.prev, "hash": self.hash}


def make_entry(seq: int, at: datetime, kind: str, subject: str, body: Any,
               prev: str) -> Entry:
    """Build the entry that follows the one whose hash is `prev`."""
    stamp = format_at(at)
    return Entry(seq, stamp, kind, subject, canonical(body).decode("utf-8"), prev,
                 entry_hash(seq, stamp, kind, subject, body, prev))


@dataclass(frozen=True)
class Problem:
    """The first entry that does not match, and why (`seq` is the position expected).

    `template` is a gettext message filled with `params`, so pages can show it translated.
    """

    seq: int
    template: str
    params: dict[str, Any]
    kinds: ClassVar[dict[str, str]] = {}

    @property
    def reason(self) -> str:
        return self.template % self.params


@dataclass(frozen=True)
class Verdict:
    """The result of checking a whole chain."""

    count: int
    head: str
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(entries: Iterable[Entry]) -> Verdict:
    """Check a chain in stored order; name the first entry that does not match, and why."""
    prev, count = GENESIS, 0
    for expected, entry in enumerate(entries, start=1):
        problem = _check(expected, entry, prev)
        if problem is not None:
            return Verdict(count, prev, problem)
        prev, count = entry.hash, expected
    return Verdict(count, prev)


def _check(expected: int, entry: Entry, prev: str) -> Problem | None:
    if entry.seq != expected:
        template = (N_("Entry %(seq)d is missing: entry %(found)d is in its place.")
                    if entry.seq > expected else
                    N_("Entry %(seq)d is out of order: entry %(found)d is in its place."))
        return Problem(expected, template, {"seq": expected, "found": entry.seq})
    try:
        body = json.loads(entry.body)
    except ValueError:
        return Problem(expected, N_("Entry %(seq)d has a body that is not valid JSON."),
                       {"seq": expected})
    if entry.prev != prev:
        return Problem(expected, N_("Entry %(seq)d does not point to the entry before it: it "
                                    "names %(found)s… as the previous hash, not %(wanted)s…."),
                       {"seq": expected, "found": entry.prev[:12], "wanted": prev[:12]})
    if entry.body != canonical(body).decode("utf-8"):
        return Problem(expected, N_("Entry %(seq)d has a body that is not canonical JSON."),
                       {"seq": expected})
    actual = entry_hash(entry.seq, entry.at, entry.kind, entry.subject, body, entry.prev)
    if actual != entry.hash:
        return Problem(expected, N_("Entry %(seq)d was changed after it was written: its "
                                    "content hashes to %(found)s…, not %(wanted)s…."),
                       {"seq": expected, "found": actual[:12], "wanted": entry.hash[:12]})
    return None
