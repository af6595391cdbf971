"""Rules for proposals: statuses, who may change what and when, revisions, a fair order."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from pb.domain import phases
from pb.domain.errors import N_, UserError
from pb.domain.languages import form_field, unpaired

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 20_000
CHOICE_MAX = 80
NOTE_MAX = 2_000
COAUTHORS_MAX = 5
CHOICES_MAX = 30

# draft → submitted → feasible | not_feasible | merged; withdrawn from draft or submitted.
# "shortlisted" is kept for rounds that short-list feasible proposals before the vote.
STATUSES: tuple[str, ...] = ("draft", "submitted", "feasible", "not_feasible", "merged",
                             "withdrawn", "shortlisted")
# Statuses the public listing shows (a draft is its authors' own business).
PUBLIC_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s != "draft")
# What an officer may decide about a proposal; "adjusted" is feasible at a different cost.
OUTCOMES: tuple[str, ...] = ("feasible", "adjusted", "not_feasible", "merged")
OUTCOME_STATUS = {"feasible": "feasible", "adjusted": "feasible",
                  "not_feasible": "not_feasible", "merged": "merged"}
# Statuses an officer may (re)decide: a submitted proposal, or one decided before.
REVIEWABLE: tuple[str, ...] = ("submitted", "feasible", "not_feasible")
EDITABLE: tuple[str, ...] = ("draft", "submitted")
# Fields a revision compares, in the order a page shows them.
REVISED_FIELDS: tuple[str, ...] = ("title", "summary", "body", "cost_minor", "category",
                                   "area", "language", "place", "latitude", "longitude")
SORTS: tuple[str, ...] = ("random", "newest", "discussed", "cost_low", "cost_high")
# Reviews stop once the ballot is being voted on: what is on it must not change.
REVIEW_UNTIL = phases.index("voting")


class ProposalError(UserError):
    """A proposal change that the rules refuse."""

    kinds = {"phase": "phase"}


def check_can_submit(phase: str) -> None:
    """Refuse new proposals outside the proposals phase."""
    if phase != "proposals":
        raise ProposalError(N_("New proposals are accepted only in the proposals phase; this "
                               "round is in the %(phase)s phase."), phase=phase)


def check_can_edit(phase: str, status: str) -> None:
    """Refuse edits once review has begun, or once the proposal was decided or withdrawn."""
    if phase != "proposals":
        raise ProposalError(N_("Proposals can be changed only in the proposals phase; this "
                               "round is in the %(phase)s phase."), phase=phase)
    if status not in EDITABLE:
        raise ProposalError(N_("This proposal can no longer be changed: it has been reviewed "
                               "or withdrawn."))


def check_can_withdraw(phase: str, status: str, reason: str) -> None:
    """Refuse a withdrawal that comes too late or gives no reason."""
    if status not in EDITABLE or phases.index(phase) >= REVIEW_UNTIL:
        raise ProposalError(N_("This proposal can no longer be withdrawn."))
    if not reason.strip():
        raise ProposalError(N_("Say why you are withdrawing the proposal; the reason is "
                               "shown on its page."), field="reason")
    if len(reason) > NOTE_MAX:
        raise ProposalError(N_("Use at most %(max)d characters."), field="reason",
                            max=NOTE_MAX)


def check_text(title: str, summary: str, body: str) -> None:
    """Refuse an empty title or summary, and text longer than the limits."""
    if not title.strip():
        raise ProposalError(N_("Give the proposal a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ProposalError(N_("Use at most %(max)d characters."), field="title", max=TITLE_MAX)
    if not summary.strip():
        raise ProposalError(N_("Write a short summary of the proposal."), field="summary")
    if len(summary) > SUMMARY_MAX:
        raise ProposalError(N_("Use at most %(max)d characters."), field="summary",
                            max=SUMMARY_MAX)
    if len(body) > BODY_MAX:
        raise ProposalError(N_("Use at most %(max)d characters."), field="body", max=BODY_MAX)


# The texts a proposal holds in each content language (pb.domain.languages).
TEXT_FIELDS: tuple[str, ...] = ("title", "summary", "body")
_TEXT_MAX = {"title": TITLE_MAX, "summary": SUMMARY_MAX, "body": BODY_MAX}
_REQUIRED = {"title": N_("Give the proposal a title in English or Cymraeg."),
             "summary": N_("Write a short summary of the proposal in English or Cymraeg.")}
# What a round published in both languages says of a text written in one language only.
_PAIR = {("title", "en"): N_("Write the title in English too: this round is published in "
                             "both languages."),
         ("title", "cy"): N_("Write the title in Cymraeg too: this round is published in "
                             "both languages."),
         ("summary", "en"): N_("Write the summary in English too: this round is published in "
                               "both languages."),
         ("summary", "cy"): N_("Write the summary in Cymraeg too: this round is published in "
                               "both languages."),
         ("body", "en"): N_("Write the full description in English too: this round is "
                            "published in both languages."),
         ("body", "cy"): N_("Write the full description in Cymraeg too: this round is "
                            "published in both languages.")}


def check_texts(texts: Mapping[str, Mapping[str, str]], both: bool,
                languages: Sequence[str]) -> None:
    """Refuse a proposal's texts by language: too long, no title or summary in any language,
    or, where the round publishes in `both` languages, a text written in one of them only."""
    for lang in languages:
        for name, limit in _TEXT_MAX.items():
            if len(texts.get(lang, {}).get(name, "")) > limit:
                raise ProposalError(N_("Use at most %(max)d characters."),
                                    field=form_field(name, lang), max=limit)
    for name, message in _REQUIRED.items():
        if not any(texts.get(lang, {}).get(name, "").strip() for lang in languages):
            raise ProposalError(message, field=name)
    if both:
        for name, lang in unpaired(texts, TEXT_FIELDS, languages):
            raise ProposalError(_PAIR.get((name, lang), _PAIR[(name, "cy")]),
                                field=form_field(name, lang))


def translation_changes(before: Mapping[str, Mapping[str, str]] | None,
                        after: Mapping[str, Mapping[str, str]] | None
                        ) -> dict[str, dict[str, Any]]:
    """Return {"title_cy": {"before", "after"}} for every translated text that changed."""
    before, after = before or {}, after or {}
    changed = {}
    for lang in sorted({*before, *after}):
        for name in TEXT_FIELDS:
            old = before.get(lang, {}).get(name) or None
            new = after.get(lang, {}).get(name) or None
            if old != new:
                changed[f"{name}_{lang}"] = {"before": old, "after": new}
    return changed


def check_cost(cost_minor: int, budget_minor: int, field: str = "cost") -> None:
    """Refuse a negative cost, or one over the whole budget of the round."""
    if cost_minor < 0:
        raise ProposalError(N_("The cost cannot be negative."), field=field)
    if cost_minor == 0:
        raise ProposalError(N_("Enter an estimated cost of more than zero."), field=field)
    if cost_minor > budget_minor:
        raise ProposalError(N_("The cost cannot be more than the round’s whole budget."),
                            field=field)


def check_choice(value: str, offered: Sequence[str], field: str) -> None:
    """Refuse a category or area that is not on the round's list (any text when no list)."""
    if offered and value not in offered:
        raise ProposalError(N_("Choose one from the list."), field=field)
    if len(value) > CHOICE_MAX:
        raise ProposalError(N_("Use at most %(max)d characters."), field=field, max=CHOICE_MAX)


def check_review(outcome: str, note: str, phase: str, status: str, cost_changed: bool,
                 merged_into: int | None) -> None:
    """Refuse a review decision that is too late, unknown, or lacks what it needs."""
    if phases.index(phase) >= REVIEW_UNTIL or phase == "draft":
        raise ProposalError(N_("Proposals can be reviewed only before voting begins; this "
                               "round is in the %(phase)s phase."), phase=phase)
    if status not in REVIEWABLE:
        raise ProposalError(N_("This proposal cannot be reviewed: it is a draft, withdrawn "
                               "or merged."))
    if outcome not in OUTCOMES:
        raise ProposalError(N_("Choose a decision from the list."), field="outcome")
    if len(note) > NOTE_MAX:
        raise ProposalError(N_("Use at most %(max)d characters."), field="note", max=NOTE_MAX)
    if outcome == "not_feasible" and not note.strip():
        raise ProposalError(N_("Give the public reason why the proposal is not feasible."),
                            field="note")
    if outcome == "adjusted":
        if not cost_changed:
            raise ProposalError(N_("Enter the adjusted cost, different from the estimate."),
                                field="cost")
        if not note.strip():
            raise ProposalError(N_("Explain the adjusted cost in a public note."), field="note")
    if outcome == "merged" and merged_into is None:
        raise ProposalError(N_("Choose the proposal this one is merged into."),
                            field="merged_into")


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return {field: {"before", "after"}} for every revised field whose value changed."""
    return {name: {"before": before.get(name), "after": after.get(name)}
            for name in REVISED_FIELDS if before.get(name) != after.get(name)}


def text_diff(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """Return the lines of a text change as ("removed" | "added" | "same", line) pairs."""
    kinds = {"-": "removed", "+": "added", " ": "same"}
    lines = difflib.ndiff((before or "").splitlines(), (after or "").splitlines())
    return [(kinds[line[0]], line[2:]) for line in lines if line[:1] in kinds]


def order_key(seed: str, proposal_id: int) -> str:
    """Return a proposal's place in one visitor's random order: the same on every visit."""
    return hashlib.sha256(f"{seed}:{proposal_id}".encode()).hexdigest()


def parse_choices(text: str) -> list[str]:
    """Read a list typed one per line (or comma-separated) into distinct, trimmed entries."""
    seen: list[str] = []
    for raw in text.replace(",", "\n").splitlines():
        item = raw.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def check_choices(items: Sequence[str], field: str) -> None:
    """Refuse lists of categories or areas that are too long to offer."""
    if len(items) > CHOICES_MAX:
        raise ProposalError(N_("List at most %(max)d entries."), field=field, max=CHOICES_MAX)
    for item in items:
        if len(item) > CHOICE_MAX:
            raise ProposalError(N_("Keep each entry to at most %(max)d characters."),
                                field=field, max=CHOICE_MAX)
