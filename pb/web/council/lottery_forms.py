"""Forms for choosing a council by lot: opening a recruitment, volunteering, importing,
entering the seed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pb.domain.sortition.quotas import Quotas
from pb.services.council import recruitment as rec
from pb.web.forms import Form

_MAX = _l("Use at most %(max)d characters.")
_DATE = _l("Enter the date as day, month and year, for example 2027-03-31.")

EXAMPLE_QUOTAS = """feature,category,min,max,population
Age,16-39,4,6,0.40
Age,40-64,4,6,0.38
Age,65 and over,2,4,0.22
Area,North,3,5,0.34
Area,Centre,3,5,0.33
Area,South,3,5,0.33
"""


class RecruitmentForm(Form):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Give the recruitment a title.")),
        Length(max=rec.TITLE_MAX, message=_MAX)],
        description=_l("For example “Town council members 2027–2028”."))
    seats = IntegerField(
        _l("Seats on the panel"), default=12, render_kw={"inputmode": "numeric"},
        validators=[InputRequired(_l("Say how many people the lottery chooses.")),
                    NumberRange(min=1, max=500, message=_l("Enter a number of seats from "
                                                           "%(min)s to %(max)s."))])
    closes_at = DateTimeLocalField(
        _l("Volunteering closes (UTC)"), format="%Y-%m-%dT%H:%M", render_kw={"step": 60},
        description=_l("Date and time in UTC (Coordinated Universal Time). After this, "
                       "nobody can volunteer and you can publish the selection."),
        validators=[DataRequired(_l("Enter the date and time volunteering closes, for "
                                    "example 2027-03-31 18:00."))])
    term_start = DateField(_l("Term starts"), validators=[DataRequired(_DATE)])
    term_end = DateField(_l("Term ends"), validators=[Optional()],
                         description=_l("Leave empty for an open-ended term."))
    seed_source = TextAreaField(
        _l("How the seed will be drawn"),
        description=_l("Fixed now, before anyone volunteers, and shown to everyone: a public "
                       "event nobody can steer, for example “five numbers drawn from a bag "
                       "at the council meeting on 12 March”. Two officers type what it gives "
                       "after the selection is published."),
        validators=[DataRequired(_l("Say how the seed will be drawn.")),
                    Length(max=rec.SEED_SOURCE_MAX, message=_MAX)])
    quotas = TextAreaField(
        _l("Quotas"), default=EXAMPLE_QUOTAS, render_kw={"rows": 10, "spellcheck": "false"},
        description=_l("One line per category, after the header line "
                       "“feature,category,min,max,population”: the feature (such as Age), "
                       "the category (such as 16-39), the fewest and the most seats it may "
                       "take, and optionally its share of the population (0.40 or 40%). "
                       "Each feature needs at least two categories; volunteers choose one "
                       "category for each feature. The example is a start: change it."),
        validators=[DataRequired(_l("Write the quotas."))])
    panel_count = IntegerField(
        _l("Panels in the lottery"), default=1000, render_kw={"inputmode": "numeric"},
        description=_l("The published lottery lists this many panels and the seed picks one. "
                       "More panels keep each chance closer to the fair one; 1000 is usual."),
        validators=[InputRequired(_l("Say how many panels the lottery lists.")),
                    NumberRange(min=10, max=10000, message=_l(
                        "Enter a number of panels from %(min)s to %(max)s."))])

    def data_for_service(self) -> rec.RecruitmentData:
        """Return what the officer entered, the closing time read as UTC."""
        closes: datetime = self.closes_at.data
        return rec.RecruitmentData(
            title=self.title.data or "", seats=self.seats.data or 0,
            closes_at=closes.replace(tzinfo=UTC), term_start=self.term_start.data,
            term_end=self.term_end.data, seed_source=self.seed_source.data or "",
            quotas=self.quotas.data or "", panel_count=self.panel_count.data or 0)


class VolunteerForm(Form):
    """The public form; `for_quotas` adds one choice per feature."""

    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=120, message=_MAX)])
    email = EmailField(_l("Your email address"), validators=[
        DataRequired(_l("Enter your email address, like name@example.org.")),
        Length(max=254, message=_MAX)],
        description=_l("We send you a link to confirm it. If you are drawn, the invitation "
                       "comes here too."))
    phone = StringField(_l("Phone number (optional)"), validators=[
        Optional(), Length(max=40, message=_MAX)])
    consent = BooleanField(
        _l("I agree that my details are seen only by the council’s officers; the public sees "
           "only counts and my volunteer number."),
        validators=[DataRequired(_l("Tick the box to agree how your details are used, or "
                                    "you cannot volunteer."))])

    features: list[tuple[str, str]]  # (field name, feature name)

    @classmethod
    def for_quotas(cls, quotas: Quotas, **kwargs: Any) -> VolunteerForm:
        """Return the form with a choice of category for each of the quotas' features."""

        class Asked(cls):  # type: ignore[valid-type, misc]
            pass

        features = []
        for i, feature in enumerate(quotas.features):
            name = f"feature_{i}"
            setattr(Asked, name, SelectField(
                feature.name, validate_choice=False,
                choices=[("", _l("Choose…")), *((c.name, c.name) for c in feature.categories)],
                validators=[DataRequired(_l("Choose your answer for “%(feature)s”.",
                                            feature=feature.name))]))
            features.append((name, feature.name))
        form = Asked(**kwargs)
        form.features = features
        return form

    def answers(self) -> dict[str, str]:
        """Return the volunteer's answers by feature."""
        return {feature: self[name].data or "" for name, feature in self.features}

    def field_for(self, feature: str) -> Any:
        """Return the choice for `feature`, if the form asks it."""
        return next((self[name] for name, f in self.features if f == feature), None)


class ImportForm(Form):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,.txt,text/csv"},
                     validators=[FileAllowed(["csv", "txt"], _l(
                         "Upload a .csv file. In your spreadsheet program choose Save as, "
                         "pick “CSV UTF-8”, and upload that file."))])
    text = TextAreaField(_l("Or paste the rows here"), validators=[Optional()],
                         render_kw={"rows": 6, "spellcheck": "false"})

    def contents(self) -> str | None:
        """Return the CSV text from the file (or the text box); None if it is not UTF-8."""
        if self.file.data:
            try:
                return str(self.file.data.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                return None
        return self.text.data or ""


class SeedForm(Form):
    seed = StringField(_l("The seed, as drawn in public"), validators=[
        DataRequired(_l("Enter the seed as announced."))],
        description=_l("Type exactly what the public draw gave, for example “12 7 33 41 5”. "
                       "Spaces and commas between the parts do not matter."),
        render_kw={"autocomplete": "off", "spellcheck": "false"})
