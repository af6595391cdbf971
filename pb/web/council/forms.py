"""Forms for councils, referrals, advice and responses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pb.domain import council as rules
from pb.domain.values import parse_whole
from pb.i18n import labels
from pb.web.forms import Form

_MAX = _l("Use at most %(max)d characters.")
_DATE = _l("Enter the date as day, month and year, for example 2027-03-31.")


class CouncilForm(Form):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Give the council a name.")), Length(max=rules.NAME_MAX, message=_MAX)])
    remit = TextAreaField(
        _l("Remit"), description=_l("What the council advises on. You can use Markdown."),
        validators=[Optional(), Length(max=rules.BACKGROUND_MAX, message=_MAX)])
    response_days = IntegerField(
        _l("Days the decision body has to respond"), default=rules.DEFAULT_RESPONSE_DAYS,
        description=_l("Counted from the day advice is published; after that, a "
                       "recommendation without a response is shown as overdue."),
        validators=[InputRequired(_l("Enter a number of days, for example 30.")),
                    NumberRange(min=1, max=rules.MAX_RESPONSE_DAYS,
                                message=_l("Enter a number of days from %(min)s to %(max)s."))],
        render_kw={"inputmode": "numeric"})
    publish_rule = RadioField(
        _l("Who may publish the council’s advice"), default=rules.CHAIR,
        choices=[(rules.CHAIR, _l("The chair, after checking the draft")),
                 (rules.MAJORITY, _l("A majority of the current members, each approving the "
                                     "same draft"))])
    chair_id = SelectField(_l("Chair"), validate_choice=False,
                           description=_l("One of the council’s current members."))

    def offer_chairs(self, members: list) -> None:
        """Offer the council's current members as its chair."""
        self.chair_id.choices = [("", _l("No chair yet")),
                                 *((str(m.user_id), m.user.display_name) for m in members)]

    def chosen_chair(self) -> int | None:
        """Return the chosen chair's user id, if any."""
        return parse_whole(self.chair_id.data)


class PublishForm(Form):
    """The confirmation on the check page: the draft's digest, as the member read it."""

    draft = HiddenField(validators=[DataRequired()])


class MemberForm(Form):
    email = StringField(_l("Email address of the member"), validators=[
        DataRequired(_l("Enter the email address the member registered with."))],
        description=_l("They need an account with the council member role."))
    term_start = DateField(_l("Term starts"), validators=[
        DataRequired(_DATE)])
    term_end = DateField(_l("Term ends"), validators=[Optional()],
                         description=_l("Leave empty for an open-ended term."))


class EndTermForm(Form):
    term_end = DateField(_l("Last day of the term"), validators=[DataRequired(_DATE)])


class ReferralForm(Form):
    question = StringField(_l("Question for the council"), validators=[
        DataRequired(_l("Write the question you are putting to the council.")),
        Length(max=rules.QUESTION_MAX, message=_MAX)])
    background = TextAreaField(
        _l("Background papers"),
        description=_l("What the council needs to know: facts, options, costs, links. You "
                       "can use Markdown."),
        validators=[Optional(), Length(max=rules.BACKGROUND_MAX, message=_MAX)])
    advice_due = DateField(_l("Advice wanted by"), validators=[DataRequired(_DATE)])


class RecommendationForm(Form):
    text = TextAreaField(_l("Recommendation"), validators=[
        DataRequired(_l("Write the recommendation.")), Length(max=rules.TEXT_MAX, message=_MAX)],
        description=_l("One clear thing the decision body should do."))
    rationale = TextAreaField(_l("Rationale"), validators=[
        Optional(), Length(max=rules.TEXT_MAX, message=_MAX)],
        description=_l("Why the council recommends it: the evidence and the trade-offs."))


class SummaryForm(Form):
    summary = TextAreaField(
        _l("Summary of the advice"),
        description=_l("Published above the recommendations. You can use Markdown."),
        validators=[Optional(), Length(max=rules.BACKGROUND_MAX, message=_MAX)])


class ResponseForm(Form):
    outcome = SelectField(_l("Response"))
    reasons = TextAreaField(
        _l("Reasons"),
        description=_l("Required unless the recommendation is accepted in full: at least "
                       "%(n)d characters, because residents have a right to know why advice "
                       "was not followed.", n=rules.MIN_REASONS),
        validators=[Optional(), Length(max=rules.REASONS_MAX, message=_MAX)])
    deferred_until = DateField(_l("Decision deferred until"), validators=[Optional()],
                               description=_l("Only for a deferred response."))
    version = HiddenField()
    amend = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = [(o, labels.OUTCOME_LABELS[o]) for o in rules.OUTCOMES]

    def seen_version(self) -> int | None:
        """Return the response version the officer was looking at, if the form says."""
        return parse_whole(self.version.data)


class RegisterFilterForm(Form):
    class Meta:
        csrf = False

    council = SelectField(_l("Council"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    year = SelectField(_l("Year published"), validators=[Optional()])

    def offer(self, councils: list, years: list[int]) -> None:
        """Fill the choices: every council, every status, every year with advice."""
        self.council.choices = [("", _l("All councils")),
                                *((str(c.id), c.name) for c in councils)]
        self.status.choices = [("", _l("Any status")),
                               *((s, labels.STATUS_LABELS[s]) for s in rules.STATUSES)]
        self.year.choices = [("", _l("Any year")), *((str(y), str(y)) for y in years)]
