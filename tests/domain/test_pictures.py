"""What a photo or paper upload must be, before any decoding: pure checks over bytes."""

from __future__ import annotations

import pytest

from pb.domain import pictures as rules
from pb.domain.errors import UserError
from pb.domain.pictures import FileRefused


@pytest.mark.parametrize(("head", "kind"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
    (b"GIF89a\x01\x00", "gif"),
    (b"%PDF-1.7\n", "pdf"),
    (b"\x00\x00\x00\x18ftypheic", "heic"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">', "svg"),
    (b"  <svg width='1'>", "svg"),
    (b"Hello, I am text pretending to be a photo", None),
])
def test_sniff_reads_the_bytes_not_the_name(head: bytes, kind: str | None) -> None:
    assert rules.sniff(head) == kind


@pytest.mark.parametrize(("head", "size", "words"), [
    (b"", 0, "empty"),
    (b"\xff\xd8\xff", rules.UPLOAD_MAX_BYTES + 1, "larger than 10 MB"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>", 100, "SVG"),
    (b"GIF89a", 100, "animated"),
    (b"not a picture at all", 100, "not a picture"),
    (b"\x00\x00\x00\x18ftypheic", 100, "HEIC"),
])
def test_bad_files_are_refused_with_a_sentence_naming_the_problem(head: bytes, size: int,
                                                                  words: str) -> None:
    with pytest.raises(FileRefused) as refused:
        rules.check_picture_file(head, size)
    assert words in str(refused.value)
    assert refused.value.field == "file"


def test_accepted_kinds() -> None:
    assert rules.check_picture_file(b"\xff\xd8\xff\xe0", 10) == "jpeg"
    assert rules.check_picture_file(b"\x89PNG\r\n\x1a\n", 10) == "png"
    assert rules.check_picture_file(b"RIFF....WEBP", 10) == "webp"


def test_a_hundred_megapixels_are_refused_from_the_header() -> None:
    with pytest.raises(FileRefused, match="100 megapixels"):
        rules.check_pixels(10_000, 10_000)
    with pytest.raises(FileRefused, match="megapixels"):
        rules.check_pixels(rules.SIDE_MAX + 1, 2)  # a thin strip is a bomb too
    rules.check_pixels(4000, 3000)  # a 12-megapixel phone photo


@pytest.mark.parametrize(("width", "made"), [
    (5000, [160, 320, 640, 1280]),
    (1280, [160, 320, 640, 1280]),
    (1000, [160, 320, 640, 1000]),
    (700, [160, 320, 640]),
    (100, [100]),
    (160, [160]),
])
def test_widths_are_planned_never_enlarged(width: int, made: list[int]) -> None:
    assert rules.plan_widths(width) == made


def test_scaled_keeps_the_shape() -> None:
    assert rules.scaled(4000, 3000, 640) == (640, 480)
    assert rules.scaled(3000, 4000, 320) == (320, 427)


def test_alt_text_is_required_and_bounded() -> None:
    with pytest.raises(UserError, match="Describe the photo"):
        rules.check_alt("   ")
    with pytest.raises(UserError, match="under 300"):
        rules.check_alt("x" * 301)
    assert rules.check_alt("  The   swings\n") == "The swings"


def test_at_most_four_photos() -> None:
    rules.check_room(3)
    with pytest.raises(UserError, match="at most 4"):
        rules.check_room(4)


def test_papers_must_be_pdfs() -> None:
    with pytest.raises(FileRefused, match="empty"):
        rules.check_paper_file(b"", 0)
    with pytest.raises(FileRefused, match="not a PDF"):
        rules.check_paper_file(b"\xff\xd8\xff", 100)
    with pytest.raises(FileRefused, match="larger than 10 MB"):
        rules.check_paper_file(b"%PDF-1.4", rules.PAPER_MAX_BYTES + 1)
    rules.check_paper_file(b"%PDF-1.4\n", 100)
    assert rules.download_name("Costs: the park (2026)") == "Costs-the-park-2026.pdf"
    assert rules.download_name("???") == "paper.pdf"
