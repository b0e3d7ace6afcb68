"""Team forms: they check shape; the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional

from app.core.forms import text_limit
from app.teams.finder import TEXT_MAX


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), [DataRequired(_l("Enter a name for the team.")), text_limit(200)])


class JoinCodeForm(FlaskForm):
    """Looking a code up changes nothing, so this form is sent with GET and has no token."""

    class Meta:
        csrf = False

    code = StringField(_l("Invitation code"), [DataRequired(_l("Enter the code the team gave you.")), text_limit(64)])


class InviteEmailForm(FlaskForm):
    email = EmailField(_l("E-mail address"), [DataRequired(_l("Enter the e-mail address of the person to invite.")),
                                              Email(_l("Enter a valid e-mail address, like name@example.org.")),
                                              text_limit(320)])


class SeekerForm(FlaskForm):
    skills = TextAreaField(_l("What you bring"), [DataRequired(_l("Tell others what you bring: your skills or "
                                                                  "your experience.")), text_limit(TEXT_MAX)])
    interests = TextAreaField(_l("What you are looking for (optional)"), [Optional(), text_limit(TEXT_MAX)])


class LookingForm(FlaskForm):
    looking_for_members = BooleanField(_l("Show our team in the team finder"))
    looking_for = TextAreaField(_l("Whom are you looking for? (optional)"), [Optional(), text_limit(TEXT_MAX)])
