"""Record actions in the audit log, inside the caller's unit of work."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.extensions import db
from pb.models import AuditEntry, User


def record(actor: User | None, action: str, subject_type: str, subject_id: int | None,
           **detail: Any) -> AuditEntry:
    """Add an audit entry to the session; the caller's unit of work commits it."""
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action,
                       subject_type=subject_type, subject_id=subject_id, detail=detail)
    db.session.add(entry)
    return entry


def entries(subject_type: str | None = None, subject_id: int | None = None,
            action: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """Return audit entries, newest first, optionally for one subject or action."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))
