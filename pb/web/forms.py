"""Pieces shared by every feature's forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

from pb.domain.errors import UserError
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
