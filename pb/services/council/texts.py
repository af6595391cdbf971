"""The texts of referrals, advice and responses in more than one language.

A referral is written in the language of the column its question was written in (its
`language`); its council's advice (summary, recommendations) and the decision body's responses
keep that language as their original, with the other language in `translations`. So a text
of the advice or of a response must be written in the referral's language before (or with) any
other: a field written only in the other language is refused with a message asking for it in
the referral's language too (a reader of the referral's language would otherwise see nothing).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from pb.domain.errors import N_
from pb.domain.languages import DEFAULT, form_field, split, unpaired
from pb.models.base import Translated
from pb.services import ServiceError

Texts = Mapping[str, Mapping[str, str]]  # {language: {field: text}}

# Asked when a field of the advice or a response is written only in the other language.
FIRST = {
    "background": N_("Write the background papers in %(language)s as well: the question was "
                     "written in %(language)s, so the referral is written in it first."),
    "summary": N_("Write the summary in %(language)s as well: the question was put in "
                  "%(language)s, so the council’s advice is written in it first."),
    "text": N_("Write the recommendation in %(language)s as well: the question was put in "
               "%(language)s, so the council’s advice is written in it first."),
    "rationale": N_("Write the rationale in %(language)s as well: the question was put in "
                    "%(language)s, so the council’s advice is written in it first."),
    "reasons": N_("Write the reasons in %(language)s as well: the question was put in "
                  "%(language)s, so the response is written in it first."),
}


def plain(language: str | None, **fields: str) -> dict[str, dict[str, str]]:
    """Return texts given in one language only (e.g. by a script) as texts by language."""
    return {language or DEFAULT: dict(fields)}


def in_each(texts: Texts, name: str) -> list[tuple[str, str]]:
    """Return (language, text) for each language in which `name` is written, stripped."""
    return [(lang, fields.get(name, "").strip()) for lang, fields in texts.items()
            if fields.get(name, "").strip()]


def referral_language(texts: Texts) -> str:
    """Return the language of a referral: the first its question is written in."""
    return in_each(texts, "question")[0][0]


def check_lengths(texts: Texts, limits: Mapping[str, int]) -> None:
    """Refuse any text longer than its field's limit, in any language, on its own field."""
    for lang, fields in texts.items():
        for name, limit in limits.items():
            if len(fields.get(name, "")) > limit:
                raise ServiceError(N_("Use at most %(max)d characters."),
                                   field=form_field(name, lang), max=limit)


def check_original_first(texts: Texts, language: str | None, fields: tuple[str, ...]) -> None:
    """Refuse a field written in another language but not in `language` (the referral's)."""
    original = language or DEFAULT
    others = [lang for lang in texts if lang != original]
    for name, missing in unpaired(texts, fields, [original, *others]):
        if missing == original:
            raise ServiceError(FIRST[name], field=form_field(name, original),
                               language=language_name(original))


def language_name(code: str) -> str:
    """Return a content language's name as the site offers it ("Cymraeg")."""
    return current_app.config.get("PB_LANGUAGES", {}).get(code, code)


def store(row: Translated, texts: Texts, language: str | None) -> None:
    """Put `texts` in `row`: the original language's in its columns, the others' in
    `translations` (a new dict, so the change is saved), keeping the row's translations of
    fields `texts` does not name (a referral's question when its summary changes)."""
    _lang, originals, new = split(texts, keep=language or DEFAULT)
    for name, text in originals.items():
        setattr(row, name, text)
    merged: dict[str, dict[str, str]] = {}
    for lang, fields in (row.translations or {}).items():
        kept = {name: text for name, text in fields.items() if name not in originals}
        if kept:
            merged[lang] = kept
    for lang, fields in new.items():
        merged[lang] = {**merged.get(lang, {}), **fields}
    row.translations = merged or None
