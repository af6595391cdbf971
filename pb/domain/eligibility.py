"""Who may vote: eligibility modes, access codes, census files and receipt codes (pure)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Callable
from datetime import date

from pb.domain.errors import N_, UserError

# "accounts": any logged-in resident; "census": people on an uploaded list prove who they are
# with two details; "codes": single-use codes printed on cards.
MODES: tuple[str, ...] = ("accounts", "census", "codes")
# What census voters give besides their identifier.
CENSUS_CHECKS: tuple[str, ...] = ("postcode", "birth_year", "date_of_birth")

# Codes and receipts avoid characters people confuse when reading or typing: 0/O, 1/I/L, U/V.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 12  # 29**12 is about 3.5e17, or 58 bits: guessing is hopeless at our rate limits
RECEIPT_LENGTH = 12
MAX_CODES = 5000
MAX_CENSUS_ROWS = 200_000
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "L": "I", "U": "V"})


class EligibilityError(UserError):
    """A census file, code or detail that cannot be accepted, with what to do instead."""


def new_code(length: int = CODE_LENGTH, choice: Callable[[str], str] = secrets.choice) -> str:
    """Return a fresh random code from the unambiguous alphabet (grouped when shown)."""
    return "".join(choice(ALPHABET) for _ in range(length))


def show_code(code: str) -> str:
    """Group a code in fours for reading aloud and typing: ABCD-EFGH-JKMN."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """Return a typed code without spaces, dashes or case; confusable letters are mapped.

    A code never contains the confusable characters, so mapping them cannot turn a wrong code
    into a right one; it only means "0" typed for "O" still misses rather than errors oddly.
    """
    return "".join(ch for ch in text.upper().translate(_CONFUSABLE) if ch.isalnum())


def check_code_shape(code: str) -> None:
    """Refuse text that cannot be a code at all, before it costs a database lookup."""
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        raise EligibilityError(N_("That is not a voting code: codes have %(n)d letters and "
                                  "digits, like ABCD-EFGH-JKMN. Check the card and try again."),
                               n=CODE_LENGTH, field="code")


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """Return the hex HMAC-SHA256 of `value` for one purpose; the key never leaves the server."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def normalise_identifier(text: str) -> str:
    """Return a census identifier as compared: trimmed, case-folded, inner spaces removed."""
    return "".join(text.split()).casefold()


def normalise_check(kind: str, text: str) -> str:
    """Return a checking detail as compared, so "ne1 4st" matches "NE1 4ST"."""
    value = "".join(text.split()).upper()
    if kind == "birth_year":
        if not (_digits(value) and len(value) == 4):
            raise EligibilityError(N_("Give the year of birth as four digits, like 1984."),
                                   field="check")
    elif kind == "date_of_birth":
        digits = [part for part in value.replace("/", "-").replace(".", "-").split("-") if part]
        if len(digits) != 3 or not all(_digits(d) for d in digits):
            raise EligibilityError(N_("Give the date of birth as day, month and year, like "
                                      "31/01/1984."), field="check")
        if len(digits[0]) == 4:  # written year first
            digits = digits[::-1]
        if len(digits[2]) != 4:
            raise EligibilityError(N_("Give the year of birth in full, like 31/01/1984."),
                                   field="check")
        try:  # a day of 20 digits overflows date(); one of 5000 is past int()'s limit
            day, month, year = (int(d) for d in digits)
            value = date(year, month, day).isoformat()
        except (ValueError, OverflowError):
            raise EligibilityError(N_("That date does not exist; give the day first, then the "
                                      "month, like 31/01/1984."), field="check") from None
    elif not value:
        raise EligibilityError(N_("Fill in the second detail too."), field="check")
    return value


def _digits(text: str) -> bool:
    # ASCII only: str.isdigit() passes "²", which int() refuses, and "١٩٨٤", which would be
    # stored as typed and never match the same year typed as 1984.
    return text.isascii() and text.isdigit()


def parse_census(text: str, kind: str, *, header: bool) -> list[tuple[str, str]]:
    """Read a census CSV of (identifier, checking detail) rows, refusing it whole if any is bad.

    Returns normalised pairs. Duplicated identifiers are an error naming both lines, since a
    person listed twice could vote twice.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    if header:
        next(reader, None)
    pairs: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for row in reader:
        number = reader.line_num  # the physical line the record ends on
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise EligibilityError(N_("Line %(line)d has %(cells)d columns; each line needs "
                                      "exactly two: the identifier, then the second detail."),
                                   line=number, cells=len(row), field="file")
        identifier = normalise_identifier(row[0])
        if not identifier:
            raise EligibilityError(N_("Line %(line)d has no identifier."), line=number,
                                   field="file")
        try:
            check = normalise_check(kind, row[1])
        except EligibilityError as error:
            raise EligibilityError(N_("Line %(line)d: %(problem)s"), line=number,
                                   problem=error, field="file") from None
        if identifier in seen:
            raise EligibilityError(N_("Lines %(first)d and %(line)d have the same identifier; "
                                      "each person may be listed once."),
                                   first=seen[identifier], line=number, field="file")
        seen[identifier] = number
        pairs.append((identifier, check))
        if len(pairs) > MAX_CENSUS_ROWS:
            raise EligibilityError(N_("A census can list at most %(n)d people."),
                                   n=MAX_CENSUS_ROWS, field="file")
    if not pairs:
        raise EligibilityError(N_("The file lists nobody; check it has a line per person."),
                               field="file")
    return pairs


def receipt_code(key: bytes, round_id: int, voter_key: str, submission: str) -> str:
    """Derive a submission's receipt code, so a retry shows the same one without storing it."""
    digest = hmac.new(key, f"receipt\x00{round_id}\x00{voter_key}\x00{submission}".encode(),
                      hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def receipt_fingerprint(code: str) -> str:
    """Return the public fingerprint of a receipt: SHA-256 of the code's 12 characters.

    Anyone can compute it (`printf %s ABCDEFGHJKMN | sha256sum`) and look for it in the
    published list, which reveals nothing about the ballot it belongs to.
    """
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()
