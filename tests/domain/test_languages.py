"""Content in two languages: what each reader sees, and how a form's texts are kept."""

from __future__ import annotations

import pytest

from pb.domain import languages as lang


def test_a_reader_sees_their_own_language_when_the_text_has_it() -> None:
    shown = lang.shown("New park", "en", {"cy": {"title": "Parc newydd"}}, "title", "cy")
    assert shown == lang.Shown("Parc newydd", "cy", False)


def test_a_reader_whose_language_is_missing_sees_the_original_marked_as_missing() -> None:
    shown = lang.shown("New park", "en", {"cy": {"summary": "Crynodeb"}}, "title", "cy")
    assert shown == lang.Shown("New park", "en", True)
    assert lang.shown("New park", "en", None, "title", "en") == lang.Shown("New park", "en",
                                                                           False)


def test_text_of_unknown_language_is_never_marked_missing() -> None:
    # An imported file says nothing of its language: nobody can say what is missing.
    assert lang.shown("Boisko", None, None, "title", "cy") == lang.Shown("Boisko", None, False)
    assert lang.shown("", "en", None, "body", "cy").missing is False  # nothing to translate


def test_split_keeps_the_original_language_while_it_has_text() -> None:
    texts = {"en": {"title": " Park ", "summary": "Trees"},
             "cy": {"title": "Parc", "summary": ""}}
    assert lang.split(texts, "en") == ("en", {"summary": "Trees", "title": "Park"},
                                       {"cy": {"title": "Parc"}})
    # Written only in Welsh: Welsh becomes the original, English is left out.
    only_welsh = {"en": {"title": "", "summary": ""}, "cy": {"title": "Parc", "summary": "Coed"}}
    assert lang.split(only_welsh, "en") == ("cy", {"summary": "Coed", "title": "Parc"}, {})


def test_by_language_is_the_inverse_of_split() -> None:
    texts = {"cy": {"title": "Parc", "summary": "Coed"}, "en": {"title": "Park", "summary": ""}}
    first, originals, translations = lang.split(texts, None)
    assert lang.by_language(originals, first, translations) == {
        "en": {"title": "Park", "summary": ""}, "cy": {"title": "Parc", "summary": "Coed"}}


def test_unpaired_names_each_field_written_in_one_language_only() -> None:
    texts = {"en": {"title": "Park", "summary": "Trees", "body": ""},
             "cy": {"title": "Parc", "summary": "", "body": ""}}
    assert lang.unpaired(texts, ["title", "summary", "body"], ["en", "cy"]) == [
        ("summary", "cy")]


def test_translations_in_unknown_languages_or_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        lang.check_languages({"fr": {"title": "Parc"}}, ["title"])
    with pytest.raises(ValueError, match="field"):
        lang.check_languages({"cy": {"colour": "coch"}}, ["title"])
