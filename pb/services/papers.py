"""PDF background papers on rounds and council referrals: checked, kept, listed, removed.

A paper must start like a PDF, parse (pypdf), not be encrypted (it could not be checked),
and carry no JavaScript or other automatic action: every object of the file is looked at for
/JS, /JavaScript, /AA (actions on opening pages or fields), /Launch, and an /OpenAction that
runs something. It is served as a download (Content-Disposition: attachment), never shown
inside pb's pages.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import sqlalchemy as sa
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from pb.domain import pictures as rules
from pb.domain.errors import N_
from pb.domain.pictures import FileRefused
from pb.extensions import db
from pb.models import Paper, Referral, Round, User
from pb.services import ServiceError, audit, storage, unit_of_work
from pb.services.offload import off_loop

log = logging.getLogger(__name__)
SCRIPT_KEYS = {"/JS", "/JavaScript", "/AA", "/Launch", "/RichMedia", "/XFA"}
OBJECTS_MAX = 200_000  # a paper of a few hundred pages has a few thousand


def _runs_something(action: Any) -> bool:
    """Tell whether an /OpenAction does more than open at a page (a destination array)."""
    action = action.get_object() if isinstance(action, IndirectObject) else action
    return isinstance(action, DictionaryObject)


def _scripts(reader: PdfReader) -> str | None:
    """Return the first scripting key found in any object of the file, or None."""
    numbers = [(num, gen) for gen, table in reader.xref.items() for num in table]
    numbers += [(num, 0) for num in reader.xref_objStm]
    if len(numbers) > OBJECTS_MAX:
        return "too many objects"
    stack: list[Any] = [reader.trailer]
    for num, gen in numbers:
        try:
            stack.append(reader.get_object(IndirectObject(num, gen, reader)))
        except Exception:  # noqa: BLE001  (a broken object cannot run either)
            log.debug("Object %s %s of a PDF is unreadable", num, gen)
    while stack:
        item = stack.pop()
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in SCRIPT_KEYS or (name == "/S" and value in ("/JavaScript",
                                                                      "/Launch")):
                    return str(name)
                if name == "/OpenAction" and _runs_something(value):
                    return str(name)
                if not isinstance(value, IndirectObject):  # indirect ones are listed above
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(v for v in item if not isinstance(v, IndirectObject))
        elif isinstance(item, NameObject) and item in ("/JavaScript", "/JS"):
            return str(item)
    return None


def check_pdf(data: bytes) -> int:
    """Refuse a file that is not a clean PDF, naming the problem; return its page count."""
    rules.check_paper_file(data[:1024], len(data))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRefused(N_("The PDF is locked with a password, so pb cannot check it. "
                                 "Save a copy without the password and send that."))
        pages = len(reader.pages)
        found = _scripts(reader)
    except FileRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError,
            OSError):
        log.info("A PDF could not be read", exc_info=True)
        raise FileRefused(N_("This PDF is damaged and cannot be read. Save it again as PDF "
                             "and send that.")) from None
    if found:
        raise FileRefused(N_("This PDF contains JavaScript or actions that run on opening, "
                             "which pb does not accept. Print it to a new PDF (or export it "
                             "without scripts) and send that."))
    if pages < 1:
        raise FileRefused(N_("This PDF has no pages. Send the paper itself."))
    return pages


def do_add(actor: User, owner: Round | Referral, title: str, data: bytes) -> Paper:
    """Add a background paper to a round or a council referral."""
    if not actor.manages_rounds:
        raise ServiceError(N_("Only officers can add background papers."))
    text = rules.check_paper_title(title)
    pages = off_loop(check_pdf, data)
    with unit_of_work():
        name = storage.store(data, "pdf")
        owned = {"round_id": owner.id} if isinstance(owner, Round) else \
            {"referral_id": owner.id}
        paper = Paper(title=text, key=name.split(".")[0], size=len(data), pages=pages,
                      added_by_id=actor.id, **owned)
        db.session.add(paper)
        db.session.flush()
        audit.record(actor, "paper.added", "paper", paper.id, title=text, **owned)
    return paper


def do_remove(actor: User, paper: Paper) -> None:
    """Take a paper off its page (the file stays: another paper may share its bytes)."""
    if not actor.manages_rounds:
        raise ServiceError(N_("Only officers can remove background papers."))
    with unit_of_work():
        audit.record(actor, "paper.removed", "paper", paper.id, title=paper.title)
        db.session.delete(paper)


def get_paper(paper_id: int) -> Paper | None:
    """Return the paper with this id."""
    return db.session.get(Paper, paper_id)


def of_round(round_id: int) -> list[Paper]:
    """Return a round's papers, oldest first."""
    return list(db.session.scalars(sa.select(Paper).where(Paper.round_id == round_id)
                                   .order_by(Paper.id)))


def of_referral(referral_id: int) -> list[Paper]:
    """Return a referral's papers, oldest first."""
    return list(db.session.scalars(sa.select(Paper).where(Paper.referral_id == referral_id)
                                   .order_by(Paper.id)))
