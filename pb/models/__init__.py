"""Typed SQLAlchemy models, one module per aggregate; importing this registers them all."""

from pb.models.audit import AuditEntry
from pb.models.ballot import Ballot, TallyRun
from pb.models.council import Council, CouncilMember, Recommendation, Referral, Response
from pb.models.mail import OutboxMessage
from pb.models.proposal import Proposal
from pb.models.record import RecordEntry
from pb.models.round import PhaseStart, Round
from pb.models.user import User, UserRole

__all__ = ["AuditEntry", "Ballot", "OutboxMessage", "PhaseStart", "Proposal", "Round",
           "TallyRun", "User", "UserRole",
           "Council", "CouncilMember", "RecordEntry", "Recommendation", "Referral", "Response"]
