"""Forms of the voting pages (the ballot's own inputs are read by `ballot_form`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from pb.i18n import labels
from pb.models import Round
from pb.web.forms import Form


class BallotForm(Form):
    """The ballot's idempotency key and which button was pressed (review, change, confirm)."""

    key = HiddenField()
    action = HiddenField()


class CodeForm(Form):
    code = StringField(
        _l("Your voting code"), description=_l("It is on your card, like ABCD-EFGH-JKMN. "
                                               "Capitals and dashes do not matter."),
        validators=[DataRequired(_l("Type the code from your card.")),
                    Length(max=40, message=_l("That is longer than any voting code; check "
                                              "the card."))])


class CensusForm(Form):
    identifier = StringField(
        _l("Your identifier"), description=_l("As on the letter you were sent, such as a "
                                              "resident or pupil number."),
        validators=[DataRequired(_l("Fill in your identifier.")),
                    Length(max=200, message=_l("Use at most %(max)d characters."))])
    check = StringField(validators=[DataRequired(_l("Fill in the second detail too.")),
                                    Length(max=40, message=_l("Use at most %(max)d "
                                                              "characters."))])

    def __init__(self, round_: Round, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        kind = round_.census_check or "postcode"
        self.check.label.text = labels.CENSUS_CHECK_LABELS[kind]
        self.check.description = labels.CENSUS_CHECK_HINTS[kind]


class ReceiptForm(Form):
    receipt = StringField(
        _l("Receipt code"), description=_l("The code shown when you voted, like "
                                           "ABCD-EFGH-JKMN."),
        validators=[DataRequired(_l("Type the receipt code you were given.")),
                    Length(max=40, message=_l("That is longer than any receipt code; check "
                                              "it."))])


class FinishForm(Form):
    """Only the CSRF token: forget this device's vote details."""
