"""Read and write pabulib `.pb` files: META, PROJECTS and VOTES sections, `;`-separated CSV.

The format is described at https://pabulib.org/format. Everything stays exact: costs, budgets
and points are `Fraction`s (integers in practice), never floats. Columns we do not interpret are
kept as text, so reading a file and writing it back loses nothing that matters.

Pure: the reader takes the text (or its lines) and the writer returns text; opening files is the
caller's business.
"""

from __future__ import annotations

import csv
import gc
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from operator import itemgetter
from typing import NamedTuple

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINTS_TYPES = ("cumulative", "scoring")
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


def _points(text: str) -> Fraction | int:
    # Points are integers in every known file; int() is much faster than Fraction().
    try:
        return int(text)
    except ValueError:
        return Fraction(text.strip().replace(",", "."))


def _split_lines(source: str | Iterable[str]) -> list[str]:
    if isinstance(source, str):
        text = source.lstrip("\ufeff")
        # Files mix CRLF and LF; a bare CR is treated as a line break too.
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip("\r\n") for line in source]
    if lines:
        lines[0] = lines[0].lstrip("\ufeff")
    return lines


def read_pabulib(source: str | Iterable[str]) -> Election:
    """Parse pabulib text (or lines) into an Election; raise PabulibError naming the line."""
    # Parsing allocates hundreds of thousands of small acyclic objects; the cycle collector
    # would rescan them over and over (a third of the time on big files) for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(source)
    finally:
        if enabled:
            gc.enable()


def _read(source: str | Iterable[str]) -> Election:
    lines = _split_lines(source)
    # Find the section markers first, then hand each section to the C csv reader in one go:
    # that keeps a 90,000-voter file well under half a second.
    marks: list[tuple[str, int]] = []
    for index, text in enumerate(lines):
        if len(text) < 12 and text.strip().strip(";").lower() in SECTIONS:
            name = text.strip().strip(";").lower()
            if any(name == seen for seen, _ in marks):
                raise PabulibError(f"section {name.upper()} appears twice", index + 1)
            marks.append((name, index))
    if not marks:
        raise PabulibError("the file has no META, PROJECTS or VOTES section")
    first = next((i for i, text in enumerate(lines) if text.strip()), len(lines))
    if first < marks[0][1]:
        raise PabulibError("expected META, PROJECTS or VOTES before any data", first + 1)
    sections: dict[str, tuple[int, list[str], _Rows]] = {}
    for position, (name, index) in enumerate(marks):
        stop = marks[position + 1][1] if position + 1 < len(marks) else len(lines)
        sections[name] = _read_section(name, lines, index + 1, stop)
    for name in SECTIONS:
        if name not in sections:
            raise PabulibError(f"the file has no {name.upper()} section")
    meta = _read_meta(*sections["meta"])
    project_columns, projects = _read_projects(*sections["projects"])
    vote_columns, votes = _read_votes(*sections["votes"], meta=meta, projects=projects)
    return Election(meta, projects, votes, project_columns, vote_columns,
                    {name: sections[name][0] for name in SECTIONS})


class _Rows:
    """The data rows of one section, with a way to find each row's line number."""

    def __init__(self, rows: list[list[str]], numbers: list[int] | None, offset: int) -> None:
        self.rows = rows
        self.numbers = numbers  # only when some row spans several lines
        self.offset = offset

    def line(self, index: int) -> int:
        """Return the 1-based line number of row `index`."""
        return self.numbers[index] if self.numbers is not None else self.offset + index


def _read_section(name: str, lines: list[str], start: int, stop: int
                  ) -> tuple[int, list[str], _Rows]:
    # Skip blank lines before the header; pabutools does the same.
    while start < stop and not lines[start].strip():
        start += 1
    if start >= stop:
        raise PabulibError(f"section {name.upper()} has no header line", start)
    while stop > start and not lines[stop - 1].strip():
        stop -= 1
    chunk = lines[start:stop]
    if not any('"' in text for text in chunk):
        # No quoting anywhere: a plain split gives the same rows as csv, twice as fast.
        header = [column.strip() for column in chunk[0].split(";")]
        rows = [text.split(";") for text in chunk[1:]]
        if all(text.strip() for text in chunk):
            return start + 1, header, _Rows(rows, None, start + 2)
    reader = csv.reader(chunk, delimiter=";")
    try:
        header = [column.strip() for column in next(reader)]
        rows = list(reader)
    except csv.Error as error:
        raise PabulibError(f"cannot read CSV: {error}", start + reader.line_num) from None
    numbers = None
    if reader.line_num != stop - start or any(not row for row in rows):
        # Rare: a quoted field spans lines, or blank lines sit between rows. Re-read slowly.
        reader = csv.reader(lines[start:stop], delimiter=";")
        next(reader)
        rows, numbers = [], []
        for row in reader:
            if row and not (len(row) == 1 and not row[0].strip()):
                rows.append(row)
                numbers.append(start + reader.line_num)
    return start + 1, header, _Rows(rows, numbers, start + 2)


def _read_meta(line: int, header: list[str], rows: _Rows) -> dict[str, str]:
    if [h.lower() for h in header[:2]] != ["key", "value"]:
        raise PabulibError("META must start with the header 'key;value'", line)
    meta: dict[str, str] = {}
    for index, row in enumerate(rows.rows):
        if len(row) != 2:
            raise PabulibError(f"META lines need 2 fields (key;value), found {len(row)}",
                               rows.line(index))
        key = row[0].strip()
        if key in meta:
            raise PabulibError(f"META key {key!r} appears twice", rows.line(index))
        meta[key] = row[1].strip()
    if "budget" not in meta:
        raise PabulibError("META has no 'budget'", line)
    budget = parse_number(meta["budget"], "budget", line)
    if budget < 0:
        raise PabulibError("the budget cannot be negative", line)
    vote_type = meta.setdefault("vote_type", "approval")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(f"unknown vote_type {vote_type!r} (expected one of "
                           f"{', '.join(VOTE_TYPES)})", line)
    return meta


def _check_width(number: int, row: list[str], header: list[str], section: str) -> None:
    if len(row) != len(header):
        raise PabulibError(f"{section} lines need {len(header)} fields like the header, "
                           f"found {len(row)}", number)


def _read_projects(line: int, header: list[str], rows: _Rows
                   ) -> tuple[tuple[str, ...], dict[str, Project]]:
    for column in ("project_id", "cost"):
        if column not in header:
            raise PabulibError(f"the PROJECTS header has no {column!r} column", line)
    id_at, cost_at = header.index("project_id"), header.index("cost")
    others = [(i, name) for i, name in enumerate(header) if i not in (id_at, cost_at)]
    projects: dict[str, Project] = {}
    for index, row in enumerate(rows.rows):
        number = rows.line(index)
        _check_width(number, row, header, "PROJECTS")
        project_id = row[id_at].strip()
        if not project_id:
            raise PabulibError("a project has an empty project_id", number)
        if project_id in projects:
            raise PabulibError(f"project id {project_id!r} appears twice", number)
        cost = parse_number(row[cost_at], "cost", number)
        if cost < 0:
            raise PabulibError(f"project {project_id!r} has a negative cost", number)
        projects[project_id] = Project(project_id, cost, {n: row[i].strip() for i, n in others})
    return tuple(header), projects


def _read_votes(line: int, header: list[str], rows: _Rows, *,
                meta: dict[str, str], projects: dict[str, Project]
                ) -> tuple[tuple[str, ...], list[Vote]]:
    for column in ("voter_id", "vote"):
        if column not in header:
            raise PabulibError(f"the VOTES header has no {column!r} column", line)
    with_points = meta["vote_type"] in POINTS_TYPES
    if with_points and "points" not in header:
        raise PabulibError(f"{meta['vote_type']} votes need a 'points' column", line)
    id_at, vote_at = header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if with_points else -1
    rest = [i for i, name in enumerate(header) if i not in (id_at, vote_at, points_at)]
    columns = tuple(header[i] for i in rest)
    width = len(header)
    extra = itemgetter(*rest) if len(rest) > 1 else (
        (lambda row: (row[rest[0]],)) if rest else (lambda row: ()))
    # Many voters cast the same ballot: validate each distinct text once.
    checked: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    votes: list[Vote] = []
    append = votes.append
    new_vote = tuple.__new__  # skips the namedtuple's Python-level __new__
    for index, row in enumerate(rows.rows):
        if len(row) != width:
            _check_width(rows.line(index), row, header, "VOTES")
        voter_id = row[id_at].strip()
        if voter_id in seen:
            raise PabulibError(f"voter id {voter_id!r} appears twice", rows.line(index))
        seen.add(voter_id)
        text = row[vote_at]
        chosen = checked.get(text)
        if chosen is None:
            chosen = checked[text] = _check_vote(text, projects, rows.line(index))
        points = _read_points(row[points_at], len(chosen), rows.line(index)) if with_points \
            else None
        append(new_vote(Vote, (voter_id, chosen, points, extra(row))))
    return columns, votes


def _check_vote(text: str, projects: dict[str, Project], number: int) -> tuple[str, ...]:
    parts = text.split(",") if text.strip() else []
    if " " in text or "\t" in text:
        parts = [part.strip() for part in parts]
    chosen = tuple(parts)
    if not projects.keys() >= set(chosen):
        unknown = next(part for part in chosen if part not in projects)
        raise PabulibError(f"the vote names project {unknown!r}, which is not in PROJECTS",
                           number)
    if len(set(chosen)) != len(chosen):
        raise PabulibError("the vote names the same project twice", number)
    return chosen


def _read_points(text: str, count: int, number: int) -> tuple[Fraction | int, ...]:
    parts = text.split(",") if text.strip() else []
    if len(parts) != count:
        raise PabulibError(f"the vote names {count} projects but gives {len(parts)} points", number)
    try:
        points = tuple(_points(part) for part in parts)
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"points {text!r} are not numbers", number) from None
    if any(value < 0 for value in points):
        raise PabulibError("points cannot be negative", number)
    return points


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


def write_pabulib(election: Election, *, shuffle: random.Random | int | None = None) -> str:
    """Return `election` as pabulib text (LF line ends).

    With `shuffle` (a `random.Random` or a seed), voters are written in a shuffled order with ids
    replaced by 1, 2, 3, ..., so the published file cannot be matched to the order of voting.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    # META is written as given (some published files' counts disagree with their rows, and a
    # round trip must not change them); an export sets num_projects / num_votes itself.
    for key, value in election.meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    columns = list(election.project_columns) or ["project_id", "cost"]
    for project in election.projects.values():
        for name in project.fields:
            if name not in columns:
                columns.append(name)
    writer.writerow(columns)
    for project in election.projects.values():
        values = {**project.fields, "project_id": project.id, "cost": format_number(project.cost)}
        writer.writerow([values.get(name, "") for name in columns])
    out.write("VOTES\n")
    with_points = election.vote_type in POINTS_TYPES
    header = ["voter_id", "vote"] + (["points"] if with_points else [])
    writer.writerow(header + list(election.vote_columns))
    votes = list(election.votes)
    if shuffle is not None:
        rng = shuffle if isinstance(shuffle, random.Random) else random.Random(shuffle)
        rng.shuffle(votes)
        votes = [vote._replace(voter_id=str(i)) for i, vote in enumerate(votes, 1)]
    for vote in votes:
        row = [vote.voter_id, ",".join(vote.projects)]
        if with_points:
            row.append(",".join(format_number(p) for p in vote.points or ()))
        writer.writerow(row + list(vote.extra))
    return out.getvalue()
