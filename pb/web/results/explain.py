"""Say in the visitor's language why each project was or was not funded.

The counting rules explain themselves in data (a reason code and the numbers behind it);
this turns that data into a sentence through gettext. A reason this module does not know
falls back to the rule's own English sentence, marked as English.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from flask_babel import format_decimal, get_locale, gettext, ngettext
from markupsafe import Markup, escape

from pb.domain.money import format_money, minor_digits


def exact(value: Any) -> Fraction:
    """Read a number from a stored outcome (an int, a decimal string or "p/q")."""
    return Fraction(str(value)) if value is not None else Fraction(0)


def money(value: Any, currency: str) -> str:
    """Format a major-unit amount, rounded to the currency's minor unit."""
    minor = round(exact(value) * 10 ** minor_digits(currency))
    return format_money(minor, currency, locale=str(get_locale() or "en_GB"))


def support(value: Any, points: bool) -> str:
    """Say how much support a project had: "1,234 votes" or "56 points"."""
    amount = exact(value)
    number = format_decimal(amount.numerator) if amount.denominator == 1 \
        else format_decimal(float(amount))
    if points:
        return ngettext("%(count)s point", "%(count)s points", int(amount), count=number)
    return ngettext("%(count)s vote", "%(count)s votes", int(amount), count=number)


def sentence(e: dict[str, Any], rule: str, currency: str, points: bool,
             titles: dict[str, str]) -> Markup:
    """Return why a project was or was not funded, as a sentence in the visitor's language."""
    m = lambda key: money(e.get(key), currency)  # noqa: E731
    reason, family = e.get("reason"), rule.split("+")[0].split("-")[0]
    cost = m("cost")
    known: dict[tuple[str, str], Callable[[], str]] = {
        ("greedy", "funded"): lambda: gettext(
            "Funded: it ranked %(rank)s with %(support)s; %(left)s was left when its turn came "
            "and it costs %(cost)s.", rank=e.get("rank"), support=support(e.get("support"),
                                                                          points),
            left=m("left_when_considered"), cost=cost),
        ("greedy", "did_not_fit"): lambda: gettext(
            "Not funded: %(left)s was left when its turn came and it costs %(cost)s.",
            left=m("left_when_considered"), cost=cost),
        ("greedy", "stopped_count"): lambda: gettext(
            "Not funded: %(left)s was left when its turn came and it costs %(cost)s, so the "
            "count stopped here.", left=m("left_when_considered"), cost=cost),
        ("greedy", "not_reached"): lambda: gettext(
            "Not funded: the count stopped at the first project that did not fit, before "
            "its turn."),
        ("greedy", "below_threshold"): lambda: gettext(
            "Not funded: it had %(support)s, under the minimum of %(threshold)s.",
            support=support(e.get("support"), points),
            threshold=support(e.get("threshold"), points)),
        ("mes", "funded"): lambda: gettext(
            "Funded in round %(round)s of Equal Shares: its %(supporters)s supporters, each "
            "starting with an equal share of %(share)s, bought it for %(cost)s.",
            round=e.get("round"), supporters=format_decimal(e.get("supporters") or 0),
            share=m("voter_share"), cost=cost),
        ("mes", "funded_free"): lambda: gettext("Funded: it costs nothing and has support."),
        ("mes", "funded_by_completion"): lambda: gettext(
            "Funded after Equal Shares, by the greedy completion: %(left)s was left when its "
            "turn came and it costs %(cost)s.", left=m("left_when_considered"), cost=cost),
        ("mes", "zero_utility"): lambda: gettext(
            "Not funded by Equal Shares: with approval ballots a project that costs nothing "
            "counts for nothing."),
        ("mes", "supporters_share_too_small"): lambda: gettext(
            "Not funded: its supporters’ equal shares came to %(held)s in all, less than its "
            "cost of %(cost)s.", held=m("held_at_start"), cost=cost),
        ("mes", "not_chosen"): lambda: gettext(
            "Not funded: when the count ended its supporters still held %(held)s against its "
            "cost of %(cost)s, but other projects were always cheaper per supporter.",
            held=m("held_when_dropped"), cost=cost),
        ("mes", "supporters_money_spent"): lambda: gettext(
            "Not funded: when it was last considered its supporters held %(held)s against its "
            "cost of %(cost)s; their money had gone to %(projects)s.",
            held=m("held_when_dropped"), cost=cost,
            projects=", ".join(f"{titles.get(pid, pid)} ({money(amount, currency)})"
                               for pid, amount in (e.get("spent_on") or {}).items())),
        ("phragmen", "funded"): lambda: gettext(
            "Funded in round %(round)s of Phragmén: its supporters shared its cost.",
            round=e.get("round")),
        ("phragmen", "count_stopped"): lambda: gettext(
            "Not funded: the count stopped when the next project in line did not fit in the "
            "%(left)s left.", left=m("left")),
    }
    if reason == "no_support":
        return escape(gettext("Not funded: nobody supported it."))
    if reason == "costs_more_than_budget":
        return escape(gettext("Not funded: it costs %(cost)s, more than the whole budget.",
                              cost=cost))
    make = known.get((family, reason))
    if make is None:  # a reason we have no translation for: the rule's own words, in English
        return Markup('<span lang="en">%s</span>') % e.get("sentence", "")
    return escape(make())
