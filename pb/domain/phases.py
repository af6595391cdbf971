"""The phases of a budget round and the rules for moving between them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pb.domain.errors import N_, UserError

PHASES: tuple[str, ...] = (
    "draft", "proposals", "review", "deliberation", "voting", "results", "implementation",
    "closed",
)
PUBLIC_PHASES = PHASES[1:]
MIN_REASON_LENGTH = 10


class PhaseError(UserError):
    """A phase change or schedule that is not allowed, with the reason."""

    kinds = {"later": "phase", "earlier": "phase"}


def index(phase: str) -> int:
    """Return the position of `phase` in the round's life, rejecting unknown names."""
    try:
        return PHASES.index(phase)
    except ValueError:
        raise PhaseError(N_("“%(phase)s” is not a phase of a round."), phase=phase) from None


def next_phase(phase: str) -> str | None:
    """Return the phase after `phase`, or None once the round is closed."""
    i = index(phase)
    return PHASES[i + 1] if i + 1 < len(PHASES) else None


def check_transition(current: str, target: str, reason: str = "") -> None:
    """Allow moving forward (skipping is allowed) or one step back with a stated reason."""
    here, there = index(current), index(target)
    if there == here:
        raise PhaseError(N_("The round is already in this phase."))
    if there < here - 1:
        raise PhaseError(N_("A round can only go back one phase at a time."))
    if there == here - 1 and len(reason.strip()) < MIN_REASON_LENGTH:
        raise PhaseError(N_("Going back a phase needs a public reason of at least "
                            "%(n)d characters."), n=MIN_REASON_LENGTH)


def check_schedule(starts: Mapping[str, datetime | None]) -> None:
    """Require planned phase start times, where given, to follow the phase order."""
    previous: tuple[str, datetime] | None = None
    for phase in PHASES:
        when = starts.get(phase)
        if when is None:
            continue
        if previous and when <= previous[1]:
            raise PhaseError(N_("The %(later)s phase must start after the %(earlier)s phase."),
                             later=phase, earlier=previous[0])
        previous = (phase, when)
    unknown = set(starts) - set(PHASES)
    if unknown:
        raise PhaseError(N_("“%(phase)s” is not a phase of a round."), phase=sorted(unknown)[0])


def due_phase(current: str, starts: Mapping[str, datetime | None], now: datetime) -> str | None:
    """Return the latest phase after `current` whose planned start has passed, if any."""
    due = None
    for phase in PHASES[index(current) + 1:]:
        when = starts.get(phase)
        if when is not None and when <= now:
            due = phase
    return due
