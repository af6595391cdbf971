"""Pieces shared by every feature's forms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import DataRequired, Optional, ValidationError

from pb.domain.errors import UserError
from pb.domain.languages import form_field
from pb.i18n import translate_error


class Form(FlaskForm):
    """A form whose service errors can be shown against a field or above the form.

    Its fields' text is storable: pb.web.requests takes NUL characters out of every form.
    """

    form_errors_extra: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_errors_extra = []

    def fail(self, error: UserError, field: Field | None = None) -> None:
        """Show a refusal next to `field` (or the field the error names), or above the form."""
        message = translate_error(error)
        if field is None and error.field is not None:
            field = getattr(self, error.field, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            self.form_errors_extra.append(message)

    @property
    def all_errors(self) -> list[tuple[str | None, str]]:
        """Return (field id, message) pairs for the error summary at the top of the page."""
        pairs: list[tuple[str | None, str]] = [(None, m) for m in self.form_errors_extra]
        for field in self:
            pairs.extend((field.id, str(m)) for m in field.errors)
        return pairs


def domain_check(check: Any, *args: Any) -> Any:
    """Turn a domain check raising `UserError` into a WTForms validator."""

    def validator(form: Form, field: Field) -> None:
        try:
            check(field.data, *args)
        except UserError as error:
            raise ValidationError(translate_error(error)) from None

    return validator


def with_languages(base: type[Form], names: Sequence[str],
                   languages: Mapping[str, str]) -> type[Form]:
    """Return `base` with a column of `names` fields per content language, side by side.

    The first language keeps the fields' own names (`title`); each other language `xx` gets a
    copy named `title_xx`, labelled with the language's name and marked with its `lang`. No
    copy is required: which languages must be written is the service's call
    (`pb.domain.languages.unpaired`), so `DataRequired` on a base field is dropped too.
    """
    codes = list(languages)
    attrs: dict[str, Any] = {}
    for name in names:
        unbound = getattr(base, name)
        for code in codes:
            kwargs = dict(unbound.kwargs)
            label = unbound.args[0] if unbound.args else kwargs.pop("label", name)
            kwargs["validators"] = [Optional(), *(v for v in kwargs.get("validators", [])
                                                  if not isinstance(v, DataRequired))]
            kwargs["render_kw"] = {**(kwargs.get("render_kw") or {}), "lang": code}
            attrs[field_name(name, code, codes)] = unbound.field_class(
                LanguageLabel(label, languages[code]), *unbound.args[1:], **kwargs)
    return type(base.__name__, (base,), attrs)


class LanguageLabel:
    """A field's label followed by the language of its column: "Title (Cymraeg)"."""

    def __init__(self, label: Any, language: str) -> None:
        self.label, self.language = label, language

    def __str__(self) -> str:
        return f"{self.label} ({self.language})"


def field_name(name: str, code: str, codes: Sequence[str]) -> str:
    """Return the form field holding `name` in language `code` (the first keeps the name)."""
    return form_field(name, code, codes[0])


def texts_of(form: Form, names: Sequence[str],
             languages: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Return what the form's language columns hold: {language: {name: text}}."""
    codes = list(languages)
    return {code: {name: (form[field_name(name, code, codes)].data or "") for name in names}
            for code in codes}


def fill_texts(form: Form, texts: Mapping[str, Mapping[str, str]],
               languages: Mapping[str, str]) -> None:
    """Show a row's texts by language (`Translated.texts()`) in the form's columns."""
    codes = list(languages)
    for code, values in texts.items():
        if code in codes:
            for name, text in values.items():
                if field_name(name, code, codes) in form:
                    form[field_name(name, code, codes)].data = text
