"""Content in more than one language: what a reader sees, and what a form gave.

A row keeps its text in the language it was first written in (its `language`; None when
nobody said, as in an imported pabulib file) and the same fields in other languages in
`translations`, e.g. {"cy": {"title": "Parc newydd", "summary": "..."}}. Only non-empty
texts are kept there. A reader sees their own language when it has the field, otherwise the
original, marked as not yet available in their language. Pure: values in, values out; the
models import it to answer `shown`, the services to check and split a form's texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pb.domain.errors import N_

# The languages content may be written in (the site's offered languages are a subset).
CONTENT_LANGUAGES: tuple[str, ...] = ("en", "cy")
# Each content language's name, in itself (as the language switcher and the forms say it).
NAMES = {"en": "English", "cy": "Cymraeg"}
# The language of a form's first column when a row says nothing about its own.
DEFAULT = "en"
# The note shown to a reader whose language a text does not have yet, in the reader's language.
NOT_YET = {"en": N_("Not yet available in English"),
           "cy": N_("Not yet available in Cymraeg")}

Translations = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Shown:
    """The text a reader sees: in language `lang` (None if unknown); `missing` when the
    reader's own language does not have it yet."""

    text: str
    lang: str | None
    missing: bool

    def __str__(self) -> str:
        return self.text


def shown(original: str, language: str | None, translations: Translations | None,
          field: str, reader: str) -> Shown:
    """Return field `field` as a reader of `reader` sees it."""
    if language != reader:
        own = (translations or {}).get(reader, {}).get(field, "")
        if own:
            return Shown(own, reader, False)
    missing = language is not None and language != reader and bool(original)
    return Shown(original, language, missing)


def by_language(originals: Mapping[str, str], language: str | None,
                translations: Translations | None) -> dict[str, dict[str, str]]:
    """Return every language's texts, the original's under its language (DEFAULT if unknown).

    What a side-by-side form shows, and what exports and the record carry.
    """
    texts: dict[str, dict[str, str]] = {language or DEFAULT: dict(originals)}
    for lang, fields in (translations or {}).items():
        if lang != (language or DEFAULT):
            texts[lang] = {name: fields.get(name, "") for name in originals}
    return texts


def form_field(name: str, language: str, first: str = DEFAULT) -> str:
    """Return the form field holding text `name` in `language`: the form's first language
    keeps the name ("title"), each other gets a suffix ("title_cy"); a refusal names it."""
    return name if language == first else f"{name}_{language}"


def split(texts: Mapping[str, Mapping[str, str]], keep: str | None,
          order: Sequence[str] = CONTENT_LANGUAGES
          ) -> tuple[str | None, dict[str, str], dict[str, dict[str, str]]]:
    """Split a form's texts by language into (original language, original texts, translations).

    The original stays in `keep` (the row's language so far) while that language has any
    text; otherwise it is the first language in `order` that has some. Translations keep only
    non-empty texts, and languages with none are left out.
    """
    def has_text(lang: str) -> bool:
        return any(v.strip() for v in texts.get(lang, {}).values())

    first = keep if keep is not None and has_text(keep) else next(
        (lang for lang in order if has_text(lang)), keep)
    source = texts.get(first or DEFAULT, {})
    fields = {name for fields in texts.values() for name in fields}
    originals = {name: source.get(name, "").strip() for name in sorted(fields)}
    translations = {}
    for lang, values in texts.items():
        if lang == (first or DEFAULT):
            continue
        kept = {name: v.strip() for name, v in values.items() if v.strip()}
        if kept:
            translations[lang] = kept
    return first, originals, translations


def unpaired(texts: Mapping[str, Mapping[str, str]], fields: Iterable[str],
             languages: Sequence[str]) -> list[tuple[str, str]]:
    """Return (field, language) for each field written in some of `languages` but not in
    that one: what a round that publishes in both languages refuses."""
    gaps = []
    for name in fields:
        written = [lang for lang in languages if texts.get(lang, {}).get(name, "").strip()]
        if written:
            gaps.extend((name, lang) for lang in languages if lang not in written)
    return gaps


def check_languages(translations: Translations, fields: Iterable[str]) -> None:
    """Refuse translations in an unknown language or of a field the row does not have."""
    allowed = set(fields)
    for lang, values in translations.items():
        if lang not in CONTENT_LANGUAGES:
            raise ValueError(f"unknown content language {lang!r}")
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"no such translated field: {sorted(unknown)}")
