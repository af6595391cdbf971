"""What happens after the count: certifying it, departing from it, delivering what it funded."""

from __future__ import annotations

from collections.abc import Iterable

from pb.domain.errors import N_, UserError

MIN_REASON = 20
DEPARTURES = ("fund", "drop")
IMPLEMENTATION = ("planned", "in_progress", "done", "cancelled")


class OutcomeError(UserError):
    """A certification, departure or update that cannot be recorded, and why."""


def check_departure(action: str, project: str, counted: Iterable[str], reason: str) -> None:
    """Allow funding a project the count did not fund, or dropping one it did, with reasons."""
    funded = set(counted)
    if action not in DEPARTURES:
        raise OutcomeError(N_("Choose whether to fund or to drop the project."),
                           field="action")
    if action == "fund" and project in funded:
        raise OutcomeError(N_("The count already funds this project; only a project it did "
                              "not fund can be funded against the vote."), field="project")
    if action == "drop" and project not in funded:
        raise OutcomeError(N_("The count does not fund this project, so it cannot be "
                              "dropped."), field="project")
    if len(reason.strip()) < MIN_REASON:
        raise OutcomeError(N_("Departing from the vote needs a public reason of at least "
                              "%(n)d characters: residents will read why their vote was "
                              "not followed."), n=MIN_REASON, field="reason")


def funded_after(counted: Iterable[str], departures: Iterable[tuple[str, str]]) -> list[str]:
    """Return what is funded once departures (action, project), in order, are applied."""
    funded = list(counted)
    for action, project in departures:
        if action == "fund" and project not in funded:
            funded.append(project)
        elif action == "drop" and project in funded:
            funded.remove(project)
    return funded


def check_update(status: str, spent_minor: int | None, note: str) -> None:
    """Require a known status, a spend that is not negative, and a reason for cancelling."""
    if status not in IMPLEMENTATION:
        raise OutcomeError(N_("Choose a status from the list."), field="status")
    if spent_minor is not None and spent_minor < 0:
        raise OutcomeError(N_("The amount spent cannot be negative."), field="spent")
    if status == "cancelled" and len(note.strip()) < MIN_REASON:
        raise OutcomeError(N_("Cancelling a funded project needs a public reason of at "
                              "least %(n)d characters."), n=MIN_REASON, field="note")
