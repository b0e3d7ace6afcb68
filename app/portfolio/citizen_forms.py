"""Forms of the citizens' parts of a project page and of moderation: shape only; the services
decide what is allowed (and give the same messages as the API)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired

from app.core.forms import text_limit
from app.portfolio.citizen_rules import COMMENT_MAX_CHARS, REASON_MAX_CHARS, SCORES

USEFULNESS_LABEL = _l("Is this project useful to you?")
PROGRESS_LABEL = _l("Is its progress visible?")


def _scores() -> list[tuple[str, str]]:
    return [(str(score), str(score)) for score in SCORES]


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[InputRequired(_l("Write something first.")),
                                                         text_limit(COMMENT_MAX_CHARS)])


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with this comment? (optional)"),
                           validators=[text_limit(REASON_MAX_CHARS)])


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Reason shown in place of the comment"),
                           validators=[InputRequired(_l("Say why the comment is hidden: everyone will read it.")),
                                       text_limit(REASON_MAX_CHARS)])


class AssessmentForm(FlaskForm):
    usefulness = RadioField(USEFULNESS_LABEL, choices=_scores(),
                            validators=[InputRequired(_l("Choose a score from 1 to 5."))])
    progress_visible = RadioField(PROGRESS_LABEL, choices=_scores(),
                                  validators=[InputRequired(_l("Choose a score from 1 to 5."))])
    reason = TextAreaField(_l("Why? (optional)"), validators=[text_limit(REASON_MAX_CHARS)])

    @classmethod
    def for_assessment(cls, assessment: Any) -> AssessmentForm:
        """An empty form, or the person's own assessment to change."""
        if assessment is None:
            return cls(formdata=None)
        return cls(formdata=None, data={"usefulness": str(assessment.usefulness),
                                        "progress_visible": str(assessment.progress_visible),
                                        "reason": assessment.reason})
