"""The census of a round: officers upload who may vote; only keyed hashes are ever stored.

A census voter later proves who they are with their identifier and a second detail (see
`pb.services.voting.identify.voter_for_census`), so both are hashed here with the same key and
purposes. Uploads add to the census: people already listed are skipped, so a census can be sent
in parts and people can be added while voting is open.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pb.domain import phases
from pb.domain.eligibility import keyed_hash, parse_census
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import CensusEntry, Round, User
from pb.services import ServiceError, audit, unit_of_work
from pb.services.voting.store import voting_key

# The largest file accepted; the web layer refuses bigger ones before reading them. Enough for
# MAX_CENSUS_ROWS lines of a long identifier and a date of birth.
MAX_BYTES = 16 * 1024 * 1024
UPLOADED = "census.uploaded"


@dataclass(frozen=True)
class UploadResult:
    """What an upload changed: people added, people skipped as already listed, the new total.

    `different_detail` counts those already listed whose second detail in this file differs
    from the one on the census; the census keeps the earlier one.
    """

    added: int
    already_listed: int
    total: int
    different_detail: int = 0


def census_size(round_: Round) -> int:
    """Return how many people the round's census lists."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(CensusEntry)
                             .where(CensusEntry.round_id == round_.id)) or 0


def census_open(round_: Round) -> bool:
    """Tell whether the census may still change: until the results phase."""
    return phases.index(round_.phase) < phases.index("results")


def check_census_upload(actor: User, round_: Round) -> None:
    """Refuse an upload by someone who is not an officer, or to a round without a census."""
    if not actor.manages_rounds:
        raise ServiceError(N_("Only officers can change who may vote in a round."))
    if round_.eligibility != "census":
        raise ServiceError(N_("This round does not use a census, so there is nothing to "
                              "upload. Change who may vote in the round's settings first."))
    if not census_open(round_):
        raise ServiceError(N_("Voting in this round has closed, so its census can no longer "
                              "change."))


def decode_census(data: bytes) -> str:
    """Return the text of an uploaded file: UTF-8 (with or without a BOM), else Windows-1252.

    Spreadsheet programs save "CSV" in either; anything else is refused with what to do.
    """
    # A spreadsheet (.xlsx is a zip) or UTF-16 text would decode as Windows-1252 garbage.
    if data.startswith((b"PK\x03\x04", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ServiceError(N_("This file is not a plain CSV file: it may be a spreadsheet, or "
                              "text saved as UTF-16. In your spreadsheet program choose Save "
                              "as, pick “CSV UTF-8”, and upload that file."), field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(N_("The letters in this file could not be read: it is neither UTF-8 nor "
                          "Windows text. Save it again as “CSV UTF-8” and upload that file."),
                       field="file")


def do_upload_census(actor: User, round_: Round, text: str | bytes, header: bool) -> UploadResult:
    """Add the people in a census file to the round's census; one bad line refuses it all.

    Returns what changed. Only keyed hashes are stored, and the audit log gets counts only.
    """
    check_census_upload(actor, round_)
    if isinstance(text, bytes):
        text = decode_census(text)
    pairs = parse_census(text, round_.census_check or "postcode", header=header)
    key = voting_key()
    hashed = {keyed_hash(key, "census-id", ident): keyed_hash(key, "census-check", check)
              for ident, check in pairs}
    listed = dict(db.session.execute(
        sa.select(CensusEntry.id_hash, CensusEntry.check_hash)
        .where(CensusEntry.round_id == round_.id)).all())
    rows = [{"round_id": round_.id, "id_hash": id_hash, "check_hash": check_hash}
            for id_hash, check_hash in hashed.items() if id_hash not in listed]
    already = len(hashed) - len(rows)
    different = sum(1 for id_hash, check_hash in hashed.items()
                    if id_hash in listed and listed[id_hash] != check_hash)
    total = len(listed) + len(rows)
    try:
        with unit_of_work() as session:
            if rows:
                session.execute(sa.insert(CensusEntry), rows)  # executemany: fast for 100,000
            audit.record(actor, UPLOADED, "round", round_.id, added=len(rows),
                         already_listed=already, different_detail=different, total=total)
    except IntegrityError:
        # Another upload to this census landed between our read and our insert.
        raise ServiceError(N_("Someone else changed this census at the same moment, so nothing "
                              "was added. Upload the file again: people already listed are "
                              "skipped."), field="file") from None
    return UploadResult(added=len(rows), already_listed=already, total=total,
                        different_detail=different)
