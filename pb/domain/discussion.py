"""Rules of a proposal's discussion: stances, lengths, depth, edit window, who may post.

Pure: values in, values out. Services apply these rules to stored comments.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pb.domain.errors import N_, UserError

FOR, AGAINST, QUESTION = "for", "against", "question"
STANCES: tuple[str, ...] = (FOR, AGAINST, QUESTION)

BODY_MAX = 4000
REASON_MIN = 3
REASON_MAX = 300
# Depth 0 is a comment on the proposal; deeper replies would be unreadable on a phone, so a
# reply to a comment at MAX_DEPTH joins the same conversation one level up.
MAX_DEPTH = 2
EDIT_WINDOW = timedelta(minutes=15)

# Per person: at most POST_LIMIT comments in POST_PERIOD, FLAG_LIMIT flags in FLAG_PERIOD.
POST_LIMIT, POST_PERIOD = 5, timedelta(minutes=10)
FLAG_LIMIT, FLAG_PERIOD = 10, timedelta(hours=1)

# Phases in which people may comment; before them the round is not public, after them the
# decision is made and the discussion stays readable as a record.
OPEN_PHASES = frozenset({"proposals", "review", "deliberation", "voting"})
# Proposals that are no longer up for decision keep their discussion, read-only.
CLOSED_STATUSES = frozenset({"withdrawn", "merged"})

_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class DiscussionError(UserError):
    """A comment, flag or moderation step that the discussion rules refuse."""


class DiscussionClosed(DiscussionError):
    """Comments refused because the round's phase has no discussion."""

    kinds = {"phase": "phase"}


def check_stance(stance: str | None) -> str:
    """Return the stance if it is one of the three, else refuse."""
    if stance not in STANCES:
        raise DiscussionError(N_("Choose whether you are for the proposal, against it, or "
                                 "asking a question."), field="stance")
    return stance


def check_body(body: str | None) -> str:
    """Return the comment's text without surrounding blanks; refuse empty or huge text."""
    text = (body or "").strip()
    if not text:
        raise DiscussionError(N_("Write your comment before posting it."), field="body")
    if len(text) > BODY_MAX:
        raise DiscussionError(N_("Your comment is %(length)d characters long; shorten it to "
                                 "at most %(max)d."), field="body", length=len(text),
                              max=BODY_MAX)
    return text


def check_reason(reason: str | None) -> str:
    """Return a flag's or moderator's reason, refusing one that is missing or too long."""
    text = " ".join((reason or "").split())
    if len(text) < REASON_MIN:
        raise DiscussionError(N_("Give a short reason, for example “personal attack”."),
                              field="reason")
    if len(text) > REASON_MAX:
        raise DiscussionError(N_("Keep the reason to at most %(max)d characters."),
                              field="reason", max=REASON_MAX)
    return text


def check_form_key(key: str | None) -> str:
    """Return the form's one-time key, refusing a form that lacks one."""
    if not key or not _FORM_KEY.match(key):
        raise DiscussionError(N_("This form is out of date. Reload the page and post your "
                                 "comment again."))
    return key


def reply_placement(parent_id: int, parent_depth: int,
                    grandparent_id: int | None) -> tuple[int, int]:
    """Return (parent id, depth) for a reply, keeping threads at most MAX_DEPTH deep."""
    if parent_depth >= MAX_DEPTH and grandparent_id is not None:
        return grandparent_id, parent_depth
    return parent_id, parent_depth + 1


def may_edit(created_at: datetime, now: datetime) -> bool:
    """Tell whether a comment written at `created_at` may still be edited at `now`."""
    return now - created_at <= EDIT_WINDOW


def check_open(phase: str, status: str) -> None:
    """Refuse comments on a draft, withdrawn or merged proposal, or in a finished round."""
    if status == "draft":
        raise DiscussionError(N_("This proposal is still a draft; comments open once its "
                                 "authors submit it."))
    if status in CLOSED_STATUSES:
        raise DiscussionError(N_("This proposal was withdrawn or merged into another, so its "
                                 "discussion is closed. You can still read it."))
    if phase not in OPEN_PHASES:
        raise DiscussionClosed(N_("The discussion is closed because the round is in its "
                                  "%(phase)s phase. You can still read what people said."),
                               phase=phase)


def check_rate(recent: int, limit: int, what: str) -> None:
    """Refuse the action when `recent` actions of the kind `what` already reach `limit`."""
    if recent < limit:
        return
    if what == "post":
        raise DiscussionError(N_("You have posted %(num)d comments in the last few minutes. "
                                 "Wait ten minutes, then post again; your text is kept "
                                 "below."), num=recent)
    raise DiscussionError(N_("You have flagged %(num)d comments in the last hour. Wait a "
                             "while before flagging more; moderators are looking at the "
                             "ones you sent."), num=recent)
