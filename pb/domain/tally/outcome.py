"""What a count returns: the selection, its order, and an explanation for every project."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pb.domain.pabulib import format_number

Explanation = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """The result of a count.

    `selected` lists the funded project ids in the order of the projects list;
    `selection_order` in the order the rule funded them. `projects` maps every project id to
    its explanation: `status` ("funded", "not_funded" or "below_threshold"), a `reason` code,
    the numbers behind it (money as exact Fractions) and a `sentence`.
    """

    rule: str
    selected: tuple[str, ...]
    selection_order: tuple[str, ...]
    budget: Fraction
    budget_used: Fraction
    projects: dict[str, Explanation]
    currency: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the outcome as JSON-ready data (money as numbers or exact decimal strings)."""
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "selection_order": list(self.selection_order),
            "budget": json_number(self.budget),
            "budget_used": json_number(self.budget_used),
            "currency": self.currency,
            "details": {k: _json(v) for k, v in self.details.items()},
            "projects": {pid: {k: _json(v) for k, v in e.items()}
                         for pid, e in self.projects.items()},
        }


def json_number(value: int | Fraction) -> int | str:
    """Return an int when `value` is whole, else an exact decimal string (or "p/q")."""
    value = Fraction(value)
    if value.denominator == 1:
        return value.numerator
    if _terminates(value.denominator):  # else format_number would try 60 digits in vain
        with suppress(ValueError):
            return format_number(value)
    return f"{value.numerator}/{value.denominator}"


def _terminates(denominator: int) -> bool:
    """Tell whether 1/denominator has a finite decimal form (only 2s and 5s divide it)."""
    denominator >>= (denominator & -denominator).bit_length() - 1
    while denominator % 5 == 0:
        denominator //= 5
    return denominator == 1


def _json(value: Any) -> Any:
    if isinstance(value, Fraction):
        return json_number(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def money(value: int | Fraction, currency: str) -> str:
    """Write an amount simply for a sentence: "40000 PLN", "12.5 EUR", "about 33.33 EUR"."""
    value = Fraction(value)
    if value.denominator == 1:
        text = str(value.numerator)
    else:
        text = f"about {float(value):.2f}"
        if _terminates(value.denominator):
            with suppress(ValueError):  # more than 60 decimals: keep "about"
                text = format_number(value)
    return f"{text} {currency}".strip()


def count(value: int | Fraction) -> str:
    """Write a count of votes or points for a sentence."""
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
