"""Who may publish a council's advice, and how far a draft has got towards publication.

A council's setting says who publishes: its chair, after checking the draft, or a majority of
its current members, each approving the same draft. An approval names the draft it was given
to by the draft's digest, so any later change to the summary or a recommendation sets it
aside. The use case that publishes is `councils.do_publish_advice`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pb.domain import council as rules
from pb.models import AdviceApproval, Referral, User
from pb.models.base import utcnow


@dataclass
class Publication:
    """Who may publish a draft, and how far it has got: under the chair rule the chair's
    confirmation publishes it; under the majority rule each current member approves, and the
    approval that makes a majority publishes it."""

    rule: str
    digest: str  # of the draft as it stands: what a confirmation or an approval is for
    chair: User | None  # the council's chair, while serving on it
    members: int  # current members
    needed: int  # confirmations or approvals that publish the advice
    approved: list[AdviceApproval]  # by current members, of this very draft
    earlier: list[AdviceApproval]  # by current members, of an earlier version of the draft

    def may_publish(self, user: User | None) -> bool:
        """Tell whether `user`'s confirmation publishes the advice now."""
        if user is None or not user.is_authenticated:
            return False
        if self.rule == rules.CHAIR:
            return self.chair is not None and self.chair.id == user.id
        return not self.has_approved(user) and len(self.approved) + 1 >= self.needed

    def has_approved(self, user: User | None) -> bool:
        """Tell whether `user` has approved this very draft."""
        return user is not None and any(a.user_id == user.id for a in self.approved)


def draft_digest(referral: Referral) -> str:
    """Return the SHA-256 of the draft as it stands (summary and recommendations, in every
    language: a change to the Welsh text alone sets earlier approvals aside too)."""
    return rules.draft_digest(referral.summary, ((r.number, r.text, r.rationale)
                                                 for r in referral.recommendations),
                              draft_translations(referral))


def draft_translations(referral: Referral) -> dict[str, Any]:
    """Return the draft's texts in languages other than its own, as the digest covers them
    (empty when there are none)."""
    summary = {lang: fields["summary"] for lang, fields in (referral.translations or {}).items()
               if fields.get("summary")}
    recs = {str(r.number): r.translations for r in referral.recommendations if r.translations}
    found: dict[str, Any] = {}
    if summary:
        found["summary"] = summary
    if recs:
        found["recommendations"] = recs
    return found


def publication(referral: Referral, today: date | None = None) -> Publication:
    """Return who may publish the referral's draft and the approvals it has."""
    council = referral.council
    today = today or utcnow().date()
    serving = {m.user_id for m in council.members if m.serves_on(today)}
    digest = draft_digest(referral)
    chair = council.chair if council.chair_id in serving else None
    approvals = [a for a in referral.approvals if a.user_id in serving]
    majority = council.publish_rule == rules.MAJORITY
    return Publication(
        rule=council.publish_rule, digest=digest, chair=chair, members=len(serving),
        needed=rules.majority_of(len(serving)) if majority else 1,
        approved=[a for a in approvals if a.draft_sha256 == digest],
        earlier=[a for a in approvals if a.draft_sha256 != digest])
