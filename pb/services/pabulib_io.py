"""Import a pabulib `.pb` file as a round, and export a round's anonymised ballots as one."""

from __future__ import annotations

import hashlib
import hmac
import re
from fractions import Fraction

import sqlalchemy as sa
from flask import current_app

from pb.domain.errors import N_
from pb.domain.money import is_currency, minor_digits
from pb.domain.pabulib import (
    Election,
    PabulibError,
    Project,
    Vote,
    format_number,
    read_pabulib,
    write_pabulib,
)
from pb.domain.rounds import TALLY_RULES
from pb.domain.tally import META_RULES
from pb.extensions import db
from pb.models import Ballot, Proposal, Round, User
from pb.services import ServiceError, audit, counting, unit_of_work

METHOD_OF_VOTE_TYPE = {"approval": "approval", "choose-1": "approval",
                       "cumulative": "cumulative", "scoring": "scoring", "ordinal": "ranked"}
VOTE_TYPE_OF_METHOD = {"approval": "approval", "knapsack": "approval",
                       "cumulative": "cumulative", "scoring": "scoring", "ranked": "ordinal"}
_CHUNK = 5000
# Some files name their language in words rather than by code.
LANGUAGE_NAMES = {"polish": "pl", "english": "en", "dutch": "nl", "french": "fr",
                  "german": "de", "welsh": "cy"}
# When a file names no currency, its country usually tells (pabulib's own convention).
CURRENCY_OF_COUNTRY = {"Poland": "PLN", "Netherlands": "EUR", "France": "EUR",
                       "Switzerland": "CHF", "US": "USD", "United States": "USD",
                       "United Kingdom": "GBP", "Wales": "GBP", "Germany": "EUR"}


def _minor(value: Fraction, currency: str, what: str) -> int:
    minor = value * 10 ** minor_digits(currency)
    if minor.denominator != 1:
        raise ServiceError(N_("%(what)s (%(value)s) has more decimal places than %(currency)s "
                              "allows."), what=what, value=format_number(value),
                           currency=currency)
    return int(minor)


def _rule_of(meta: dict[str, str]) -> str:
    rule, completion = META_RULES.get((meta.get("rule") or "").strip(), ("greedy", "none"))
    name = rule if completion == "none" else f"{rule}+{completion}"
    return name if name in TALLY_RULES else "greedy"


def do_import(text: str, actor: User | None, *, name: str = "",
              currency: str | None = None) -> Round:
    """Create a round in the results phase from a pabulib file, with its ballots, and count it."""
    try:
        election = read_pabulib(text)
    except PabulibError as error:
        raise ServiceError(N_("This is not a valid pabulib file: %(why)s"),
                           why=str(error)) from None
    meta = election.meta
    code = (meta.get("currency") or currency
            or CURRENCY_OF_COUNTRY.get(meta.get("country", "").strip(), "")).strip().upper()
    if not is_currency(code):
        raise ServiceError(N_("The file names no currency we know (%(code)s); give one, "
                              "e.g. --currency PLN."), code=code or "none")
    method = METHOD_OF_VOTE_TYPE.get(election.vote_type)
    if method is None:
        raise ServiceError(N_("Votes of type “%(kind)s” cannot be imported."),
                           kind=election.vote_type)
    area = " – ".join(v for v in (meta.get("unit"), meta.get("subunit") or
                                  meta.get("district")) if v) or name or "?"
    language = meta.get("language", "").strip().lower()
    language = LANGUAGE_NAMES.get(language, language) if language else None
    round_ = Round(
        title=(meta.get("description") or name or "Imported round")[:200], area=area[:120],
        language=language if language and re.fullmatch(r"[a-z]{2,3}", language) else None,
        description="", budget_minor=_minor(election.budget, code, "The budget"),
        currency=code, ballot_method=method, tally_rule=_rule_of(meta), phase="results",
        source_meta=dict(meta), created_by_id=actor.id if actor else None)
    if round_.budget_minor <= 0:
        raise ServiceError(N_("The file's budget must be more than zero."))
    with unit_of_work():
        db.session.add(round_)
        db.session.flush()
        ids = _import_projects(round_, election, code)
        _import_votes(round_, election, ids)
        audit.record(actor, "round.imported", "round", round_.id, projects=len(ids),
                     ballots=len(election.votes), rule=round_.tally_rule)
    counting.do_count(round_)
    return round_


def _import_projects(round_: Round, election: Election, currency: str) -> dict[str, str]:
    proposals = []
    for project in election.projects.values():
        fields = project.fields
        proposals.append(Proposal(
            round_id=round_.id, external_id=project.id[:64],
            title=(fields.get("name") or f"Project {project.id}")[:200],
            summary=(fields.get("description") or fields.get("target") or "")[:500],
            cost_minor=_minor(project.cost, currency, f"The cost of project {project.id}"),
            category=(fields.get("category") or "")[:80], area=round_.area,
            status="feasible", language=round_.language))
    db.session.add_all(proposals)
    db.session.flush()
    return {p.external_id: str(p.id) for p in proposals}


def _import_votes(round_: Round, election: Election, ids: dict[str, str]) -> None:
    rows = []
    for number, vote in enumerate(election.votes, 1):
        if vote.points is None:
            items: object = [ids[p] for p in vote.projects]
        else:
            items = {ids[p]: _json_points(x) for p, x in zip(vote.projects, vote.points,
                                                              strict=True)}
        rows.append({"round_id": round_.id, "voter_key": f"import:{vote.voter_id or number}",
                     "items": items, "source": "import"})
    for start in range(0, len(rows), _CHUNK):
        db.session.execute(sa.insert(Ballot), rows[start:start + _CHUNK])


def _json_points(value: Fraction | int) -> int | str:
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else format_number(value)


def export(round_: Round) -> str:
    """Return the round as a pabulib file: ballots anonymised and in a shuffled order.

    The shuffle is seeded from the site's secret and the ballots, so the same ballots always
    export to the same file, yet nobody can recover the order in which they were cast.
    """
    proposals = counting.ballot_proposals(round_)
    ids = {str(p.id): counting.project_id(p) for p in proposals}
    scale = 10 ** minor_digits(round_.currency)
    rows = db.session.execute(sa.select(Ballot.id, Ballot.items).where(
        Ballot.round_id == round_.id).order_by(Ballot.id)).all()
    votes = []
    for _id, items in rows:
        if isinstance(items, dict):
            kept = [(ids[k], v) for k, v in items.items() if k in ids]
            votes.append(Vote("", tuple(k for k, _ in kept),
                              tuple(Fraction(v) for _, v in kept)))
        else:
            votes.append(Vote("", tuple(ids[k] for k in items if k in ids), None))
    meta = {**(round_.source_meta or {}),
            "description": round_.title, "unit": round_.area,
            "num_projects": str(len(proposals)), "num_votes": str(len(votes)),
            "budget": format_number(Fraction(round_.budget_minor, scale)),
            "vote_type": VOTE_TYPE_OF_METHOD[round_.ballot_method],
            "currency": round_.currency, "rule": _meta_rule(round_.tally_rule)}
    projects = {counting.project_id(p): Project(
        counting.project_id(p), Fraction(p.cost_minor, scale),
        {"name": p.title, "category": p.category}) for p in proposals}
    seed = hmac.new(current_app.config["SECRET_KEY"].encode(),
                    f"export:{round_.id}:{len(rows)}:{rows[-1][0] if rows else 0}".encode(),
                    hashlib.sha256).hexdigest()
    election = Election(meta, projects, votes, ("project_id", "cost", "name", "category"))
    return write_pabulib(election, shuffle=int(seed, 16))


def _meta_rule(name: str) -> str:
    for meta_name, (rule, completion) in META_RULES.items():
        if name == (rule if completion == "none" else f"{rule}+{completion}"):
            return meta_name
    return name
