"""User-facing errors that stay translatable without importing any web framework."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark `message` for translation; it is translated where it is shown, not here."""
    return message


class UserError(ValueError):
    """An error a person can fix: a sentence (a gettext template) and its values.

    `field` names the form field the error belongs to, when there is one.
    """

    field: str | None = None
    # Values that are stored names (a phase, a role) are shown as their translated label;
    # this maps such parameters to the kind of name they hold, e.g. {"later": "phase"}.
    kinds: dict[str, str] = {}

    def __init__(self, template: str, *, field: str | None = None, **params: object) -> None:
        self.template = template
        self.params = params
        if field is not None:
            self.field = field
        super().__init__(template % params if params else template)
