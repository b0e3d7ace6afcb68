"""Challenge set-up forms: they check shapes; the services check the rules."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, DecimalField, EmailField, FieldList, FloatField, Form,
                     FormField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, InputRequired, NumberRange, Optional

from app.challenges import validation
from app.challenges.labels import RANKING_LABELS
from app.core.forms import text_limit

KIND_CHOICES = [("hackathon", _l("Hackathon: teams build a solution during a short event")),
                ("call", _l("Call for projects: organisations apply over several weeks"))]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
WHOLE_NUMBER = _l("Enter a whole number.")


def from_local(value: dt.datetime | None) -> dt.datetime | None:
    """A time typed in the user's zone (a form gives it without one), as an aware time."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(get_timezone().zone))


def to_local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(get_timezone().zone)).replace(tzinfo=None)


class NumberField(FloatField):
    """A decimal number shown as typed by people: 20, not 20.0."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:g}" if isinstance(self.data, float) else ("" if self.data is None else str(self.data))


class NewChallengeForm(FlaskForm):
    title = StringField(_l("Title"), [DataRequired(_l("Give the challenge a title.")), text_limit(200)])
    kind = RadioField(_l("Kind of challenge"), choices=KIND_CHOICES, default="hackathon")
    use_health_template = BooleanField(_l("Start with the health template for the scoring criteria"),
                                       default=True)


class DetailsForm(FlaskForm):
    title = StringField(_l("Title"), [DataRequired(_l("Give the challenge a title.")), text_limit(200)])
    kind = RadioField(_l("Kind of challenge"), choices=KIND_CHOICES)
    audience = TextAreaField(_l("Who is it for?"), [Optional(), text_limit(validation.LONG_TEXT_MAX)])
    description = TextAreaField(_l("What is the challenge?"), [Optional(), text_limit(validation.LONG_TEXT_MAX)])
    rules = TextAreaField(_l("Rules"), [Optional(), text_limit(validation.LONG_TEXT_MAX)])
    prizes = TextAreaField(_l("Prizes and support"), [Optional(), text_limit(validation.LONG_TEXT_MAX)])
    budget_total = DecimalField(_l("Total budget, in euros (calls for projects only)"), places=2,
                                validators=[Optional(), NumberRange(min=0, message=_l("Enter 0 or more."))])


class DatesForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens for teams and ideas"), [Optional()], format=LOCAL_FORMAT)
    submission_deadline = DateTimeLocalField(_l("Submission deadline"), [Optional()], format=LOCAL_FORMAT)


class TeamsForm(FlaskForm):
    team_min_size = IntegerField(_l("Smallest team"), [InputRequired(WHOLE_NUMBER),
                                                       NumberRange(1, validation.MAX_TEAM_SIZE)])
    team_max_size = IntegerField(_l("Largest team"), [InputRequired(WHOLE_NUMBER),
                                                      NumberRange(1, validation.MAX_TEAM_SIZE)])


class JudgingForm(FlaskForm):
    reviews_per_entry = IntegerField(_l("Reviews per entry"), [InputRequired(WHOLE_NUMBER),
                                                               NumberRange(1, validation.MAX_REVIEWS)])
    blind_review = BooleanField(_l("Blind review: jurors do not see team or member names"))
    ranking_method = RadioField(_l("How entries are ranked"), choices=list(RANKING_LABELS.items()))


class TrackRowForm(Form):
    id = HiddenField()
    name = StringField(_l("Track name"), [Optional(), text_limit(200)])
    description = StringField(_l("Short description (optional)"), [Optional(),
                                                                    text_limit(validation.SHORT_TEXT_MAX)])
    remove = BooleanField(_l("Remove this track"))


class TracksForm(FlaskForm):
    tracks = FieldList(FormField(TrackRowForm), min_entries=1, max_entries=validation.MAX_TRACKS)


class CriterionRowForm(Form):
    id = HiddenField()
    name = StringField(_l("Criterion"), [Optional(), text_limit(200)])
    description = TextAreaField(_l("What jurors look at"), [Optional(), text_limit(validation.SHORT_TEXT_MAX)],
                                render_kw={"rows": 3})
    weight = NumberField(_l("Weight"), [Optional()], default=10)
    scale_min = IntegerField(_l("Lowest score"), [Optional()], default=1)
    scale_max = IntegerField(_l("Highest score"), [Optional()], default=5)
    anchors = TextAreaField(_l("What each score means (optional)"), [Optional()], render_kw={"rows": 7})
    remove = BooleanField(_l("Remove this criterion"))


class CriteriaForm(FlaskForm):
    criteria = FieldList(FormField(CriterionRowForm), min_entries=1, max_entries=validation.MAX_CRITERIA)


class OrganiserForm(FlaskForm):
    email = EmailField(_l("E-mail address of their Salus account"),
                       [DataRequired(_l("Enter an e-mail address.")),
                        Email(_l("Enter a valid e-mail address, like name@example.org.")), text_limit(320)])


class DeadlineExceptionForm(FlaskForm):
    team_id = SelectField(_l("Team"), coerce=int, validate_choice=False)
    new_deadline = DateTimeLocalField(_l("New deadline for this team"),
                                      [DataRequired(_l("Give the new deadline."))], format=LOCAL_FORMAT)
    reason = TextAreaField(_l("Reason (kept in the audit trail)"),
                           [DataRequired(_l("Say why this team gets more time.")), text_limit(2000)])


def row_id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None

