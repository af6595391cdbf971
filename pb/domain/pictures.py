"""Photos on proposals and PDF background papers: what is accepted, and the sizes made.

Pure rules over bytes and numbers. The decoding and re-encoding itself (Pillow) and the PDF
parsing (pypdf) happen in `pb.services.pictures` and `pb.services.papers`.
"""

from __future__ import annotations

import re

from pb.domain.errors import N_, UserError

PICTURES_MAX = 4  # photos on one proposal
# The largest file a phone sends (a 12-megapixel photo is 3-6 MB), and the most pixels a
# picture may have once decoded: 40 megapixels take 160 MB of memory while being resized.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
PIXELS_MAX = 40_000_000
SIDE_MAX = 12_000  # a 12,000 x 3 strip is a bomb of another shape
# The widths made of every photo: thumbnails (a listing's, a gallery row's on a phone), a
# phone's screen, a desktop's or a projector's. The browser picks one by `srcset`/`sizes`.
WIDTHS = (160, 320, 640, 1280)
ALT_MAX = 300
PAPER_MAX_BYTES = 10 * 1024 * 1024
PAPER_TITLE_MAX = 200
ACCEPTED = ("jpeg", "png", "webp")
ACCEPTED_NAMES = "JPEG, PNG, WebP"


class FileRefused(UserError):
    """An upload pb will not keep, with a sentence naming what is wrong with it."""

    field = "file"


def sniff(head: bytes) -> str | None:
    """Return what the first bytes of a file say it is, whatever its name says."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim"):
        return "heic"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:256].lower()
    if text.startswith(b"<?xml") or text.startswith(b"<svg") or b"<svg" in text:
        return "svg"
    return None


def check_picture_file(head: bytes, size: int) -> str:
    """Refuse an upload that cannot be a photo; return its kind ("jpeg", "png", "webp")."""
    if size == 0:
        raise FileRefused(N_("The file is empty (0 bytes). Choose the photo again."))
    if size > UPLOAD_MAX_BYTES:
        raise FileRefused(N_("The file is larger than %(max)d MB. Send a smaller photo."),
                          max=UPLOAD_MAX_BYTES // (1024 * 1024))
    kind = sniff(head)
    if kind == "svg":
        raise FileRefused(N_("SVG drawings cannot be added, as they can carry scripts. Send a "
                             "photo as JPEG, PNG or WebP."))
    if kind == "gif":
        raise FileRefused(N_("GIFs and animated pictures cannot be added. Send a still photo "
                             "as JPEG, PNG or WebP."))
    if kind == "heic":
        raise FileRefused(N_("HEIC photos cannot be read yet. Set your phone's camera to "
                             "“Most compatible” (JPEG), or send a screenshot of the photo."))
    if kind not in ACCEPTED:
        raise FileRefused(N_("This file is not a picture pb can read, whatever its name says. "
                             "Send a photo as JPEG, PNG or WebP."))
    return kind


def check_pixels(width: int, height: int) -> None:
    """Refuse a picture too large to decode safely, from the size its header declares."""
    if width <= 0 or height <= 0:
        raise FileRefused(N_("This file is not a picture pb can read, whatever its name says. "
                             "Send a photo as JPEG, PNG or WebP."))
    if width * height > PIXELS_MAX or max(width, height) > SIDE_MAX:
        raise FileRefused(
            N_("The picture is %(width)d × %(height)d pixels (%(mp)d megapixels); the most "
               "accepted is %(max)d megapixels. Send a smaller copy of the photo."),
            width=width, height=height, mp=round(width * height / 1_000_000),
            max=PIXELS_MAX // 1_000_000)


def animated_refused() -> FileRefused:
    """Return the refusal of a picture with more than one frame."""
    return FileRefused(N_("Animated pictures cannot be added. Send a still photo as JPEG, "
                          "PNG or WebP."))


def check_alt(text: str) -> str:
    """Return the alt text, refusing it when missing or too long."""
    alt = " ".join((text or "").split())
    if not alt:
        raise UserError(N_("Describe the photo for people who cannot see it (for example "
                           "“The broken swings at Elm Park”)."), field="alt")
    if len(alt) > ALT_MAX:
        raise UserError(N_("Keep the description under %(max)d characters."), field="alt",
                        max=ALT_MAX)
    return alt


def check_room(count: int) -> None:
    """Refuse another photo when the proposal already shows the most it may."""
    if count >= PICTURES_MAX:
        raise UserError(N_("A proposal can show at most %(max)d photos; remove one first."),
                        max=PICTURES_MAX)


def plan_widths(width: int) -> list[int]:
    """Return the widths to make of a picture `width` pixels wide: never enlarged, and at
    least one (the picture itself when narrower than the smallest)."""
    made = [w for w in WIDTHS if w <= width]
    if not made or (width < WIDTHS[-1] and made[-1] < width and width - made[-1] > 100):
        made.append(min(width, WIDTHS[-1]))
    return made


def scaled(width: int, height: int, to: int) -> tuple[int, int]:
    """Return the size of a `width` x `height` picture made `to` pixels wide."""
    return to, max(1, round(height * to / width))


def check_paper_file(head: bytes, size: int) -> None:
    """Refuse an upload that cannot be a PDF background paper."""
    if size == 0:
        raise FileRefused(N_("The file is empty (0 bytes). Choose the PDF again."))
    if size > PAPER_MAX_BYTES:
        raise FileRefused(N_("The file is larger than %(max)d MB. Send a smaller PDF."),
                          max=PAPER_MAX_BYTES // (1024 * 1024))
    if sniff(head) != "pdf":
        raise FileRefused(N_("This file is not a PDF, whatever its name says. Save the "
                             "paper as PDF and send that."))


def check_paper_title(text: str) -> str:
    """Return the paper's title, refusing it when missing or too long."""
    title = " ".join((text or "").split())
    if not title:
        raise UserError(N_("Give the paper a title, such as “Costs of the park works”."),
                        field="title")
    if len(title) > PAPER_TITLE_MAX:
        raise UserError(N_("Keep the title under %(max)d characters."), field="title",
                        max=PAPER_TITLE_MAX)
    return title


def download_name(title: str) -> str:
    """Return a safe file name for a paper called `title`."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:80] or "paper"
    return f"{stem}.pdf"
