"""The values a pabulib file is read into and written from: meta data, projects, votes.

Numbers stay exact: costs, budgets and points are `Fraction`s (integers in practice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINTS_TYPES = ("cumulative", "scoring")
# Ballots that are sets of projects: a project named twice counts once, as pabutools reads them
# (into a set). Ordinal, cumulative and scoring ballots keep their own rule: twice is an error.
SET_TYPES = ("approval", "choose-1")
SECTIONS = ("meta", "projects", "votes")


class PabulibError(ValueError):
    """A file that is not valid pabulib: says which line and what is wrong."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


class Project(NamedTuple):
    """A project row: its id, its exact cost and the other columns as text."""

    id: str
    cost: Fraction
    fields: dict[str, str]


class Vote(NamedTuple):
    """A ballot row: projects in the order written (a ranking for ordinal ballots).

    `points` is aligned with `projects` for cumulative and scoring ballots, else None.
    `extra` holds the other columns (age, sex, ...) in the order of `Election.vote_columns`.
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Fraction | int, ...] | None
    extra: tuple[str, ...] = ()


@dataclass
class Election:
    """A whole pabulib file: meta data, projects in file order, and votes."""

    meta: dict[str, str]
    projects: dict[str, Project]
    votes: list[Vote]
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()
    _lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # The whole VOTES header in the file's order (voter_id, vote, points and the rest), so a
    # writer can put the columns back where they were; empty: voter_id, vote, points, rest.
    vote_header: tuple[str, ...] = field(default=(), compare=False)
    # "\r\n" when most lines of the file ended so, else "\n".
    newline: str = field(default="\n", compare=False)
    # False when the file's last line had no line end (written back the same way).
    final_newline: bool = field(default=True, compare=False)
    # What the reader accepted but a person should know (a project named twice in a vote...).
    warnings: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def vote_type(self) -> str:
        """Return the ballot kind named in META (approval, choose-1, cumulative, ...)."""
        return self.meta.get("vote_type", "approval")

    @property
    def budget(self) -> Fraction:
        """Return the budget from META, exactly."""
        return parse_number(self.meta.get("budget", "0"))

    @property
    def currency(self) -> str:
        """Return the currency (or unit) named in META; empty when the file names none."""
        return self.meta.get("currency", "")

def parse_number(text: str, what: str = "number", line: int | None = None) -> Fraction:
    """Return `text` ("12", "2532645.83", "12,5") as an exact Fraction, or raise PabulibError."""
    cleaned = text.strip().replace(",", ".")
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"{what} {text!r} is not a number", line) from None


def format_number(value: Fraction | int) -> str:
    """Write an exact number as pabulib does: "12", "2532645.83" (never an exponent)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    whole, rest = divmod(abs(value.numerator), value.denominator)
    digits = []
    for _ in range(60):  # a terminating decimal has at most max(twos, fives) digits
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits.append(str(digit))
        if not rest:
            sign = "-" if value < 0 else ""
            return f"{sign}{whole}.{''.join(digits)}"
    raise ValueError(f"{value} has no exact decimal form")


Sink = Callable[["Election", list[Vote]], None]
SINK_CHUNK = 5000
