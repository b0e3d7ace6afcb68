"""Forms of the People's choice pages: shape only; the services decide what is allowed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, InputRequired

from app.core.forms import text_limit


class BallotForm(FlaskForm):
    """One entry's Vote / Take back my vote button."""

    idea_id = HiddenField(validators=[InputRequired(_l("Choose an entry."))])
    action = HiddenField(validators=[AnyOf(("vote", "withdraw"), message=_l("Choose an entry."))])


class VoteSettingsForm(FlaskForm):
    # Text, not a number field: the service checks the range and says so in the same words as the API.
    votes_per_person = StringField(_l("Votes per person"),
                                   validators=[InputRequired(_l("Give the number of votes each person has.")),
                                               text_limit(10)])
    allowed_domains = StringField(_l("Allowed e-mail domains (optional)"), validators=[text_limit(2000)])


class CloseVoteForm(FlaskForm):
    confirmed = HiddenField()


class VoteAwardForm(FlaskForm):
    name = StringField(_l("Name of the award"), validators=[InputRequired(_l("Give the award a name.")),
                                                            text_limit(200)])
