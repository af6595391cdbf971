"""Forms for admins."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length

from pb.domain.roles import GRANTABLE
from pb.i18n import labels
from pb.web.forms import Form


class RoleForm(Form):
    role = SelectField(_l("Role"))
    action = HiddenField(default="grant")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r, labels.ROLE_LABELS[r]) for r in GRANTABLE]


class ConfirmForm(Form):
    """A button that only needs the CSRF token (ending someone's sessions)."""


class SitePageForm(Form):
    """An admin's own text for the privacy notice or the accessibility statement."""

    body = TextAreaField(
        _l("Text of the page"),
        description=_l("Markdown: ## for a heading, - for a list item, [words](https://...) "
                       "for a link. Leave it empty and save to bring the default text back."),
        validators=[Length(max=50_000, message=_l("Use at most 50,000 characters."))])
