"""Forms officers use on the results page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from pb.domain.outcomes import DEPARTURES, IMPLEMENTATION
from pb.i18n import labels
from pb.web.forms import Form


class CertifyForm(Form):
    """The confirmation on the check page: the digest of the count, as the officer read it."""

    count = HiddenField(validators=[DataRequired()])


class DepartureForm(Form):
    project = SelectField(_l("Project"))
    action = SelectField(_l("Decision"))
    reason = TextAreaField(
        _l("Public reason"),
        description=_l("Shown on the results page and in the decision record. Residents will "
                       "read why their vote was not followed."),
        validators=[DataRequired(_l("Give the public reason for departing from the vote.")),
                    Length(max=4000, message=_l("Use at most %(max)d characters."))])

    def offer(self, projects: list[tuple[str, str]]) -> None:
        self.project.choices = projects
        self.action.choices = [(a, labels.DEPARTURE_LABELS[a]) for a in DEPARTURES]


class UpdateForm(Form):
    project = SelectField(_l("Funded project"))
    status = SelectField(_l("Status"))
    spent = StringField(_l("Spent so far"), description=_l("Optional. For example 12500."),
                        validators=[Optional()])
    note = TextAreaField(
        _l("Public note"),
        description=_l("What happened. A reason is required when a project is cancelled."),
        validators=[Optional(), Length(max=4000, message=_l("Use at most %(max)d characters."))])

    def offer(self, projects: list[tuple[str, str]]) -> None:
        self.project.choices = projects
        self.status.choices = [(s, labels.IMPLEMENTATION_LABELS[s]) for s in IMPLEMENTATION]
