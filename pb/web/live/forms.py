"""Forms of the live-session pages, and the agenda table read row by row from the request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from pb.domain import live as rules
from pb.domain.errors import N_, UserError
from pb.domain.values import parse_whole
from pb.i18n import translate_error
from pb.web.forms import Form

ACCESS_CHOICES = {
    "open": (_l("Anyone in the room, with the session code"),
             _l("Only the session code: nobody gives any personal details. Best for young "
                "people and open events. Someone could score from two phones, so use it "
                "where you trust the room.")),
    "cards": (_l("People with a printed voting code"),
              _l("Each person types the voting code from their card as well, so each card "
                 "scores once. The round must vote with codes.")),
    "accounts": (_l("People with an account on this site"),
                 _l("Each person logs in on their phone first. Their scores are the same "
                    "ballot they could cast online.")),
}
METHOD_CHOICES = {
    "scoring": (_l("Score each pitch from 1 to 10"),
                _l("For rounds that use scoring ballots, as at UDecide events.")),
    "approval": (_l("Support or not"),
                 _l("Each person says whether they support each pitch. For rounds that use "
                    "approval or budget (knapsack) ballots.")),
}
QUESTION_CHOICES = {
    "held": (_l("Held until the facilitator approves them"),
             _l("Questions from phones wait on the console; only the ones you approve reach "
                "the projector and the phones. The usual choice when anyone in the room can "
                "join with just the session code.")),
    "shown": (_l("Shown at once"),
              _l("Questions go straight onto the projector and the phones. You can still "
                 "hide one, with a reason.")),
}
DEFAULT_PITCH_MINUTES = "3"
DEFAULT_QUESTION_MINUTES = "2"
MAX_ORDER = 999


class AgendaField(Field):
    """Stands for the agenda table in the error summary; its rows are read by `read_agenda`."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None


class SessionForm(Form):
    """The settings of a live session; the agenda comes from the table below it."""

    title = StringField(
        _l("Title"), description=_l("What people see on the projector, such as “Youth "
                                    "Decide night at the library”."),
        validators=[DataRequired(_l("Give the session a title, such as the event's name.")),
                    Length(max=200, message=_l("Use at most %(max)d characters."))])
    round_id = SelectField(_l("Round"), coerce=int, validate_choice=False,
                           description=_l("The round whose ballot the room scores. Only rounds "
                                          "in their deliberation or voting phase are listed."),
                           validators=[Optional()])
    access = RadioField(_l("Who may join"), default="open", validate_choice=False,
                        choices=[(k, v[0]) for k, v in ACCESS_CHOICES.items()],
                        validators=[DataRequired(_l("Choose who may join."))])
    method = RadioField(_l("How the room scores"), default="scoring", validate_choice=False,
                        choices=[(k, v[0]) for k, v in METHOD_CHOICES.items()],
                        validators=[DataRequired(_l("Choose how the room scores."))])
    questions = RadioField(_l("Questions from the room"), default="held",
                           validate_choice=False,
                           choices=[(k, v[0]) for k, v in QUESTION_CHOICES.items()],
                           validators=[Optional()])
    agenda = AgendaField(_l("Tonight's pitches"))
    action = HiddenField()

    def moderated(self, keep: bool | None = None) -> bool | None:
        """Return whether the chosen setting holds questions for approval; when none was
        sent, `keep` (an edited session's own), or else the default for who may join."""
        if self.questions.raw_data and self.questions.data in QUESTION_CHOICES:
            return self.questions.data == "held"
        if keep is not None:
            return keep
        return rules.moderated_by_default(self.access.data or "")


@dataclass
class AgendaRow:
    """One project in the agenda table, as shown and as typed."""

    proposal: Any
    chosen: bool
    order: str
    pitch: str
    questions: str
    error: str | None = None

    @property
    def pid(self) -> int:
        return int(self.proposal.id)


def minutes(seconds: int) -> str:
    """Show seconds as minutes for the form: 180 → "3", 90 → "1.5"."""
    value = Decimal(seconds) / 60
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def default_rows(projects: list[Any], items: list[Any] | None = None) -> list[AgendaRow]:
    """Return the table as first shown: a session's agenda, or every project pitching."""
    if items is None:
        return [AgendaRow(p, True, str(n), DEFAULT_PITCH_MINUTES, DEFAULT_QUESTION_MINUTES)
                for n, p in enumerate(projects, start=1)]
    planned = {i.proposal_id: i for i in items}
    rows = []
    later = len(items)
    for p in projects:
        item = planned.get(p.id)
        if item is not None:
            rows.append(AgendaRow(p, True, str(item.position + 1), minutes(item.pitch_seconds),
                                  minutes(item.question_seconds)))
        else:
            later += 1
            rows.append(AgendaRow(p, False, str(later), DEFAULT_PITCH_MINUTES,
                                  DEFAULT_QUESTION_MINUTES))
    return sorted(rows, key=lambda r: (not r.chosen, _whole(r.order) or 0))


def _whole(text: str) -> int | None:
    return parse_whole(text, most=9999)


def _seconds(text: str) -> int:
    """Read minutes as typed ("3", "1.5", "1,5") as whole seconds, or refuse clearly."""
    cleaned = (text or "").strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UserError(N_("Give the time in minutes, such as 3 or 1.5.")) from None
    if not value.is_finite():
        raise UserError(N_("Give the time in minutes, such as 3 or 1.5."))
    # Refuse a far-off time before any arithmetic: "1e999999" would overflow the decimal
    # context, and turning "9e999990" into an int would take minutes. (Comparing is exact.)
    if value.copy_abs() > rules.MAX_SECONDS:
        raise UserError(N_("Give times from 10 seconds to an hour."))
    try:
        seconds = int((value * 60).to_integral_value())
    except ArithmeticError:  # decimal.Overflow and the like: nothing a timer could hold
        raise UserError(N_("Give times from 10 seconds to an hour.")) from None
    return rules.check_seconds(seconds)


def read_agenda(projects: list[Any],
                form: Mapping[str, str]) -> tuple[list[AgendaRow], list[tuple[int, int, int]]]:
    """Read the agenda table: every row as typed (errors on the rows that are wrong), and
    the agenda for the service as (proposal id, pitch s, question s) in pitching order."""
    rows = []
    for p in projects:
        rows.append(AgendaRow(p, form.get(f"pitches-{p.id}") == "y",
                              form.get(f"order-{p.id}", "")[:10],
                              form.get(f"pitch-{p.id}", "")[:10],
                              form.get(f"questions-{p.id}", "")[:10]))
    planned: list[tuple[int, int, int, int]] = []
    for row in rows:
        if not row.chosen:
            continue
        order = _whole(row.order)
        try:
            if order is None or not 1 <= order <= MAX_ORDER:
                raise UserError(N_("Give the order as a whole number, such as 1 for the first "
                                   "pitch."))
            planned.append((order, row.pid, _seconds(row.pitch), _seconds(row.questions)))
        except UserError as error:
            row.error = translate_error(error)
    orders = [o for o, *_ in planned]
    for row in rows:
        if row.chosen and row.error is None and orders.count(_whole(row.order) or 0) > 1:
            row.error = translate_error(UserError(
                N_("Two projects have order number %(n)d; give each its own number."),
                n=_whole(row.order) or 0))
    planned.sort()
    return rows, [(pid, pitch, questions) for _, pid, pitch, questions in planned]


class CodeForm(Form):
    """The session code, typed from the projector."""

    code = StringField(
        _l("Session code"), description=_l("The six letters and numbers on the big screen."),
        validators=[DataRequired(_l("Type the code from the screen.")),
                    Length(max=20, message=_l("That is longer than any session code; check "
                                              "the screen."))])


class CardForm(Form):
    """A voting code from a printed card, for sessions that need one."""

    card = StringField(
        _l("Your voting code"), description=_l("It is on your card, like ABCD-EFGH-JKMN."),
        validators=[DataRequired(_l("Type the code from your card.")),
                    Length(max=40, message=_l("That is longer than any voting code; check "
                                              "the card."))])


class ScoreForm(Form):
    """One score for one pitch from a phone without JavaScript (the button carries it)."""

    key = HiddenField()
    proposal = IntegerField(validators=[Optional()])
    score = IntegerField(validators=[Optional()])


class AskForm(Form):
    text = TextAreaField(
        _l("Your question"), description=_l("Short and clear: the facilitator reads the most "
                                            "up-voted ones out."),
        validators=[DataRequired(_l("Type your question first.")),
                    Length(max=rules.QUESTION_MAX,
                           message=_l("Keep your question to %(max)d characters."))])


class UpvoteForm(Form):
    question = IntegerField(validators=[Optional()])


class ControlForm(Form):
    """A console button, for when the console runs without its script (a question's
    buttons send the question, and hiding it a reason)."""

    action = HiddenField()
    version = IntegerField(validators=[Optional()])
    question = IntegerField(validators=[Optional()])
    reason = StringField(_l("Why hide it?"), validators=[Optional()])
