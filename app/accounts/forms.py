"""Account forms: they check shape; the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Email, Length, Optional

from app.config import SUPPORTED_LOCALES
from app.core.forms import text_limit
from app.core.i18n import LANGUAGE_NAMES

REQUIRED_EMAIL = [DataRequired(_l("Enter your e-mail address.")),
                  Email(_l("Enter a valid e-mail address, like name@example.org.")), text_limit(320)]
LOCALE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES]
TIMEZONES = ["Europe/Bucharest", "Europe/Chisinau", "Europe/Paris", "Europe/Brussels", "Europe/Rome",
             "Europe/Copenhagen", "Europe/London", "Europe/Lisbon", "Europe/Berlin", "Europe/Madrid",
             "Europe/Athens", "Europe/Helsinki", "UTC"]


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), [DataRequired(_l("Enter your name.")), text_limit(200)])
    email = EmailField(_l("E-mail address"), REQUIRED_EMAIL)
    organisation = StringField(_l("Organisation (optional)"), [Optional(), text_limit(200)])
    locale = SelectField(_l("Preferred language"), choices=LOCALE_CHOICES, default="en")
    password = PasswordField(_l("Password"), [DataRequired(_l("Choose a password.")),
                                              Length(max=200, message=_l("At most %(max)d characters."))])
    accept_privacy = BooleanField(_l("I have read the privacy notice and agree that Salus keeps these details."))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), [DataRequired(_l("Enter your e-mail address.")), text_limit(320)])
    password = PasswordField(_l("Password"), [DataRequired(_l("Enter your password.")), text_limit(200)])
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))


class EmailOnlyForm(FlaskForm):
    email = EmailField(_l("E-mail address"), REQUIRED_EMAIL)


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), [DataRequired(_l("Choose a password.")), text_limit(200)])


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), [DataRequired(_l("Enter your name.")), text_limit(200)])
    organisation = StringField(_l("Organisation (optional)"), [Optional(), text_limit(200)])
    locale = SelectField(_l("Preferred language"), choices=LOCALE_CHOICES)
    timezone = SelectField(_l("Time zone"), choices=[("", _l("Default for this site"))] + [(z, z) for z in TIMEZONES])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), [DataRequired(_l("Enter your current password.")),
                                                              text_limit(200)])
    new_password = PasswordField(_l("New password"), [DataRequired(_l("Choose a new password.")), text_limit(200)])


class TokenForm(FlaskForm):
    label = StringField(_l("What is this token for? (optional)"), [Optional(), text_limit(100)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), [DataRequired(_l("Enter the code.")), text_limit(40)])


class TwoStepOffForm(FlaskForm):
    password = PasswordField(_l("Password"), [DataRequired(_l("Enter your password.")), text_limit(200)])
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       [DataRequired(_l("Enter the code.")), text_limit(40)])


class TwoStepRolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Require two-step sign-in for"),
        choices=[("organiser", _l("Organisers")), ("juror", _l("Jurors")), ("administrator", _l("Administrators"))],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), validate_choice=True)
