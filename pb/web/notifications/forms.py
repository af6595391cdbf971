"""Forms for notifications: follow buttons, marking read, and the settings page."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField, RadioField

from pb.domain.notifications import DELIVERIES, KINDS
from pb.services.notifications import DELIVERY_LABELS, KIND_LABELS
from pb.web.forms import Form


class FollowForm(Form):
    follow = HiddenField(default="1")


class MarkReadForm(Form):
    """Mark everything read (a button on the list)."""


class SettingsForm(Form):
    """One choice per kind: at once, in a daily digest, or no email."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = [getattr(self, kind) for kind in KINDS]


for _kind in KINDS:
    setattr(SettingsForm, _kind, RadioField(
        KIND_LABELS[_kind], choices=[(d, DELIVERY_LABELS[d]) for d in DELIVERIES]))
