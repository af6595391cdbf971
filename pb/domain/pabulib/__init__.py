"""Read and write pabulib `.pb` files: META, PROJECTS and VOTES sections, `;`-separated CSV.

The format is described at https://pabulib.org/format. Everything stays exact: costs, budgets
and points are `Fraction`s (integers in practice), never floats. Columns we do not interpret are
kept as text, so reading a file and writing it back loses nothing that matters.

Pure: the reader takes the text (or its lines) and the writer returns text; opening files is the
caller's business. Part of the pure domain: it imports only the standard library.

    model.py    the values (Election, Project, Vote), exact numbers, PabulibError
    reading.py  read_pabulib: text at once, or an open file line by line (votes to a sink)
    writing.py  write_pabulib
"""

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
    format_number,
    parse_number,
)
from pb.domain.pabulib.reading import duplicate_warning, read_pabulib
from pb.domain.pabulib.writing import write_pabulib

__all__ = [
    "POINTS_TYPES",
    "SECTIONS",
    "SET_TYPES",
    "SINK_CHUNK",
    "VOTE_TYPES",
    "Election",
    "PabulibError",
    "Project",
    "Sink",
    "Vote",
    "duplicate_warning",
    "format_number",
    "parse_number",
    "read_pabulib",
    "write_pabulib",
]
