"""Reading pabulib text, or an open file line by line, into an Election."""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from operator import itemgetter

from pb.domain.pabulib.model import (
    POINTS_TYPES,
    SECTIONS,
    SET_TYPES,
    SINK_CHUNK,
    VOTE_TYPES,
    Election,
    PabulibError,
    Project,
    Sink,
    Vote,
    parse_number,
)


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

def read_pabulib(source: str | Iterable[str], *, sink: Sink | None = None) -> Election:
    """Parse pabulib text (or lines) into an Election; raise PabulibError naming the line.

    Given lines (an open file, say), the VOTES section is read as it comes, one row at a time,
    so a big file is never held whole in memory. With `sink`, the votes are not kept either:
    they are handed to `sink(election, votes)` SINK_CHUNK at a time as they are read (with
    META, PROJECTS and the VOTES header already read), and `votes` of the result stays empty.
    """
    # Parsing allocates hundreds of thousands of small acyclic objects; the cycle collector
    # would rescan them over and over (a third of the time on big files) for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(source, sink) if isinstance(source, str) else _read_stream(source, sink)
    finally:
        if enabled:
            gc.enable()


def _newline(source: str) -> str:
    crlf = source.count("\r\n")
    return "\r\n" if crlf * 2 > source.count("\n") else "\n"


def _read(source: str, sink: Sink | None = None) -> Election:
    newline = _newline(source)
    final_newline = source.endswith(("\n", "\r"))
    lines = _split_lines(source)
    sections = _sections(lines, SECTIONS)
    del lines  # the sections hold their rows; the text itself is no longer needed
    meta = _read_meta(*sections["meta"])
    project_columns, projects = _read_projects(*sections["projects"])
    line, header, rows = sections["votes"]
    election = Election(meta, projects, [], project_columns, (),
                        {name: sections[name][0] for name in SECTIONS},
                        vote_header=tuple(header), newline=newline,
                        final_newline=final_newline)
    _read_votes(line, header, rows.rows, rows.line, election, sink)
    return election


def _read_stream(source: Iterable[str], sink: Sink | None = None) -> Election:
    lines = iter(source)
    head: list[str] = []  # the lines before VOTES, as read
    marks: set[str] = set()
    for text in lines:
        name = text.strip().strip(";").lstrip("\ufeff").lower() if len(text) < 16 else ""
        if name == "votes" and marks >= {"meta", "projects"}:
            break
        marks.add(name)
        head.append(text)
    else:  # no VOTES after META and PROJECTS: an unusual order, read it all at once
        return _read("".join(text if text.endswith(("\n", "\r")) else text + "\n"
                             for text in head), sink)
    ends = [text.endswith("\r\n") for text in head]
    newline = "\r\n" if sum(ends) * 2 > len(ends) else "\n"
    sections = _sections(_split_lines(head), ("meta", "projects"))
    meta = _read_meta(*sections["meta"])
    project_columns, projects = _read_projects(*sections["projects"])
    base = len(head) + 1  # the VOTES line
    last: list[str] = []
    reader = csv.reader(_noting_last(lines, last), delimiter=";")

    def rows() -> Iterator[list[str]]:
        try:
            for row in reader:
                if row and not (len(row) == 1 and not row[0].strip()):
                    yield row
        except csv.Error as error:
            raise PabulibError(f"cannot read CSV: {error}", base + reader.line_num) from None

    votes_rows = rows()
    header = [column.strip() for column in next(votes_rows, [])]
    if not header:
        raise PabulibError("section VOTES has no header line", base + 1)
    header_line = base + reader.line_num
    election = Election(meta, projects, [], project_columns, (),
                        {"meta": sections["meta"][0], "projects": sections["projects"][0],
                         "votes": header_line},
                        vote_header=tuple(header), newline=newline)
    _read_votes(header_line, header, votes_rows, lambda _index: base + reader.line_num,
                election, sink)
    election.final_newline = not last or last[0].endswith(("\n", "\r"))
    return election


def _noting_last(lines: Iterator[str], last: list[str]) -> Iterator[str]:
    """Yield `lines`; at the end, leave the last one in `last`."""
    text = ""
    for text in lines:
        yield text
    last.append(text)


def _sections(lines: list[str], wanted: tuple[str, ...]
              ) -> dict[str, tuple[int, list[str], _Rows]]:
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
    for name in wanted:
        if name not in sections:
            raise PabulibError(f"the file has no {name.upper()} section")
    return sections


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
    vote_type = meta.get("vote_type", "approval")
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


def _read_votes(line: int, header: list[str], rows: Iterable[list[str]],
                where: Callable[[int], int], election: Election, sink: Sink | None) -> None:
    """Read the vote rows into `election` (or hand them to `sink`); `where(index)` gives the
    line number of row `index`."""
    meta, projects, warnings = election.meta, election.projects, election.warnings
    for column in ("voter_id", "vote"):
        if column not in header:
            raise PabulibError(f"the VOTES header has no {column!r} column", line)
    vote_type = meta.get("vote_type", "approval")
    with_points = vote_type in POINTS_TYPES
    as_set = vote_type in SET_TYPES
    if with_points and "points" not in header:
        raise PabulibError(f"{vote_type} votes need a 'points' column", line)
    id_at, vote_at = header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if with_points else -1
    rest = [i for i, name in enumerate(header) if i not in (id_at, vote_at, points_at)]
    election.vote_columns = tuple(header[i] for i in rest)
    width = len(header)
    extra = itemgetter(*rest) if len(rest) > 1 else (
        (lambda row: (row[rest[0]],)) if rest else (lambda row: ()))
    # Many voters cast the same ballot: validate each distinct text once.
    checked: dict[str, tuple[str, ...]] = {}
    repeated: set[str] = set()  # vote texts naming a project twice (set ballots only)
    repeated_on: list[int] = []
    # Voter ids seen so far: plain numbers (most files) as bits, the rest in a set. A million
    # ids as strings in a set would take over 100 MB; as bits they take 125 kB.
    seen: set[str] = set()
    numbered = bytearray()
    # Voters' other columns (age, sex...) take few distinct values: share one tuple for each.
    extras: dict[tuple[str, ...], tuple[str, ...]] = {}
    votes = election.votes
    append = votes.append
    new_vote = tuple.__new__  # skips the namedtuple's Python-level __new__
    chunk = SINK_CHUNK if sink is not None else -1
    for index, row in enumerate(rows):
        if len(row) != width:
            _check_width(where(index), row, header, "VOTES")
        voter_id = row[id_at].strip()
        if (voter_id.isascii() and voter_id.isdigit() and len(voter_id) < 9
                and (voter_id[0] != "0" or voter_id == "0")):
            number = int(voter_id)
            at, bit = number >> 3, 1 << (number & 7)
            if at >= len(numbered):
                numbered.extend(bytes(at + 1 - len(numbered) + len(numbered) // 2))
            if numbered[at] & bit:
                raise PabulibError(f"voter id {voter_id!r} appears twice", where(index))
            numbered[at] |= bit
        else:
            if voter_id in seen:
                raise PabulibError(f"voter id {voter_id!r} appears twice", where(index))
            seen.add(voter_id)
        text = row[vote_at]
        chosen = checked.get(text)
        if chosen is None:
            chosen = checked[text] = _check_vote(text, projects, where(index), as_set)
            if as_set and len(chosen) != len(_parts(text)):
                repeated.add(text)
        if repeated and text in repeated:
            repeated_on.append(where(index))
        points = _read_points(row[points_at], len(chosen), where(index)) if with_points \
            else None
        values = extra(row)
        if len(extras) < 100_000:
            values = extras.setdefault(values, values)
        append(new_vote(Vote, (voter_id, chosen, points, values)))
        if len(votes) == chunk and sink is not None:
            sink(election, votes)
            votes = election.votes = []
            append = votes.append
    if sink is not None and votes:
        sink(election, votes)
        election.votes = []
    if repeated_on:
        warnings.append(duplicate_warning(repeated_on))


def duplicate_warning(lines: list[int]) -> str:
    """Say which lines name a project twice in an approval vote, and that it counts once."""
    shown = ", ".join(map(str, lines[:10])) + (f" and {len(lines) - 10} more"
                                                 if len(lines) > 10 else "")
    votes = "vote names" if len(lines) == 1 else f"{len(lines)} votes name"
    return (f"{'line' if len(lines) == 1 else 'lines'} {shown}: the {votes} the same project "
            "twice; each project counts once in an approval vote, as pabutools reads it.")


def _parts(text: str) -> list[str]:
    parts = text.split(",") if text.strip() else []
    if " " in text or "\t" in text:
        parts = [part.strip() for part in parts]
    return parts


def _check_vote(text: str, projects: dict[str, Project], number: int,
                as_set: bool = False) -> tuple[str, ...]:
    parts = _parts(text)
    chosen = tuple(dict.fromkeys(parts)) if as_set else tuple(parts)
    if not projects.keys() >= set(chosen):
        unknown = next(part for part in chosen if part not in projects)
        raise PabulibError(f"the vote names project {unknown!r}, which is not in PROJECTS",
                           number)
    if len(set(chosen)) != len(chosen):
        raise PabulibError("the vote names the same project twice", number)
    # The projects' own id strings, not copies: many distinct votes share them.
    return tuple(projects[part].id for part in chosen)


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
