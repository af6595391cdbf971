"""Forms for proposals: writing one, withdrawing it, and an officer's review."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from pb.domain import proposals as rules
from pb.domain.money import format_input, parse_amount
from pb.domain.values import parse_id, parse_whole
from pb.i18n import labels
from pb.models import Proposal, Round
from pb.services.proposals import ProposalData
from pb.web.forms import Form, domain_check, field_name, fill_texts, texts_of, with_languages
from pb.web.helpers import reader_language
from pb.web.proposals.place_form import PlaceFields

TOO_LONG = _l("Use at most %(max)d characters.")
RELOAD = _l("The form was incomplete; reload the page and try again.")


class ProposalForm(PlaceFields, Form):
    title = StringField(_l("Title"), description=_l("A few words that say what it is."),
                        validators=[DataRequired(_l("Give the proposal a title.")),
                                    Length(max=rules.TITLE_MAX, message=TOO_LONG)])
    summary = TextAreaField(
        _l("Short summary"), description=_l("One or two sentences, shown in the list."),
        validators=[DataRequired(_l("Write a short summary of the proposal.")),
                    Length(max=rules.SUMMARY_MAX, message=TOO_LONG)],
        render_kw={"rows": 3})
    body = TextAreaField(
        _l("Full description"),
        description=_l("What, where, who benefits and how. You can use Markdown: **bold**, "
                       "lists, links."),
        validators=[Optional(), Length(max=rules.BODY_MAX, message=TOO_LONG)],
        render_kw={"rows": 10})
    cost = StringField(_l("Estimated cost"),
                       description=_l("In pounds (or the round’s currency), e.g. 12000."),
                       validators=[DataRequired(_l("Enter an estimated cost."))])
    coauthors = StringField(
        _l("Co-authors (optional)"),
        description=_l("Email addresses of people with an account here, separated by commas."),
        validators=[Optional(), Length(max=1000, message=TOO_LONG)])
    form_key = HiddenField(validators=[DataRequired(RELOAD), Length(max=64, message=RELOAD)])
    version = HiddenField()

    def setup(self, round_: Round) -> None:
        """Offer the round's lists, and check costs in its currency."""
        self.round = round_
        self.cost.validators = [*self.cost.validators, domain_check(
            lambda text: parse_amount(text, round_.currency))]
        for name, items in (("category", round_.categories), ("area", round_.areas)):
            field = getattr(self, name)
            if items:
                field.choices = [("", _l("Choose one")), *(
                    (i, round_.category_shown(i, reader_language()).text
                     if name == "category" else i) for i in items)]
        if not self.is_submitted() and not self.form_key.data:
            self.form_key.data = secrets.token_urlsafe(24)

    def fill_from(self, proposal: Proposal) -> None:
        """Show an existing proposal in the form."""
        self.process(obj=proposal)
        languages = current_app.config["PB_LANGUAGES"]
        for name in rules.TEXT_FIELDS:  # the columns show each language's own text
            for code in languages:
                self[field_name(name, code, list(languages))].data = ""
        fill_texts(self, proposal.texts(), languages)
        self.cost.data = format_input(proposal.cost_minor, proposal.round.currency)
        self.version.data = str(proposal.version)
        self.form_key.data = proposal.form_key or "edit"
        self.fill_place(proposal)

    def data_for_service(self) -> ProposalData:
        """Return what the author wrote, as the service takes it."""
        emails = [e.strip() for e in (self.coauthors.data or "").split(",") if e.strip()]
        latitude, longitude = self.point()
        return ProposalData(
            latitude=latitude, longitude=longitude, place=self.place.data or "",
            title="", summary="", body="",
            texts=texts_of(self, rules.TEXT_FIELDS, current_app.config["PB_LANGUAGES"]),
            cost_minor=parse_amount(self.cost.data, self.round.currency),
            category=self.category.data or "", area=self.area.data or "",
            coauthors=emails)


def proposal_form(round_: Round, **kwargs: Any) -> ProposalForm:
    """Return a proposal form whose category and area are lists when the round has them,
    with its title, summary and full description in each language, side by side."""

    class RoundProposalForm(ProposalForm):
        pass

    for name, label, items, hint in (
            ("category", _l("Category"), round_.categories,
             _l("The kind of project, e.g. parks or transport.")),
            ("area", _l("Area"), round_.areas, _l("Where it would happen."))):
        if items:
            setattr(RoundProposalForm, name, SelectField(
                label, validators=[DataRequired(_l("Choose one from the list."))]))
        else:
            setattr(RoundProposalForm, name, StringField(
                label, description=hint,
                validators=[Optional(), Length(max=rules.CHOICE_MAX, message=TOO_LONG)]))
    form = with_languages(RoundProposalForm, rules.TEXT_FIELDS,
                          current_app.config["PB_LANGUAGES"])(**kwargs)
    form.setup(round_)
    return form


def version_of(form: Any) -> int | None:
    """Return the version the person saw, or None when the form did not say."""
    value = (form.version.data or "").strip()
    if not value:
        return None
    seen = parse_whole(value)
    return -1 if seen is None else seen  # not a version the proposal had: refused as stale


class WithdrawForm(Form):
    reason = TextAreaField(
        _l("Why are you withdrawing it?"), description=_l("Shown on the proposal’s page."),
        validators=[DataRequired(_l("Say why you are withdrawing the proposal; the reason is "
                                    "shown on its page.")),
                    Length(max=rules.NOTE_MAX, message=TOO_LONG)], render_kw={"rows": 3})
    version = HiddenField()


class ReviewForm(Form):
    outcome = SelectField(_l("Decision"))
    note = TextAreaField(
        _l("Public note"),
        description=_l("Shown on the proposal’s page. Required when it is not feasible or "
                       "its cost is adjusted."),
        validators=[Optional(), Length(max=rules.NOTE_MAX, message=TOO_LONG)],
        render_kw={"rows": 3})
    cost = StringField(_l("Adjusted cost"),
                       description=_l("Only for a feasible proposal at an adjusted cost."),
                       validators=[Optional()])
    # Not checked against the choices here: the service refuses a proposal it cannot merge into.
    merged_into = SelectField(_l("Merged into"), validate_choice=False, default="",
                              description=_l("Only when merging into another proposal."))
    version = HiddenField()

    def offer(self, proposal: Proposal, targets: list[Proposal]) -> None:
        """Offer the decisions and the proposals this one could be merged into."""
        self.outcome.choices = [(o, labels.PROPOSAL_OUTCOME_LABELS[o]) for o in rules.OUTCOMES]
        self.merged_into.choices = [("", _l("Not merged")),
                                    *((str(p.id), p.shown("title", reader_language()).text)
                                      for p in targets)]
        currency = proposal.round.currency
        self.cost.validators = [Optional(), domain_check(
            lambda text: parse_amount(text, currency))]
        if not self.is_submitted():
            self.version.data = str(proposal.version)

    def cost_minor(self, proposal: Proposal) -> int | None:
        """Return the adjusted cost typed, if any."""
        text = (self.cost.data or "").strip()
        return parse_amount(text, proposal.round.currency) if text else None

    def merged_into_id(self) -> int | None:
        """Return the chosen proposal to merge into, if any."""
        return parse_id(self.merged_into.data)
