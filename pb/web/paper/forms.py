"""Forms for paper ballots: a new batch, one paper, a resolution, counting a batch.

The ballot itself is not a WTForms field: its inputs come from the round's ballot method
(templates/voting/_ballot.html) and are read with pb.web.voting.ballot_form.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from pb.domain.paper import LABEL_MAX, MAX_SIZE
from pb.domain.values import parse_whole
from pb.web.ballot_form import PICKS, form_values
from pb.web.forms import Form


class BatchForm(Form):
    number = IntegerField(
        _l("Batch number"), description=_l("The number written on the bundle of papers."),
        validators=[InputRequired(_l("Give the batch a number.")),
                    NumberRange(1, None, _l("Give the batch a number of 1 or more."))])
    label = StringField(
        _l("Label (optional)"), description=_l("Where the papers come from, e.g. Ward 3 "
                                               "ballot box."),
        validators=[Optional(), Length(max=LABEL_MAX,
                                       message=_l("Use at most %(max)d characters."))])
    size = IntegerField(
        _l("Number of ballots in the batch"), description=_l("Count the papers first."),
        validators=[InputRequired(_l("Say how many ballots the batch holds.")),
                    NumberRange(1, MAX_SIZE, _l("Use a number from %(min)s to %(max)s."))])


class EntryForm(Form):
    spoilt = BooleanField(
        _l("Spoilt or blank ballot"),
        description=_l("Tick this when the paper is blank or cannot count as marked (for "
                       "example, too many crosses). It is recorded but counts for no project."))


class CommandForm(Form):
    """Only the CSRF token: resolving by a button and counting a batch take no typed input."""


def typed_values(method: str, raw: Any) -> dict[str, Any]:
    """Return what was typed into a ballot form, to show it again beside an error."""
    if method in PICKS:
        return dict.fromkeys(raw or [], True)
    values: dict[str, Any] = {}
    for pid, value in (raw or {}).items():
        text = str(value).strip()
        number = parse_whole(text)
        values[pid] = text if number is None else number
    return values


def stored_values(method: str, items: Any) -> dict[str, Any]:
    """Return the form values of a stored entry (nothing for a spoilt one)."""
    return form_values(method, items) if isinstance(items, (list, dict)) else {}
