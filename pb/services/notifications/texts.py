"""The words of every notification, made when read (the site list, in the reader's language)
or sent (an email, in the recipient's language)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The same words as the round and proposal pages use (pb.i18n.labels), which services may not
# import; the catalogue translates each once.
_PHASES = {
    "draft": _l("Draft"), "proposals": _l("Proposals"), "review": _l("Review"),
    "deliberation": _l("Deliberation"), "voting": _l("Voting"), "results": _l("Results"),
    "implementation": _l("Implementation"), "closed": _l("Closed"),
}
_REVIEWS = {
    "feasible": _l("Feasible"), "adjusted": _l("Feasible at an adjusted cost"),
    "not_feasible": _l("Not feasible"), "merged": _l("Merged into another proposal"),
}
_RESPONSES = {
    "accepted": _l("Accepted"), "partly": _l("Partly accepted"),
    "not_accepted": _l("Not accepted"), "deferred": _l("Deferred"),
}

KIND_LABELS = {
    "phase": _l("A round I follow moves to a new phase"),
    "closing": _l("Voting closes in 24 hours and I have not voted"),
    "results": _l("The results of a round I follow are out"),
    "review": _l("A proposal I follow is reviewed by an officer"),
    "reply": _l("Someone replies to my comment"),
    "referral": _l("A question is referred to my council"),
    "response": _l("The decision body responds to my council's advice"),
}
DELIVERY_LABELS = {
    "immediately": _l("Email at once"),
    "daily": _l("In a daily summary email"),
    "never": _l("No email"),
}


def headline(kind: str, params: dict[str, Any]) -> str:
    """Return the one sentence that says what happened."""
    p = params
    if kind == "phase":
        return _("%(round)s has moved to a new phase: %(phase)s.", round=p["round"],
                 phase=_PHASES.get(p["phase"], p["phase"]))
    if kind == "closing" and p.get("unknown"):  # codes or census: who voted is not known
        return _("Voting in %(round)s closes within 24 hours: vote now if you have not voted "
                 "yet.", round=p["round"])
    if kind == "closing":
        return _("Voting in %(round)s closes within 24 hours, and you have not voted yet.",
                 round=p["round"])
    if kind == "results":
        return _("The results of %(round)s are out.", round=p["round"])
    if kind == "review":
        return _("The proposal “%(proposal)s” was reviewed: %(outcome)s.",
                 proposal=p["proposal"], outcome=_REVIEWS.get(p["outcome"], p["outcome"]))
    if kind == "reply":
        return _("%(name)s replied to your comment on “%(proposal)s”.", name=p["name"],
                 proposal=p["proposal"])
    if kind == "referral":
        return _("A question was referred to %(council)s: %(question)s", council=p["council"],
                 question=p["question"])
    if kind == "response":
        return _("Recommendation %(number)d of %(council)s has a response: %(outcome)s.",
                 number=p["number"], council=p["council"],
                 outcome=_RESPONSES.get(p["outcome"], p["outcome"]))
    return kind


def detail(kind: str, params: dict[str, Any]) -> str:
    """Return what follows the headline: the officer's note, the reply, the reasons."""
    text = {"review": "note", "reply": "excerpt", "response": "reasons"}.get(kind)
    return str(params.get(text) or "") if text else ""
