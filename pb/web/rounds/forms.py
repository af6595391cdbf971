"""Forms for budget rounds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from pb.domain import eligibility, phases
from pb.domain.ballots import MAX_LIMIT
from pb.domain.languages import DEFAULT, split
from pb.domain.money import format_input, parse_amount
from pb.domain.proposals import parse_choices
from pb.domain.rounds import AREA_MAX, BALLOT_METHODS, DESCRIPTION_MAX, TALLY_RULES, TITLE_MAX
from pb.i18n import labels
from pb.services.rounds import RoundData
from pb.web.forms import Form, domain_check, field_name, fill_texts, texts_of, with_languages

SCHEDULED = phases.PUBLIC_PHASES


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PB_TIMEZONE"])


def to_utc(local: datetime | None) -> datetime | None:
    """Read a time typed in the site's time zone as UTC."""
    return None if local is None else local.replace(tzinfo=_zone()).astimezone(UTC)


def to_local(utc: datetime | None) -> datetime | None:
    """Show a UTC time in the site's time zone, as a form field expects it."""
    return None if utc is None else utc.astimezone(_zone()).replace(tzinfo=None)


class RoundForm(Form):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Give the round a title.")),
        Length(max=TITLE_MAX, message=_l("Use at most %(max)d characters."))])
    area = StringField(_l("Area"), description=_l("The neighbourhood, ward or town it covers."),
                       validators=[DataRequired(_l("Say which area the round is for.")),
                                   Length(max=AREA_MAX,
                                          message=_l("Use at most %(max)d characters."))])
    description = TextAreaField(
        _l("Description"), description=_l("What the money is for and who can take part. "
                                          "You can use Markdown: **bold**, lists, links."),
        validators=[Optional(), Length(max=DESCRIPTION_MAX,
                                       message=_l("Use at most %(max)d characters."))])
    both_languages = BooleanField(
        _l("Publish this round in both languages"),
        description=_l("Then its title, description and categories, and every proposal "
                       "submitted to it, must be written in each language."))
    currency = StringField(_l("Currency"), description=_l("A three-letter code, such as GBP."),
                           validators=[DataRequired(_l("Enter a currency code, such as GBP.")),
                                       Length(min=3, max=3, message=_l(
                                           "Use a three-letter code, such as GBP."))])
    budget = StringField(_l("Total budget"),
                         description=_l("In pounds (or the currency above), e.g. 250000."),
                         validators=[DataRequired(_l("Enter the total budget."))])
    ballot_method = SelectField(_l("Ballot method"))
    tally_rule = SelectField(_l("Counting rule"))
    ballot_limit = IntegerField(
        _l("Most projects a voter picks or ranks"),
        description=_l("For approval and ranked ballots. Leave empty for no limit."),
        validators=[Optional(), NumberRange(1, MAX_LIMIT, _l("Use a number from %(min)s to "
                                                             "%(max)s."))])
    ballot_points = IntegerField(
        _l("Points each voter spreads"), description=_l("For cumulative ballots, e.g. 10."),
        validators=[Optional(), NumberRange(1, MAX_LIMIT, _l("Use a number from %(min)s to "
                                                             "%(max)s."))])
    ballot_max_points = IntegerField(
        _l("Most points on one project"),
        description=_l("For cumulative ballots. Leave empty for no cap."),
        validators=[Optional(), NumberRange(1, MAX_LIMIT, _l("Use a number from %(min)s to "
                                                             "%(max)s."))])
    min_spend_percent = IntegerField(
        _l("Share of the budget a knapsack ballot must use (%)"), default=0,
        description=_l("0 lets voters choose any projects that fit the budget."),
        validators=[Optional(), NumberRange(0, 100, _l("Use a percentage from %(min)s to "
                                                       "%(max)s."))])
    eligibility = SelectField(_l("Who may vote"), default="accounts")
    verified_only = BooleanField(_l("Only accounts with a confirmed email address"))
    census_check = SelectField(
        _l("Second detail census voters give"), default="postcode",
        description=_l("Besides their identifier (such as a resident or pupil number)."))
    double_entry = BooleanField(
        _l("Paper ballots are entered twice, by two people, and count only when both "
           "entries agree"))
    running_totals = BooleanField(
        _l("Show running totals while voting is open"),
        description=_l("Off by default: early totals can sway the people who have not voted "
                       "yet."))
    show_thumbnails = BooleanField(
        _l("Show photo thumbnails on the list of proposals and the ballot"),
        description=_l("Visitors who save data never get them; proposal pages always show "
                       "their photos."), default=True)
    categories = TextAreaField(
        _l("Categories of proposals"),
        description=_l("One per line, e.g. Parks. Authors choose one; leave empty to let "
                       "them type their own."), validators=[Optional()])
    areas = TextAreaField(
        _l("Areas of proposals"),
        description=_l("One per line, e.g. a ward or street. Authors choose one; leave empty "
                       "to let them type their own."), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.ballot_method.choices = [(m, labels.BALLOT_LABELS[m]) for m in BALLOT_METHODS]
        self.tally_rule.choices = [(r, labels.RULE_LABELS[r]) for r in TALLY_RULES]
        self.eligibility.choices = [(m, labels.ELIGIBILITY_LABELS[m])
                                    for m in eligibility.MODES]
        self.census_check.choices = [(c, labels.CENSUS_CHECK_LABELS[c])
                                     for c in eligibility.CENSUS_CHECKS]
        # The language the round's text was first written in (set by the edit page).
        self.current_language: str | None = None
        self.budget.validators = [*self.budget.validators,
                                  domain_check(lambda text: parse_amount(text, self._currency()))]

    def _currency(self) -> str:
        return (self.currency.data or "").strip().upper()

    def fill_from(self, round_: Any) -> None:
        """Show an existing round's settings in the form, each text in its language's column."""
        self.process(obj=round_)
        self.current_language = round_.language
        codes = list(_languages())
        for code in codes:
            for name in TEXTS:
                self[field_name(name, code, codes)].data = ""
        fill_texts(self, round_.texts(), _languages())
        own = round_.language or DEFAULT
        names = round_.category_names or {}
        for code in codes:
            lines = [c if code == own else names.get(c, {}).get(code, c)
                     for c in round_.categories or []]
            if code == own or any(code in names.get(c, {}) for c in round_.categories or []):
                self[field_name("categories", code, codes)].data = "\n".join(lines)
            else:
                self[field_name("categories", code, codes)].data = ""
        self.budget.data = format_input(round_.budget_minor, round_.currency)
        self.areas.data = "\n".join(round_.areas or [])  # type: ignore[attr-defined]
        for phase, when in round_.starts.items():  # type: ignore[attr-defined]
            getattr(self, f"starts_{phase}").data = to_local(when)

    def _texts(self) -> tuple[str, dict[str, dict[str, str]]]:
        """Return the language written first (the round's own while it has text) and the
        title and description in each language."""
        texts = texts_of(self, TEXTS, _languages())
        language = split(texts, keep=self.current_language)[0] or DEFAULT
        return language, texts

    def _category_lists(self) -> dict[str, list[str]]:
        codes = list(_languages())
        return {code: parse_choices(self[field_name("categories", code, codes)].data or "")
                for code in codes}

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the form's fields, then that the round has a title in some language and
        that each list of category names pairs line by line with the categories."""
        valid = super().validate(extra_validators)
        codes = list(_languages())
        language, texts = self._texts()
        if not any(t["title"].strip() for t in texts.values()):
            self.title.errors = [*self.title.errors, _l("Give the round a title, in English "
                                                        "or Cymraeg.")]
            return False
        lists = self._category_lists()
        own = lists.get(language, [])
        for code, names in lists.items():
            if code == language or not names:
                continue
            target = self[field_name("categories", language if not own else code, codes)]
            if not own:
                target.errors = [*target.errors, _l(
                    "List the categories in %(language)s too, one per line in the same order "
                    "as in %(other)s.", language=_languages()[language],
                    other=_languages()[code])]
                valid = False
            elif len(names) != len(own):
                target.errors = [*target.errors, _l(
                    "List %(count)d names in %(language)s, one per line in the same order as "
                    "the categories in %(other)s (this list has %(given)d).", count=len(own),
                    language=_languages()[code], other=_languages()[language],
                    given=len(names))]
                valid = False
        return valid

    def data_for_service(self) -> RoundData:
        """Return what the officer entered, as the service takes it."""
        language, texts = self._texts()
        lists = self._category_lists()
        categories = lists.get(language, [])
        names: dict[str, dict[str, str]] = {}
        for code, others in lists.items():
            if code != language and len(others) == len(categories):
                for category, name in zip(categories, others, strict=True):
                    names.setdefault(category, {})[code] = name
        starts = {}
        for phase in SCHEDULED:
            value = to_utc(getattr(self, f"starts_{phase}").data)
            if value is not None:
                starts[phase] = value
        return RoundData(
            title=texts[language]["title"], area=self.area.data or "",
            description=texts[language]["description"], currency=self._currency(),
            language=language, both_languages=bool(self.both_languages.data),
            translations={code: t for code, t in texts.items() if code != language},
            budget_minor=parse_amount(self.budget.data, self._currency()),
            ballot_method=self.ballot_method.data, tally_rule=self.tally_rule.data,
            starts=starts, categories=categories, category_names=names,
            areas=parse_choices(self.areas.data or ""),
            ballot_limit=self.ballot_limit.data, ballot_points=self.ballot_points.data,
            ballot_max_points=self.ballot_max_points.data,
            min_spend_percent=self.min_spend_percent.data or 0,
            eligibility=self.eligibility.data,
            verified_only=bool(self.verified_only.data),
            census_check=self.census_check.data if self.eligibility.data == "census" else None,
            double_entry=bool(self.double_entry.data),
            running_totals=bool(self.running_totals.data),
            show_thumbnails=bool(self.show_thumbnails.data))


for _phase in SCHEDULED:
    setattr(RoundForm, f"starts_{_phase}", DateTimeLocalField(
        labels.PHASE_LABELS[_phase], format="%Y-%m-%dT%H:%M", validators=[Optional()],
        render_kw={"step": 60}))

# The texts written in each language, side by side; categories pair with them line by line.
TEXTS = ("title", "description")
_BY_LANGUAGES: dict[tuple[tuple[str, str], ...], type[RoundForm]] = {}


def _languages() -> dict[str, str]:
    return current_app.config["PB_LANGUAGES"]


def round_form(**kwargs: Any) -> RoundForm:
    """Return the round form with a column of texts per language the site offers."""
    key = tuple(_languages().items())
    if key not in _BY_LANGUAGES:
        form_class = with_languages(RoundForm, [*TEXTS, "categories"], _languages())
        for code in list(_languages())[1:]:
            getattr(form_class, f"categories_{code}").kwargs["description"] = _l(
                "One per line: line 1 names the category on line 1 of the first list, and "
                "so on.")
        _BY_LANGUAGES[key] = form_class
    return _BY_LANGUAGES[key](**kwargs)


class PhaseForm(Form):
    target = SelectField(_l("Move the round to"))
    reason = TextAreaField(
        _l("Public reason"),
        description=_l("Shown on the timeline. Required when going back a phase."),
        validators=[Optional(), Length(max=1000, message=_l("Use at most %(max)d characters."))])
    expected = HiddenField()
    # Set by the page that shows what moving back does: only then does a move back happen.
    confirmed = HiddenField()

    def offer(self, current: str) -> None:
        """Offer the phases a round in `current` may move to: any later one, or one back."""
        i = phases.index(current)
        allowed = list(phases.PHASES[i + 1:])
        if i > 0:
            allowed.append(phases.PHASES[i - 1])
        self.target.choices = [(p, labels.PHASE_LABELS[p]) for p in allowed]
        if not self.is_submitted():
            self.expected.data = current
            self.target.data = phases.next_phase(current)
