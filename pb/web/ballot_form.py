"""Read a ballot from a submitted form, for every method; the domain decides if it is valid.

Field names: approval and knapsack send `pick` once per chosen project; cumulative and scoring
send `points-<id>`; ranked sends `rank-<id>`. Every such field is passed on, including ones for
projects that are not on the ballot, so a forged field is refused by the rules, not ignored.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

PICKS = ("approval", "knapsack")
PREFIX = {"cumulative": "points-", "scoring": "points-", "ranked": "rank-"}
MAX_FIELDS = 2000  # more fields than any ballot has: refuse rather than parse a flood


def read_items(method: str, form: MultiDict[str, str]) -> Any:
    """Return the raw choices in a form, as `pb.domain.ballots.check_ballot` takes them."""
    if len(form) > MAX_FIELDS:
        return None  # refused by the rules as "not a list of projects"
    if method in PICKS:
        return form.getlist("pick")
    prefix = PREFIX.get(method, "points-")
    return {name[len(prefix):]: value for name, value in form.items(multi=False)
            if name.startswith(prefix)}


def form_values(method: str, items: Any) -> dict[str, Any]:
    """Return what each project's field should show for a stored ballot (to pre-fill forms)."""
    if not items:
        return {}
    if method in PICKS:
        return dict.fromkeys(items, True)
    if method == "ranked":
        return {pid: rank for rank, pid in enumerate(items, start=1)}
    return dict(items)


def hidden_fields(method: str, items: Any) -> list[tuple[str, str]]:
    """Return the form fields that submit a stored ballot again (the review step's form)."""
    if method in PICKS:
        return [("pick", str(pid)) for pid in items]
    prefix = PREFIX.get(method, "points-")
    return [(f"{prefix}{pid}", str(value)) for pid, value in form_values(method, items).items()]
