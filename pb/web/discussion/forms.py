"""Forms for comments, replies, edits, flags and moderation.

The discussion service checks every rule (so sockets, scripts and forms agree); these forms
only carry the values and re-show them, with their errors, when something was refused.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField

from pb.domain import discussion as rules
from pb.web.forms import Form

STANCE_CHOICES = [(rules.FOR, _l("For the proposal")),
                  (rules.AGAINST, _l("Against the proposal")),
                  (rules.QUESTION, _l("A question"))]


class CommentForm(Form):
    stance = RadioField(_l("Your stance"), choices=STANCE_CHOICES, validate_choice=False)
    body = TextAreaField(
        _l("Your comment"),
        description=_l("Be kind and keep to the proposal. You can use simple Markdown: "
                       "*italics*, **bold**, lists and links."),
        render_kw={"maxlength": rules.BODY_MAX, "rows": 5})
    # A one-time key: sending the same form twice posts the comment once.
    form_key = HiddenField()
    parent_id = HiddenField()


class EditForm(Form):
    stance = RadioField(_l("Your stance"), choices=STANCE_CHOICES, validate_choice=False)
    body = TextAreaField(_l("Your comment"), render_kw={"maxlength": rules.BODY_MAX, "rows": 6})


class FlagForm(Form):
    reason = StringField(
        _l("Why should a moderator look at this comment?"),
        description=_l("For example: personal attack, spam, private information."),
        render_kw={"maxlength": rules.REASON_MAX})


class ModerateForm(Form):
    reason = StringField(
        _l("Public reason"),
        description=_l("Shown with the comment and in the public moderation log, for "
                       "example “personal attack”."),
        render_kw={"maxlength": rules.REASON_MAX})
