"""Typed SQLAlchemy models, one module per aggregate; importing this registers them all."""

from pb.models.audit import AuditEntry
from pb.models.mail import OutboxMessage
from pb.models.proposal import Proposal
from pb.models.round import PhaseStart, Round
from pb.models.user import User, UserRole

__all__ = ["AuditEntry", "OutboxMessage", "PhaseStart", "Proposal", "Round", "User", "UserRole"]
