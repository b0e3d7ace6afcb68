"""The forms of the editors' lifecycle page. They check shapes only (required, lengths); numbers,
dates and the rules between fields are judged by the lifecycle services, exactly as for the API."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.core.forms import text_limit
from app.portfolio.labels import STAGE_LABELS, stage_label
from app.portfolio.lifecycle_labels import MAST_LABELS, RATING_LABELS
from app.portfolio.lifecycle_rules import UNIT_MAX
from app.portfolio.models import MAST_DOMAINS, STAGES
from app.portfolio.project_rules import LONG_TEXT_MAX, TITLE_MAX
from app.results.award_forms import AmountField

DATE = {"type": "date"}
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


def _title(label: Any, missing: Any) -> StringField:
    return StringField(label, [DataRequired(missing), text_limit(TITLE_MAX)])


def _date(label: Any) -> StringField:
    # A text field shown as a date picker: the service reads the ISO date and says what is wrong.
    return StringField(label, [Optional()], render_kw=DATE)


def _number(label: Any) -> StringField:
    return StringField(label, [Optional()], render_kw=NUMBER)


class UpdateForm(FlaskForm):
    title = _title(_l("Title"), _l("Give the update a title."))
    body = TextAreaField(_l("What happened"), [Optional(), text_limit(LONG_TEXT_MAX)], render_kw={"rows": 6})
    stage = SelectField(_l("Stage"), validate_choice=False)
    stopped_reason = TextAreaField(_l("Why the project stopped"), [Optional(), text_limit(LONG_TEXT_MAX)],
                                   render_kw={"rows": 3})

    def __init__(self, *args: Any, current_stage: str = "idea", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = _l("No change (stays at %(stage)s)", stage=stage_label(current_stage))
        # The service judges the value: a stage another editor has just set is then no change.
        self.stage.choices = [("", keep)] + [(s, STAGE_LABELS[s]) for s in STAGES if s != current_stage]


class MilestoneForm(FlaskForm):
    title = _title(_l("Milestone"), _l("Give the milestone a title."))
    planned_on = _date(_l("Planned for (optional)"))


class MilestoneEditForm(FlaskForm):
    title = _title(_l("Milestone"), _l("Give the milestone a title."))
    planned_on = _date(_l("Planned for (optional)"))
    done_on = _date(_l("Done on"))


class FundingForm(FlaskForm):
    programme = _title(_l("Programme or funder"), _l("Name the programme or funder."))
    amount = AmountField(_l("Amount (optional)"), render_kw=NUMBER)
    currency = StringField(_l("Currency"), [Optional()], default="EUR", render_kw={"maxlength": 3, "autocomplete": "off"})
    starts_on = _date(_l("From (optional)"))
    ends_on = _date(_l("Until (optional)"))


class IndicatorForm(FlaskForm):
    name = _title(_l("Indicator"), _l("Name the indicator."))
    unit = StringField(_l("Unit (optional)"), [Optional(), text_limit(UNIT_MAX)])
    baseline = _number(_l("Baseline (optional)"))
    target = _number(_l("Target (optional)"))


class IndicatorEditForm(FlaskForm):
    name = _title(_l("Indicator"), _l("Name the indicator."))
    unit = StringField(_l("Unit (optional)"), [Optional(), text_limit(UNIT_MAX)])
    target = _number(_l("Target (optional)"))


class ValueForm(FlaskForm):
    value = StringField(_l("New value"), [DataRequired(_l("Enter the value measured."))], render_kw=NUMBER)
    recorded_on = _date(_l("Measured on (today if empty)"))


RATING_CHOICES = [("", _l("Not rated"))] + [(str(n), label) for n, label in RATING_LABELS.items()]


class EvaluationForm(FlaskForm):
    """A finding and a rating for each MAST domain (fields ``finding_<domain>`` and ``rating_<domain>``)."""

    transferability = TextAreaField(_l("Transferability"), [Optional(), text_limit(LONG_TEXT_MAX)],
                                    render_kw={"rows": 4})
    evaluator = StringField(_l("Evaluator (optional)"), [Optional(), text_limit(TITLE_MAX)])
    evaluated_on = _date(_l("Evaluated on (optional)"))

    def domain_fields(self) -> list[tuple[str, Any, Any]]:
        return [(d, self[f"finding_{d}"], self[f"rating_{d}"]) for d in MAST_DOMAINS]

    def data_for_service(self) -> dict[str, Any]:
        return {"domains": {d: {"finding": self[f"finding_{d}"].data or "", "rating": self[f"rating_{d}"].data or None}
                            for d in MAST_DOMAINS},
                "transferability": self.transferability.data or "", "evaluator": self.evaluator.data or "",
                "evaluated_on": self.evaluated_on.data or None}


for _domain in MAST_DOMAINS:
    setattr(EvaluationForm, f"finding_{_domain}",
            TextAreaField(_l("Finding: %(domain)s", domain=MAST_LABELS[_domain]),
                          [Optional(), text_limit(LONG_TEXT_MAX)], render_kw={"rows": 3}))
    setattr(EvaluationForm, f"rating_{_domain}",
            SelectField(_l("Rating: %(domain)s", domain=MAST_LABELS[_domain]), choices=RATING_CHOICES, default="",
                        validate_choice=False))


def evaluation_field(name: str) -> str:
    """The form field of a service's error key: ``domains.safety.rating`` is ``rating_safety``.
    (The service judges the rating, as for the API: the form only offers the choices.)"""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "domains":
        return f"{parts[2]}_{parts[1]}"
    return name
