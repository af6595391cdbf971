"""Import a pabulib `.pb` file as a round, and export a round's anonymised ballots as one."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from datetime import UTC
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from flask import current_app

from pb.domain import places
from pb.domain.errors import N_
from pb.domain.money import is_currency, minor_digits
from pb.domain.pabulib import (
    Election,
    PabulibError,
    Project,
    Vote,
    format_number,
    parse_number,
    read_pabulib,
    write_pabulib,
)
from pb.domain.rounds import TALLY_RULES
from pb.domain.tally import META_RULES, TallyError, file_rule, parse_rule
from pb.extensions import db
from pb.models import Ballot, Proposal, Round, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, counting, unit_of_work

METHOD_OF_VOTE_TYPE = {"approval": "approval", "choose-1": "approval",
                       "cumulative": "cumulative", "scoring": "scoring", "ordinal": "ranked"}
VOTE_TYPE_OF_METHOD = {"approval": "approval", "knapsack": "approval",
                       "cumulative": "cumulative", "scoring": "scoring", "ranked": "ordinal"}
EXTERNAL_ID_MAX = 64  # Proposal.external_id
VOTER_KEY_MAX = 128  # Ballot.voter_key
# VOTES columns that describe the voter rather than the vote. An export leaves them out unless
# an officer names them (`pb export --keep-voter-columns age,neighborhood`): with the ballot,
# a few of them together can point to one person. Every other column is kept as written.
PERSONAL_VOTE_COLUMNS = ("age", "sex", "gender", "education", "voting_method",
                         "neighborhood", "district", "postcode", "zip_code")
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


def _rule_of(meta: dict[str, str], rule: str | None, warn: Callable[[str], None]) -> str:
    """Return the round's rule: the one the user names, else the file's (greedy when none).

    A file naming a rule we cannot reproduce is refused unless the user names one; its META
    `rule` is kept as written either way.
    """
    written = (meta.get("rule") or "").strip()
    if rule is None:
        try:
            name, completion = file_rule(written)
        except TallyError:
            raise ServiceError(N_("The file's rule “%(rule)s” is not one we can count; name "
                                  "the rule to count with, e.g. --rule greedy (rules: "
                                  "%(rules)s)."), rule=written,
                               rules=", ".join(TALLY_RULES)) from None
    else:
        try:
            name, completion = parse_rule(rule)
        except TallyError as error:
            raise ServiceError(N_("This round cannot be counted: %(why)s"),
                               why=str(error)) from None
        if written and written not in META_RULES:
            warn(f"The file's rule {written!r} is not one pb can count; counting with "
                 f"{rule} as asked. The file's rule stays in its META.")
    return name if completion == "none" else f"{name}+{completion}"


def _ignore(_message: str) -> None:
    pass


def do_import(text: str | Iterable[str], actor: User | None, *, name: str = "",
              currency: str | None = None, rule: str | None = None,
              warn: Callable[[str], None] = _ignore,
              progress: Callable[[int, int | None], None] | None = None) -> Round:
    """Create a round in the results phase from a pabulib file, with its ballots, and count it.

    `text` is the file's text, or its lines (an open file: then it is read as it comes, and
    its ballots are stored as they are read, never all held at once).
    All or nothing: the round is committed only once it has been counted; a file that cannot
    be read, stored or counted leaves the database as it was. `warn` hears what was accepted
    but should be known (a project named twice in an approval vote...); `progress` hears how
    many more ballots have been stored and how many the file's META announces (or None),
    then (0, the number stored) once the whole file is read.
    """
    importing = _Import(actor, name, currency, rule, warn, progress)
    with unit_of_work():
        try:
            election = read_pabulib(text, sink=importing.store)
        except PabulibError as error:
            raise ServiceError(N_("This is not a valid pabulib file: %(why)s"),
                               why=str(error)) from None
        del text  # the caller may still hold it, but we no longer need it
        if progress is not None:
            progress(0, importing.ballots)  # all stored: now the total is known
        round_ = importing.round or importing.start(election)  # its checks come first
        if not importing.ballots:
            raise ServiceError(N_("The file has no votes, so there is nothing to count."))
        for warning in election.warnings:
            warn(warning)
        # Known only once the whole file is read.
        round_.source_format = {**(round_.source_format or {}),
                                "ballot_count": importing.ballots,
                                "final_newline": election.final_newline}
        audit.record(actor, "round.imported", "round", round_.id,
                     projects=len(importing.ids), ballots=importing.ballots,
                     rule=round_.tally_rule)
        counting.do_count(round_)  # a count that fails rolls the whole import back
    return round_


class _Import:
    """One import under way: the round is made when the first votes have been read (META and
    PROJECTS are checked by then), then each chunk of votes is stored as it comes."""

    def __init__(self, actor: User | None, name: str, currency: str | None, rule: str | None,
                 warn: Callable[[str], None],
                 progress: Callable[[int, int | None], None] | None) -> None:
        self.actor, self.name, self.currency, self.rule = actor, name, currency, rule
        self.warn, self.progress = warn, progress
        self.round: Round | None = None
        self.ids: dict[str, str] = {}
        self.ballots = 0
        self.expected: int | None = None
        self.translated: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.now = utcnow().astimezone(UTC).replace(tzinfo=None)  # as UTCDateTime stores it

    def start(self, election: Election) -> Round:
        """Check what the file says about the round, then add the round and its projects."""
        meta = election.meta
        code = (meta.get("currency") or self.currency or CURRENCY_OF_COUNTRY.get(
            meta.get("country", "").strip(), "")).strip().upper()
        if not is_currency(code):
            raise ServiceError(N_("The file names no currency we know (%(code)s); give one, "
                                  "e.g. --currency PLN."), code=code or "none")
        method = METHOD_OF_VOTE_TYPE.get(election.vote_type)
        if method is None:
            raise ServiceError(N_("Votes of type “%(kind)s” cannot be imported."),
                               kind=election.vote_type)
        language = meta.get("language", "").strip().lower()
        language = LANGUAGE_NAMES.get(language, language) if language else None
        round_ = Round(
            title=_title(meta, self.name), area=_area(meta, self.name),
            language=language if language and re.fullmatch(r"[a-z]{2,3}", language) else None,
            description="", budget_minor=_minor(election.budget, code, "The budget"),
            currency=code, ballot_method=method, tally_rule=_rule_of(meta, self.rule, self.warn),
            phase="results", source_meta=dict(meta),
            source_format={"projects": list(election.project_columns),
                           "votes": list(election.vote_header or ()),
                           "vote_columns": list(election.vote_columns),
                           "newline": election.newline,
                           "project_count": len(election.projects),
                           "title": _title(meta, self.name)},
            created_by_id=self.actor.id if self.actor else None)
        if round_.budget_minor <= 0:
            raise ServiceError(N_("The file's budget must be more than zero."))
        db.session.add(round_)
        db.session.flush()
        self.ids = _import_projects(round_, election, code)
        self.round = round_
        announced = meta.get("num_votes", "").strip()
        self.expected = int(announced) if announced.isdigit() else None
        return round_

    def store(self, election: Election, votes: list[Vote]) -> None:
        """Store a chunk of votes (the sink `read_pabulib` hands them to)."""
        round_ = self.round or self.start(election)
        ids, translated = self.ids, self.translated
        extras = bool(election.vote_columns)
        rows = []
        for number, vote in enumerate(votes, self.ballots + 1):
            if vote.points is None:
                items: object = translated.get(vote.projects)
                if items is None:
                    items = translated[vote.projects] = tuple(ids[p] for p in vote.projects)
            else:
                items = {ids[p]: _json_points(x) for p, x in zip(vote.projects, vote.points,
                                                                  strict=True)}
            voter_key = f"import:{vote.voter_id or number}"
            if len(voter_key) > VOTER_KEY_MAX:
                raise ServiceError(N_("Voter id “%(id)s” is longer than %(max)d "
                                      "characters."), id=vote.voter_id,
                                   max=VOTER_KEY_MAX - len("import:"))
            rows.append({"round_id": round_.id, "voter_key": voter_key, "items": items,
                         "source": "import", "source_extra": vote.extra if extras else None,
                         "cast_at": self.now, "updated_at": self.now})
        if len(translated) > _MEMO:
            translated.clear()
        db.session.execute(sa.insert(_BALLOT_ROWS), rows)
        self.ballots += len(rows)
        if self.progress is not None:
            self.progress(len(rows), self.expected)


def _title(meta: dict[str, str], name: str) -> str:
    return meta.get("description") or name or "Imported round"


def _area(meta: dict[str, str], name: str) -> str:
    return " – ".join(v for v in (meta.get("unit"), meta.get("subunit") or
                                  meta.get("district")) if v) or name or "?"


def _project_title(project_id: str, fields: dict[str, str]) -> str:
    return fields.get("name") or f"Project {project_id}"


def _import_projects(round_: Round, election: Election, currency: str) -> dict[str, str]:
    proposals = []
    for project in election.projects.values():
        fields = project.fields
        if len(project.id) > EXTERNAL_ID_MAX:
            raise ServiceError(N_("Project id “%(id)s” is longer than %(max)d "
                                  "characters."), id=project.id,
                               max=EXTERNAL_ID_MAX)
        proposals.append(Proposal(
            round_id=round_.id, external_id=project.id, source_fields=dict(fields),
            title=_project_title(project.id, fields),
            summary=fields.get("description") or fields.get("target") or "",
            cost_minor=_minor(project.cost, currency, f"The cost of project {project.id}"),
            category=fields.get("category") or "", area=round_.area,
            status="feasible", language=round_.language, **places.point_of_columns(fields)))
    db.session.add_all(proposals)
    db.session.flush()
    return {p.external_id: str(p.id) for p in proposals if p.external_id}


class _SharedJSON(sa.types.TypeDecorator[Any]):
    """JSON that serialises a tuple once however often it is bound: many voters cast the same
    ballot, and their other columns (age, sex...) take few values."""

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: sa.Dialect) -> Callable[[Any], Any]:
        process = self.impl_instance.bind_processor(dialect) or (lambda value: value)
        memo: dict[tuple[Any, ...], Any] = {}

        def shared(value: Any) -> Any:
            if not isinstance(value, tuple):
                return process(value)
            done = memo.get(value)
            if done is None:
                if len(memo) > _MEMO:
                    memo.clear()
                done = memo[value] = process(value)
            return done

        return shared


# The ballots table as an import writes it: plain columns, one timestamp for every row.
_BALLOT_ROWS = sa.table("ballots", sa.column("round_id", sa.Integer),
                        sa.column("voter_key", sa.String), sa.column("items", _SharedJSON()),
                        sa.column("source", sa.String),
                        sa.column("source_extra", _SharedJSON()),
                        sa.column("cast_at", sa.DateTime), sa.column("updated_at", sa.DateTime))
_MEMO = 100_000


def _json_points(value: Fraction | int) -> int | str:
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else format_number(value)


def personal_columns(columns: Iterable[str]) -> list[str]:
    """Return the VOTES columns among `columns` that describe the voter (age, sex, ...)."""
    return [c for c in columns if c.strip().lower() in PERSONAL_VOTE_COLUMNS]


def export(round_: Round, *, keep_voter_columns: Iterable[str] = ()) -> str:
    """Return the round as a pabulib file: ballots anonymised and in a shuffled order.

    The shuffle is seeded from the site's secret and the ballots, so the same ballots always
    export to the same file, yet nobody can recover the order in which they were cast.
    An imported round gives back its file: every META key, every project column and every
    VOTES column as written, except the voters' personal columns (PERSONAL_VOTE_COLUMNS),
    which are left out unless named in `keep_voter_columns`. What changed since the import
    (a title, a cost, a place, the rule, ballots) is written as it is now.
    """
    fmt = round_.source_format or {}
    stored_columns = [str(c) for c in fmt.get("vote_columns") or ()]
    keep = {c.strip() for c in keep_voter_columns if c.strip()}
    personal = personal_columns(stored_columns)
    wrong = sorted(keep - set(personal))
    if wrong:
        raise ServiceError(N_("This round's ballots have no personal column %(names)s to keep "
                              "(they have: %(have)s)."), names=", ".join(wrong),
                           have=", ".join(personal) or "none")
    kept = [(i, c) for i, c in enumerate(stored_columns) if c not in personal or c in keep]
    proposals = counting.ballot_proposals(round_)
    ids = {str(p.id): counting.project_id(p) for p in proposals}
    scale = 10 ** minor_digits(round_.currency)
    rows = db.session.execute(sa.select(Ballot.id, Ballot.items, Ballot.source_extra,
                                        Ballot.source).where(
        Ballot.round_id == round_.id).order_by(Ballot.id)).all()
    votes = []
    blank = ("",) * len(kept)
    imported_ballots = 0
    for _id, items, extra, source in rows:
        imported_ballots += source == "import"
        values = tuple(extra[i] if i < len(extra) else "" for i, _ in kept) if extra else blank
        if isinstance(items, dict):
            pairs = [(ids[k], v) for k, v in items.items() if k in ids]
            votes.append(Vote("", tuple(k for k, _ in pairs),
                              tuple(Fraction(v) for _, v in pairs), values))
        else:
            votes.append(Vote("", tuple(ids[k] for k in items if k in ids), None, values))
    unchanged = (round_.source_meta is not None
                 and fmt.get("project_count") == len(proposals)
                 and all(p.source_fields is not None for p in proposals)
                 and fmt.get("ballot_count") == len(rows) == imported_ballots)
    meta = _export_meta(round_, fmt, scale, len(proposals), len(votes), unchanged)
    projects = _export_projects(proposals, scale)
    project_columns = [str(c) for c in fmt.get("projects") or ()] or \
        ["project_id", "cost", "name"] + (["category"] if any(p.category for p in proposals)
                                          else [])
    if any(p.latitude is not None for p in proposals):
        project_columns += [c for c in ("latitude", "longitude") if c not in project_columns]
    seed = hmac.new(current_app.config["SECRET_KEY"].encode(),
                    f"export:{round_.id}:{len(rows)}:{rows[-1][0] if rows else 0}".encode(),
                    hashlib.sha256).hexdigest()
    election = Election(meta, projects, votes, tuple(project_columns),
                        tuple(c for _, c in kept),
                        vote_header=tuple(str(c) for c in fmt.get("votes") or ()),
                        newline=str(fmt.get("newline") or "\n"),
                        final_newline=bool(fmt.get("final_newline", True)))
    return write_pabulib(election, shuffle=int(seed, 16))


def _export_meta(round_: Round, fmt: dict[str, object], scale: int, projects: int, votes: int,
                 unchanged: bool) -> dict[str, str]:
    """Return META: the file's keys as written, with what the round changed since written now."""
    source = round_.source_meta
    if source is None:  # a round run here
        return {"description": round_.title, "unit": round_.area,
                "num_projects": str(projects), "num_votes": str(votes),
                "budget": format_number(Fraction(round_.budget_minor, scale)),
                "vote_type": VOTE_TYPE_OF_METHOD[round_.ballot_method],
                "currency": round_.currency, "rule": _meta_rule(round_.tally_rule)}
    meta = dict(source)
    if round_.title != fmt.get("title", source.get("description")):  # renamed since
        meta["description"] = round_.title
    if not unchanged:  # the file's counts stand (even when wrong) until something changes
        meta["num_projects"] = str(projects)
        meta["num_votes"] = str(votes)
    budget = Fraction(round_.budget_minor, scale)
    try:
        same_budget = parse_number(source.get("budget", "")) == budget
    except PabulibError:
        same_budget = False
    if not same_budget:
        meta["budget"] = format_number(budget)
    written_type = source.get("vote_type", "approval")
    if METHOD_OF_VOTE_TYPE.get(written_type) != round_.ballot_method:
        meta["vote_type"] = VOTE_TYPE_OF_METHOD[round_.ballot_method]
    inferred = CURRENCY_OF_COUNTRY.get(source.get("country", "").strip(), "")
    if (source.get("currency") or inferred).strip().upper() != round_.currency:
        meta["currency"] = round_.currency
    written_rule = (source.get("rule") or "").strip()
    try:
        rule, completion = file_rule(written_rule)
        same_rule = round_.tally_rule == (rule if completion == "none"
                                          else f"{rule}+{completion}")
    except TallyError:
        same_rule = True  # a rule we cannot count stays as the file wrote it
    if not same_rule:
        meta["rule"] = _meta_rule(round_.tally_rule)
    return meta


def _export_projects(proposals: list[Proposal], scale: int) -> dict[str, Project]:
    """Return the projects: an imported one's columns as written, with changes made since."""
    projects = {}
    for p in proposals:
        project_id = counting.project_id(p)
        if p.source_fields is None:
            fields = {"name": p.title}
            if p.category:
                fields["category"] = p.category
        else:
            fields = dict(p.source_fields)
            if p.title != _project_title(project_id, fields):
                fields["name"] = p.title
            if p.category != (fields.get("category") or ""):
                fields["category"] = p.category
        fields.update(places.point_columns(p.latitude, p.longitude, p.source_fields))
        projects[project_id] = Project(project_id, Fraction(p.cost_minor, scale), fields)
    return projects


def _meta_rule(name: str) -> str:
    for meta_name, (rule, completion) in META_RULES.items():
        if name == (rule if completion == "none" else f"{rule}+{completion}"):
            return meta_name
    return name
