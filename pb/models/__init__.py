"""Typed SQLAlchemy models, one module per aggregate; importing this registers them all.

Models hold data and small derived properties; rules live in `pb.domain`, use cases in
`pb.services`. They may import `pb.extensions` (the `db` object) and `pb.domain`; every
layer above may read them, and only services write them.
"""

from pb.models.audit import AuditEntry
from pb.models.ballot import Ballot, BallotSubmission, TallyRun
from pb.models.comment import Comment, Flag, ModerationAction
from pb.models.council import (
    AdviceApproval,
    Council,
    CouncilMember,
    Recommendation,
    Referral,
    Response,
)
from pb.models.decision import Certification, Departure, ImplementationUpdate
from pb.models.live import LiveItem, LiveParticipant, LiveQuestion, LiveSession, LiveUpvote
from pb.models.mail import OutboxMessage
from pb.models.notification import Follow, Notification, NotificationPreference, WorkerJob
from pb.models.picture import Paper, ProposalPicture
from pb.models.proposal import Proposal
from pb.models.proposal_history import ProposalCoauthor, ProposalEvent, ProposalRevision
from pb.models.record import RecordEntry
from pb.models.round import PhaseStart, Round
from pb.models.site_page import SitePage
from pb.models.sortition import Recruitment, SeedEntry, Volunteer
from pb.models.user import AccountSession, RecoveryCode, User, UserRole
from pb.models.voting import AccessCode, CensusEntry, PaperBatch, PaperEntry

__all__ = ["AuditEntry", "Ballot", "OutboxMessage", "PhaseStart", "Proposal",
           "ProposalCoauthor", "ProposalEvent", "ProposalRevision", "Round",
           "TallyRun", "User", "UserRole",
           "AdviceApproval", "Council", "CouncilMember", "RecordEntry", "Recommendation",
           "Referral", "Response",
           "Comment", "Flag", "ModerationAction",
           "Certification", "Departure", "ImplementationUpdate",
           "BallotSubmission", "AccessCode", "CensusEntry", "PaperBatch", "PaperEntry",
           "LiveItem", "LiveParticipant", "LiveQuestion", "LiveSession", "LiveUpvote",
           "Recruitment", "SeedEntry", "Volunteer", "RecoveryCode", "AccountSession", "SitePage",
           "Paper", "ProposalPicture",
           "Follow", "Notification", "NotificationPreference", "WorkerJob"]
