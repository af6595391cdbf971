"""Photos on proposals: check, re-encode, keep, show, remove, and hide with a public reason.

An upload is never served as sent. Its request checks only what is cheap: the size, and the
header (format, declared size, so a decompression bomb is refused before it is decoded,
animation); it keeps the bytes as a pending file and the photo as "processing", and answers.
The re-encoding runs in the background (`pb.services.picture_jobs`): decoded with Pillow,
turned the way its EXIF orientation says, and written again as WebP at the widths
`pb.domain.pictures.plan_widths` plans; EXIF (GPS included), XMP and ICC data are not copied.
A 12-megapixel phone photo takes about half a second and a 40-megapixel PNG (the cap) a few
(BENCHMARKS.md, "Photos"). Only ready photos are shown to readers.
"""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError

from pb.domain import pictures as rules
from pb.domain import proposals as proposal_rules
from pb.domain.errors import N_
from pb.domain.languages import CONTENT_LANGUAGES, DEFAULT, NAMES, form_field, split, unpaired
from pb.domain.pictures import FileRefused
from pb.extensions import db
from pb.models import Proposal, ProposalPicture, ProposalRevision, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, storage, unit_of_work

PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
QUALITY = 62  # WebP quality: photos stay clear on a phone at a third of JPEG's weight
# Pillow's own bomb check, behind ours (`check_pixels`, which names the size): past this it
# warns, at twice this it refuses as it opens the file; warnings are errors here, so both
# refuse.
Image.MAX_IMAGE_PIXELS = 4 * rules.PIXELS_MAX


@dataclass
class Encoded:
    """A re-encoded photo: its size (turned upright) and its files, narrowest first."""

    width: int
    height: int
    files: list[tuple[int, int, bytes]]


DAMAGED = N_("This file is damaged or is not a picture pb can read, whatever its name "
              "says. Send a photo as JPEG, PNG or WebP.")
BOMB = N_("The picture has too many pixels to open safely. Send a smaller copy of the photo.")
@contextmanager
def _opened(data: bytes) -> Iterator[tuple[str, Image.Image]]:
    """Open an upload after the cheap checks (the size, and the header: format, declared
    size, frames), turning whatever Pillow says of it into a FileRefused naming the
    problem, in the block too."""
    kind = rules.check_picture_file(data[:64], len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind]]) as opened:
                rules.check_pixels(*opened.size)
                if getattr(opened, "n_frames", 1) > 1:
                    raise rules.animated_refused()
                yield kind, opened
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(BOMB) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise FileRefused(DAMAGED) from None


def inspect(data: bytes) -> tuple[int, int]:
    """Check what is cheap and return the declared size, or raise FileRefused naming the
    problem. Nothing is decoded."""
    with _opened(data) as (_kind, opened):
        return opened.size


def reencode(data: bytes) -> Encoded:
    """Decode an upload and make its WebP widths, or raise FileRefused naming the problem."""
    with _opened(data) as (kind, opened):
        if kind == "jpeg":  # decode at the smallest scale still wide enough
            opened.draft("RGB", (rules.WIDTHS[-1], rules.WIDTHS[-1]))
        # At most twice the widest width, shrunk first by whole factors (fast box
        # averaging), then filtered.
        opened.thumbnail((2 * rules.WIDTHS[-1],) * 2, Image.Resampling.LANCZOS,
                         reducing_gap=2.0)
        picture = _flatten(ImageOps.exif_transpose(opened))
    width, height = picture.size
    files = []
    source = picture
    for to in reversed(rules.plan_widths(width)):  # each width made from the next wider
        size = rules.scaled(width, height, to)
        if size != source.size:
            source = source.resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        source.save(out, "WEBP", quality=QUALITY, method=4)  # no exif=, icc_profile=, xmp=
        files.insert(0, (size[0], size[1], out.getvalue()))
    return Encoded(width, height, files)


def _flatten(picture: Image.Image) -> Image.Image:
    """Return the picture as plain RGB, transparent parts on white."""
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and
                                           "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return picture if picture.mode == "RGB" else picture.convert("RGB")


def may_add(actor: Any, proposal: Proposal) -> bool:
    """Tell whether `actor` may add or remove photos: its authors while they may edit it,
    officers at any time."""
    from pb.services.proposals import is_author  # noqa: PLC0415  (proposals lists pictures)

    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.manages_rounds:
        return True
    return is_author(actor, proposal) and proposal.round.phase == "proposals" and \
        proposal.status in proposal_rules.EDITABLE


def check_alts(alt: str | Mapping[str, Mapping[str, str]],
               both: bool) -> dict[str, dict[str, str]]:
    """Return the alt texts by language ({"cy": {"alt": "..."}}), refusing them when none is
    written, one is too long, or the round publishes in both languages and one is missing."""
    texts = {DEFAULT: {"alt": alt}} if isinstance(alt, str) else \
        {lang: {"alt": values.get("alt") or ""} for lang, values in alt.items()}
    if any(lang not in CONTENT_LANGUAGES for lang in texts):
        raise ServiceError(N_("Choose the language of the text from the list."), field="alt")
    checked = {}
    for lang, values in texts.items():
        text = " ".join(values["alt"].split())
        if len(text) > rules.ALT_MAX:
            raise ServiceError(N_("Keep the description under %(max)d characters."),
                               field=form_field("alt", lang), max=rules.ALT_MAX)
        checked[lang] = {"alt": text}
    if not any(values["alt"] for values in checked.values()):
        rules.check_alt("")  # "Describe the photo…", on the first column
    if both:
        for _name, lang in unpaired(checked, ["alt"], CONTENT_LANGUAGES):
            raise ServiceError(N_("Describe the photo in %(language)s too: this round is "
                                  "published in both languages."), field=form_field("alt", lang),
                               language=NAMES.get(lang, lang))
    return checked


def _counted(proposal: Proposal) -> list[ProposalPicture]:
    """Return the photos that count towards the most a proposal may show (not failed ones)."""
    return [p for p in shown(proposal) if p.state != "failed"]


def do_add(actor: User, proposal: Proposal, data: bytes,
           alt: str | Mapping[str, Mapping[str, str]]) -> ProposalPicture:
    """Take a photo for the proposal: refused at once when its size or header is wrong (and
    nothing is kept), else kept as "processing" with its bytes pending, not started yet:
    `pb.services.picture_jobs.do_add` starts it in the background at once, `pb worker` (or
    its status check) on its next pass.

    `alt` is the description by language ({"en": {"alt": ...}, "cy": {"alt": ...}}), or a
    plain string in the first language."""
    if not may_add(actor, proposal):
        raise ServiceError(N_("Only the proposal’s authors (while it can still be changed) "
                              "and officers can add photos."))
    texts = check_alts(alt, proposal.round.both_languages)
    rules.check_room(len(_counted(proposal)))
    width, height = inspect(data)
    language, originals, translations = split(texts, keep=None)
    with unit_of_work():
        before = shown(proposal)
        rules.check_room(len(_counted(proposal)))  # another may have arrived meanwhile
        pending = storage.store(data, "pending", stem=f"upload-{secrets.token_hex(16)}")
        picture = ProposalPicture(proposal_id=proposal.id, added_by_id=actor.id,
                                  alt=originals["alt"], language=language,
                                  translations=translations or None,
                                  position=1 + max((p.position for p in before), default=0),
                                  key="", width=width, height=height, variants=[],
                                  state="processing", pending=pending)
        db.session.add(picture)
        db.session.flush()
        audit.record(actor, "picture.added", "proposal", proposal.id, picture=picture.id,
                     alt=originals["alt"], translations=translations)
    return picture


def do_remove(actor: User, picture: ProposalPicture) -> None:
    """Take a photo off its proposal; its files stay, for the revisions that showed it."""
    proposal = db.session.get(Proposal, picture.proposal_id)
    assert proposal is not None
    if not may_add(actor, proposal):
        raise ServiceError(N_("Only the proposal’s authors (while it can still be changed) "
                              "and officers can remove photos."))
    with unit_of_work():
        if picture.removed_at is not None:
            return
        before = [p for p in shown(proposal) if p.state == "ready"]
        picture.removed_at = utcnow()
        if picture.state == "ready":
            _revise(actor, proposal, before, [p for p in before if p.id != picture.id])
        audit.record(actor, "picture.removed", "proposal", proposal.id, picture=picture.id)


def _revise(actor: User | None, proposal: Proposal, before: list[ProposalPicture],
            after: list[ProposalPicture]) -> None:
    """Keep a revision saying which photos the proposal showed before and after."""
    if proposal.status == "draft":  # a draft's edits are its author's business
        return
    number = 1 + (db.session.scalar(sa.select(sa.func.count()).where(
        ProposalRevision.proposal_id == proposal.id)) or 0)
    db.session.add(ProposalRevision(
        proposal_id=proposal.id, number=number, author_id=actor.id if actor else None,
        changes={"pictures": {"before": [p.alt for p in before],
                              "after": [p.alt for p in after]}},
        pictures=[p.id for p in after]))


def do_hide(moderator: User, picture: ProposalPicture, reason: str) -> None:
    """Hide a photo, publishing the reason where it was (as a hidden comment's)."""
    from pb.services.discussion import may_moderate  # noqa: PLC0415

    if not may_moderate(moderator):
        raise ServiceError(N_("Only officers can hide photos or show them again."))
    text = " ".join((reason or "").split())
    if not text:
        raise ServiceError(N_("Give the public reason for hiding this photo."), field="reason")
    if len(text) > 300:
        raise ServiceError(N_("Keep the reason under %(max)d characters."), field="reason",
                           max=300)
    with unit_of_work():
        picture.hidden_at, picture.hidden_reason = utcnow(), text
        picture.hidden_by_id = moderator.id
        audit.record(moderator, "picture.hide", "proposal", picture.proposal_id,
                     picture=picture.id, reason=text)


def do_unhide(moderator: User, picture: ProposalPicture) -> None:
    """Show a hidden photo again."""
    from pb.services.discussion import may_moderate  # noqa: PLC0415

    if not may_moderate(moderator):
        raise ServiceError(N_("Only officers can hide photos or show them again."))
    with unit_of_work():
        picture.hidden_at = picture.hidden_reason = picture.hidden_by_id = None
        audit.record(moderator, "picture.unhide", "proposal", picture.proposal_id,
                     picture=picture.id)


def shown(proposal: Proposal, viewer: Any = None, *,
          everyone: bool = True) -> list[ProposalPicture]:
    """Return the photos on the proposal (hidden ones too, shown as their reason), in order:
    with `everyone` (the default, for the services) those still processing or failed too;
    otherwise those only to `viewer` when they may add photos to it."""
    query = sa.select(ProposalPicture).where(
        ProposalPicture.proposal_id == proposal.id, ProposalPicture.removed_at.is_(None))
    if not (everyone or may_add(viewer, proposal) or _officer(viewer)):
        query = query.where(ProposalPicture.state == "ready")
    return list(db.session.scalars(query.order_by(ProposalPicture.position,
                                                  ProposalPicture.id)))


def _officer(viewer: Any) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False)
                and viewer.manages_rounds)


def get_picture(picture_id: int) -> ProposalPicture | None:
    """Return the photo with this id, removed or not."""
    return db.session.get(ProposalPicture, picture_id)


def by_id(ids: set[int]) -> dict[int, ProposalPicture]:
    """Return the photos with these ids (for the revisions that list them)."""
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(sa.select(ProposalPicture).where(
        ProposalPicture.id.in_(ids)))}


def thumbnails(proposal_ids: list[int]) -> dict[int, ProposalPicture]:
    """Return each proposal's first visible photo, for listings, ballots and the projector."""
    if not proposal_ids:
        return {}
    found: dict[int, ProposalPicture] = {}
    for picture in db.session.scalars(sa.select(ProposalPicture).where(
            ProposalPicture.proposal_id.in_(proposal_ids),
            ProposalPicture.removed_at.is_(None), ProposalPicture.hidden_at.is_(None),
            ProposalPicture.state == "ready")
            .order_by(ProposalPicture.position, ProposalPicture.id)):
        found.setdefault(picture.proposal_id, picture)
    return found


def servable(name: str, viewer: Any) -> bool:
    """Tell whether the stored photo file `name` may be sent to `viewer`: a photo hidden by
    moderation only to officers."""
    key = name.split("-", 1)[0]
    pictures = list(db.session.scalars(sa.select(ProposalPicture).where(
        ProposalPicture.key == key)))
    if not pictures:
        return False
    if any(not p.hidden for p in pictures):
        return True
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False)
                and viewer.manages_rounds)
