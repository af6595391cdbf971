"""Discussion of proposals: post, reply, edit, flag, hide and show again; then broadcast."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pb.broadcast import events
from pb.domain import discussion as rules
from pb.domain.discussion import DiscussionError
from pb.domain.errors import N_
from pb.domain.roles import ADMIN, OFFICER
from pb.domain.values import is_id
from pb.extensions import db
from pb.models import Comment, Flag, ModerationAction, Proposal, User
from pb.models.base import utcnow
from pb.services import audit, on_commit, rounds, unit_of_work
from pb.services.notifications import announce

HIDE, UNHIDE = "hide", "unhide"


@dataclass
class PostData:
    """What a person sends to post a comment or a reply."""

    stance: str | None
    body: str | None
    form_key: str | None
    parent_id: int | None = None


@dataclass
class Node:
    """One comment as a viewer sees it, with its replies."""

    comment: Comment
    show_body: bool  # False for a hidden comment shown to someone who may not read it
    own: bool
    can_edit: bool
    replies: list[Node] = field(default_factory=list)


def may_moderate(user: User | None) -> bool:
    """Tell whether `user` moderates discussions (officers and admins)."""
    return bool(user is not None and user.is_authenticated and user.has_role(OFFICER))


def get_proposal(proposal_id: int, viewer: User | None) -> Proposal | None:
    """Return the proposal if `viewer` may read its discussion (drafts are private)."""
    proposal = db.session.get(Proposal, proposal_id) if is_id(proposal_id) else None
    if proposal is None or rounds.get_round(proposal.round_id, viewer) is None:
        return None
    if proposal.status == "draft" and not (
            may_moderate(viewer) or (viewer is not None and viewer.id == proposal.author_id)):
        return None
    return proposal


def get_comment(comment_id: int, viewer: User | None) -> Comment | None:
    """Return the comment if `viewer` may see the proposal it belongs to."""
    comment = db.session.get(Comment, comment_id) if is_id(comment_id) else None
    if comment is None or get_proposal(comment.proposal_id, viewer) is None:
        return None
    return comment


def find_comment(comment_id: int) -> Comment | None:
    """Return the comment with this id, if any, without asking who may see it (e.g. the
    comment a refused reply was answering, to show the form again)."""
    return db.session.get(Comment, comment_id) if is_id(comment_id) else None


def counts(proposal_id: int) -> dict[str, int]:
    """Return how many visible comments take each stance."""
    rows = db.session.execute(
        sa.select(Comment.stance, sa.func.count()).where(
            Comment.proposal_id == proposal_id, Comment.hidden_at.is_(None))
        .group_by(Comment.stance)).all()
    found = {stance: n for stance, n in rows}
    return {stance: found.get(stance, 0) for stance in rules.STANCES}


def thread(proposal: Proposal, viewer: User | None) -> list[Node]:
    """Return the proposal's comments as a tree, oldest first, as `viewer` may see them."""
    comments = db.session.scalars(
        sa.select(Comment).where(Comment.proposal_id == proposal.id)
        .order_by(Comment.created_at, Comment.id)).all()
    moderator = may_moderate(viewer)
    now = utcnow()
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in comments:
        own = viewer is not None and comment.author_id == viewer.id
        node = Node(comment, show_body=not comment.hidden or own or moderator, own=own,
                    can_edit=own and not comment.hidden and
                    rules.may_edit(comment.created_at, now))
        nodes[comment.id] = node
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(node)
    return roots


def is_open(proposal: Proposal) -> bool:
    """Tell whether people may comment on the proposal now."""
    try:
        rules.check_open(proposal.round.phase, proposal.status)
    except DiscussionError:
        return False
    return True


def _recent(column: sa.ColumnElement, user_column: sa.ColumnElement, user: User,
            since: datetime) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(
        user_column == user.id, column >= since)) or 0


def _replayed(author: User, key: str | None) -> Comment | None:
    if not key:
        return None
    existing = db.session.scalar(sa.select(Comment).where(Comment.form_key == key))
    if existing is not None and existing.author_id != author.id:
        raise DiscussionError(N_("This form is out of date. Reload the page and post your "
                                 "comment again."))
    return existing


def check_post(author: User, proposal: Proposal,
               data: PostData) -> tuple[Comment | None, int, int | None]:
    """Refuse a comment that breaks a rule; return (replayed comment, depth, parent id)."""
    replayed = _replayed(author, data.form_key)
    if replayed is not None:
        return replayed, replayed.depth, replayed.parent_id
    rules.check_form_key(data.form_key)
    rules.check_open(proposal.round.phase, proposal.status)
    depth, parent_id = 0, None
    if data.parent_id is not None:
        parent = db.session.get(Comment, data.parent_id) if is_id(data.parent_id) else None
        if parent is None or parent.proposal_id != proposal.id:
            raise DiscussionError(N_("The comment you are replying to no longer exists. "
                                     "Post your reply as a new comment instead."))
        if parent.hidden:
            raise DiscussionError(N_("A moderator hid the comment you are replying to, so it "
                                     "cannot take replies. Post a new comment instead."))
        parent_id, depth = rules.reply_placement(parent.id, parent.depth, parent.parent_id)
    rules.check_stance(data.stance)
    rules.check_body(data.body)
    rules.check_rate(_recent(Comment.created_at, Comment.author_id, author,
                             utcnow() - rules.POST_PERIOD), rules.POST_LIMIT, "post")
    return None, depth, parent_id


def do_post(author: User, proposal: Proposal, data: PostData) -> tuple[Comment, bool]:
    """Post a comment or reply once per form; return it and whether it is new.

    Sending the same form again (a double click, a reload) returns the first comment.
    """
    try:
        with unit_of_work():
            return _post(author, proposal, data)
    except IntegrityError:  # the same form, sent twice at once: the other request won
        return _replayed(author, data.form_key) or _fail_replay(), False


def _post(author: User, proposal: Proposal, data: PostData) -> tuple[Comment, bool]:
    replayed, depth, parent_id = check_post(author, proposal, data)
    if replayed is not None:
        return replayed, False
    comment = Comment(proposal_id=proposal.id, author_id=author.id, parent_id=parent_id,
                      depth=depth, stance=data.stance, body=rules.check_body(data.body),
                      form_key=data.form_key, created_at=utcnow())
    db.session.add(comment)
    db.session.flush()
    _recount(proposal)
    audit.record(author, "comment.posted", "comment", comment.id, proposal=proposal.id)
    announce.comment_posted(author, comment, proposal)
    on_commit(events.comment_added, comment, counts(proposal.id))
    return comment, True


def _fail_replay() -> Comment:
    raise DiscussionError(N_("This form is out of date. Reload the page and post your "
                             "comment again."))


def check_edit(author: User, comment: Comment) -> None:
    """Refuse an edit by someone else, of a hidden comment, or after the edit window."""
    if comment.author_id != author.id:
        raise DiscussionError(N_("Only the person who wrote a comment can edit it."))
    if comment.hidden:
        raise DiscussionError(N_("A moderator hid this comment, so it cannot be edited."))
    if not rules.may_edit(comment.created_at, utcnow()):
        raise DiscussionError(N_("Comments can be edited for %(minutes)d minutes after "
                                 "posting. Post a new reply to add to what you said."),
                              minutes=int(rules.EDIT_WINDOW.total_seconds() // 60))
    rules.check_open(comment.proposal.round.phase, comment.proposal.status)


def do_edit(author: User, comment: Comment, stance: str | None, body: str | None) -> Comment:
    """Change a comment's text and stance within the edit window, marking it edited."""
    with unit_of_work():
        check_edit(author, comment)
        rules.check_stance(stance)
        text = rules.check_body(body)
        if text == comment.body and stance == comment.stance:
            return comment
        comment.body, comment.stance, comment.edited_at = text, stance, utcnow()
        audit.record(author, "comment.edited", "comment", comment.id)
        on_commit(events.stance_counts, comment.proposal_id, counts(comment.proposal_id))
    return comment


def check_flag(user: User, comment: Comment) -> None:
    """Refuse a flag on one's own comment, on a hidden one, or a second flag by the same person."""
    if comment.author_id == user.id:
        raise DiscussionError(N_("You cannot flag your own comment; edit it instead."))
    if comment.hidden:
        raise DiscussionError(N_("A moderator has already hidden this comment."))
    if db.session.scalar(sa.select(Flag.id).where(Flag.comment_id == comment.id,
                                                  Flag.user_id == user.id)):
        raise DiscussionError(N_("You have already flagged this comment; a moderator will "
                                 "look at it."))


def do_flag(user: User, comment: Comment, reason: str | None) -> Flag:
    """Record that `user` thinks the comment breaks the rules, for moderators to check."""
    with unit_of_work():
        check_flag(user, comment)
        text = rules.check_reason(reason)
        rules.check_rate(_recent(Flag.created_at, Flag.user_id, user,
                                 utcnow() - rules.FLAG_PERIOD), rules.FLAG_LIMIT, "flag")
        flag = Flag(comment_id=comment.id, user_id=user.id, reason=text, created_at=utcnow())
        db.session.add(flag)
        audit.record(user, "comment.flagged", "comment", comment.id)
    return flag


def check_moderate(moderator: User, comment: Comment, action: str) -> None:
    """Refuse moderation by a non-officer, an unknown action, or one that changes nothing."""
    if not may_moderate(moderator):
        raise DiscussionError(N_("Only officers can hide comments or show them again."))
    if action not in (HIDE, UNHIDE):
        raise DiscussionError(N_("Choose whether to hide the comment or show it again."))
    if (action == HIDE) == comment.hidden:
        raise DiscussionError(N_("This comment is already hidden.") if comment.hidden
                              else N_("This comment is not hidden."))


def do_moderate(moderator: User, comment: Comment, action: str, reason: str | None) -> None:
    """Hide a comment or show it again, with a public reason in the moderation log."""
    with unit_of_work():
        check_moderate(moderator, comment, action)
        text = rules.check_reason(reason)
        now = utcnow()
        if action == HIDE:
            comment.hidden_at, comment.hidden_reason = now, text
            comment.hidden_by_id = moderator.id
            _resolve_flags(moderator, comment, now)
        else:
            comment.hidden_at = comment.hidden_reason = comment.hidden_by_id = None
        role = ADMIN if moderator.has_role(ADMIN) and OFFICER not in moderator.role_names \
            else OFFICER
        db.session.add(ModerationAction(comment_id=comment.id, action=action, reason=text,
                                        moderator_id=moderator.id, moderator_role=role, at=now))
        db.session.flush()
        _recount(comment.proposal)
        audit.record(moderator, f"comment.{action}", "comment", comment.id, reason=text)
        if action == HIDE:
            on_commit(events.comment_hidden, comment, counts(comment.proposal_id))
        else:
            on_commit(events.stance_counts, comment.proposal_id, counts(comment.proposal_id))


def _resolve_flags(moderator: User, comment: Comment, now: datetime) -> int:
    """Mark the comment's open flags as dealt with by `moderator`; return how many."""
    return db.session.execute(sa.update(Flag).where(
        Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by_id=moderator.id)).rowcount


def do_dismiss_flags(moderator: User, comment: Comment) -> int:
    """Mark a comment's open flags as looked at without hiding it; return how many."""
    with unit_of_work():
        if not may_moderate(moderator):
            raise DiscussionError(N_("Only officers can hide comments or show them again."))
        done = _resolve_flags(moderator, comment, utcnow())
        audit.record(moderator, "comment.flags_dismissed", "comment", comment.id, flags=done)
    return done


def _recount(proposal: Proposal) -> None:
    """Keep the proposal's count of visible comments, used to sort by "most discussed"."""
    proposal.comment_count = db.session.scalar(sa.select(sa.func.count()).where(
        Comment.proposal_id == proposal.id, Comment.hidden_at.is_(None))) or 0


def moderation_log(limit: int = 200) -> list[ModerationAction]:
    """Return the public moderation log, newest first."""
    return list(db.session.scalars(sa.select(ModerationAction)
                                   .order_by(ModerationAction.id.desc()).limit(limit)))


def open_flags() -> list[tuple[Comment, list[Flag]]]:
    """Return the comments with flags no moderator has dealt with yet, oldest flag first."""
    flags = db.session.scalars(sa.select(Flag).where(Flag.resolved_at.is_(None))
                               .order_by(Flag.created_at, Flag.id)).all()
    grouped: dict[int, tuple[Comment, list[Flag]]] = {}
    for flag in flags:
        grouped.setdefault(flag.comment_id, (flag.comment, []))[1].append(flag)
    return list(grouped.values())


def flags_of(comment: Comment) -> list[Flag]:
    """Return every flag raised on the comment, oldest first."""
    return list(db.session.scalars(sa.select(Flag).where(Flag.comment_id == comment.id)
                                   .order_by(Flag.id)))
