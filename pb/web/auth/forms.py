"""Forms for accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from pb.domain.passwords import MAX_LENGTH
from pb.web.forms import Form


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


_email = [DataRequired(_l("Enter your email address.")),
          Email(_l("Enter an email address in the right format, like name@example.com.")),
          Length(max=254, message=_l("Email addresses are at most 254 characters."))]


class RegisterForm(Form):
    display_name = StringField(
        _l("Your name"), description=_l("Shown next to what you write. It can be a first name."),
        validators=[DataRequired(_l("Enter the name other people will see.")),
                    Length(max=80, message=_l("Use at most 80 characters."))])
    email = EmailField(_l("Email address"), validators=_email, filters=[_strip])
    password = PasswordField(
        _l("Password"), description=_l("At least 10 characters. A short phrase of a few words "
                                       "is strong and easy to remember."),
        validators=[DataRequired(_l("Choose a password.")),
                    Length(max=MAX_LENGTH, message=_l("Use at most 200 characters."))])
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))])


class LoginForm(Form):
    email = EmailField(_l("Email address"), validators=_email, filters=[_strip])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotForm(Form):
    email = EmailField(_l("Email address"), validators=_email, filters=[_strip])


def _new_password() -> PasswordField:
    return PasswordField(
        _l("New password"), description=_l("At least 10 characters."),
        validators=[DataRequired(_l("Choose a password.")),
                    Length(max=MAX_LENGTH, message=_l("Use at most 200 characters."))])


def _new_password_again() -> PasswordField:
    return PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Type the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))])


class ResetForm(Form):
    password = _new_password()
    confirm = _new_password_again()


_code = [DataRequired(_l("Enter the code.")),
         Length(max=40, message=_l("A code is at most 40 characters."))]


class CodeForm(Form):
    """The second step of logging in, and proof before changing two-factor settings."""

    code = StringField(
        _l("Code"), description=_l("The six digits your authenticator app shows now, or one of "
                                   "your recovery codes."),
        validators=_code, filters=[_strip])


class EnrolForm(Form):
    code = StringField(_l("Code from your app"),
                       description=_l("Type the six digits the app shows now."),
                       validators=_code, filters=[_strip])


_proof = [DataRequired(_l("Enter your password or a code.")),
          Length(max=MAX_LENGTH, message=_l("Use at most 200 characters."))]


class DisableForm(Form):
    proof = PasswordField(_l("Your password, or a code from your app"), validators=_proof)
    end_others = BooleanField(_l("Also log out my other devices"), default=True)


class PasswordForm(Form):
    """Change the password on the account page: the current one, then the new one twice."""

    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(_l("Enter your current password.")),
                                        Length(max=MAX_LENGTH,
                                               message=_l("Use at most 200 characters."))])
    password = _new_password()   # made here, after `current`, so the form keeps this order
    confirm = _new_password_again()
    end_others = BooleanField(_l("Also log out my other devices"), default=True)


class EndSessionsForm(Form):
    """End some of your other sessions ("chosen") or all of them ("others"), proving it is
    you with your password or a code."""

    session = SelectMultipleField(coerce=int, validate_choice=False)
    proof = PasswordField(_l("Your password, or a code from your app"), validators=_proof)
    scope = StringField(default="chosen")


class ConfirmForm(Form):
    """A button that only needs the CSRF token (log out everywhere)."""


class NameForm(Form):
    """Change the name shown next to what you write."""

    display_name = StringField(
        _l("Your name"), description=_l("Shown next to what you write. It can be a first name."),
        validators=[DataRequired(_l("Enter the name other people will see.")),
                    Length(max=80, message=_l("Use at most 80 characters."))],
        filters=[_strip])


class EmailForm(Form):
    """Ask to use a new email address; a link sent there confirms it."""

    email = EmailField(_l("New email address"), validators=_email, filters=[_strip])
    password = PasswordField(_l("Your password"),
                             validators=[DataRequired(_l("Enter your password.")),
                                         Length(max=MAX_LENGTH,
                                                message=_l("Use at most 200 characters."))])


class DeleteForm(Form):
    """Delete your account, after reading what happens, with your password."""

    remove_comments = BooleanField(_l("Also remove the text of my comments"))
    password = PasswordField(_l("Your password"),
                             validators=[DataRequired(_l("Enter your password to delete your "
                                                         "account.")),
                                         Length(max=MAX_LENGTH,
                                                message=_l("Use at most 200 characters."))])
