"""Checks on values that arrive from outside (sockets, forms, files): ids and text."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# The largest id every supported database can hold (PostgreSQL's integer): a bigger number
# names nothing, and must not reach a query, where it would fail rather than find nothing.
MAX_ID = 2**31 - 1
# A str holds a surrogate only when it came alone (JSON decodes a proper pair to one character).
_SURROGATE = re.compile("[\ud800-\udfff]")
_DIGITS = re.compile("[0-9]+")


def is_id(value: object) -> bool:
    """Tell whether `value` can be a stored row's id: a whole number from 1 to MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def clean_text(text: str) -> str:
    """Return `text` as it can be stored: without NUL characters (PostgreSQL refuses them,
    and nobody types one), and with any lone surrogate (JSON can carry one, UTF-8 cannot)
    shown as the replacement character."""
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def parse_whole(text: str | None, most: int = MAX_ID) -> int | None:
    """Read a whole number from 0 to `most` typed in ASCII digits ("12", " 007 "), or None.

    Unlike `str.isdigit()`, which passes "²" that `int()` then refuses, only 0-9 count; and a
    number too big to name anything is None rather than a value a database cannot hold.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not _DIGITS.fullmatch(text) or len(text.lstrip("0")) > len(str(most)):
        return None
    value = int(text)
    return value if value <= most else None


def parse_id(text: str | None) -> int | None:
    """Read a row's id from text (a form field, a query parameter), or None if it is not one."""
    value = parse_whole(text)
    return value if value is not None and is_id(value) else None


# What a spreadsheet may take for the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """Return `value` safe for a CSV cell that Excel or LibreOffice may open: text that
    starts like a formula gets a leading apostrophe (shown as text, never run); None is
    an empty cell; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Excel reads a CSV file as UTF-8 only when it starts with this mark; without it "£" and "’"
# come out garbled. Every other spreadsheet program and Python's "utf-8-sig" skip it.
BYTE_ORDER_MARK = "\ufeff"


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return a CSV file that any spreadsheet opens safely: a byte-order mark, then the header
    and rows, every text cell quoted (so a spreadsheet that splits on ";" cannot split one)
    and neutralised by `spreadsheet_cell`. Every CSV pb serves is written here."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([_number_or_text(spreadsheet_cell(cell)) for cell in row])
    return out.getvalue()


def _number_or_text(value: object) -> object:
    """Keep whole and decimal numbers as numbers (unquoted); everything else is text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    return str(value)
