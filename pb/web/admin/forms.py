"""Forms for admins."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField

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
