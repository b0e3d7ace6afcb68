"""The editors' lifecycle page, continued: indicators (with a new value recorded for each) and the
MAST evaluation. The page and its helpers are in ``lifecycle_manage``."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import login_required

from app.portfolio import evaluation, indicators
from app.portfolio.blueprint import bp
from app.portfolio.charts import number
from app.portfolio.lifecycle_forms import EvaluationForm, IndicatorEditForm, IndicatorForm, ValueForm, evaluation_field
from app.portfolio.lifecycle_manage import EVALUATION, NEW_INDICATOR, attempt, confirm_removal
from app.portfolio.lifecycle_rules import evaluation_has_content


@bp.post("/portfolio/<int:project_id>/manage/indicators", endpoint="indicator_add")
@login_required
def indicator_add(project_id: int):
    form = IndicatorForm(prefix=NEW_INDICATOR)

    def call(project: Any, user: Any) -> Any:
        return indicators.add_indicator(project, user, {"name": form.name.data, "unit": form.unit.data,
                                                        "baseline": form.baseline.data, "target": form.target.data})

    return attempt(project_id, form, "indicator", call,
                   lambda i: _("Indicator “%(name)s” added. Record its values as they are measured.", name=i.name),
                   "indicators")


@bp.post("/portfolio/<int:project_id>/manage/indicators/<int:indicator_id>", endpoint="indicator_edit")
@login_required
def indicator_edit(project_id: int, indicator_id: int):
    form = IndicatorEditForm(prefix=f"indicator-{indicator_id}")

    def call(project: Any, user: Any) -> Any:
        return indicators.update_indicator(project, user, indicator_id, {"name": form.name.data,
                                                                         "unit": form.unit.data,
                                                                         "target": form.target.data})

    return attempt(project_id, form, ("indicator", indicator_id), call,
                   lambda i: _("Indicator “%(name)s” saved.", name=i.name), f"indicator-{indicator_id}")


@bp.post("/portfolio/<int:project_id>/manage/indicators/<int:indicator_id>/values", endpoint="indicator_value")
@login_required
def indicator_value(project_id: int, indicator_id: int):
    form = ValueForm(prefix=f"value-{indicator_id}")

    def call(project: Any, user: Any) -> Any:
        return indicators.record_value(project, user, indicator_id, {"value": form.value.data,
                                                                     "recorded_on": form.recorded_on.data})

    return attempt(project_id, form, ("value", indicator_id), call,
                   lambda v: _("Value %(value)s recorded for %(date)s. Earlier values stay in the history.",
                               value=number(v.value), date=v.recorded_on.isoformat()), f"indicator-{indicator_id}")


@bp.route("/portfolio/<int:project_id>/manage/indicators/<int:indicator_id>/remove", methods=["GET", "POST"],
          endpoint="indicator_remove")
@login_required
def indicator_remove(project_id: int, indicator_id: int):
    return confirm_removal(
        project_id, "indicators", indicator_id, lambda i: _("Remove the indicator “%(name)s”?", name=i.name),
        _("Only an indicator without recorded values can be removed. This cannot be undone."),
        lambda project, user: indicators.remove_indicator(project, user, indicator_id),
        _("The indicator is removed."), "indicators")


@bp.post("/portfolio/<int:project_id>/manage/evaluation", endpoint="evaluation_save")
@login_required
def evaluation_save(project_id: int):
    form = EvaluationForm(prefix=EVALUATION)

    def done(saved: Any) -> str:
        if evaluation_has_content(saved.domains):
            return _("Evaluation saved. It is shown on the project page.")
        return _("Evaluation saved. It will be shown on the project page once a domain has a finding or a rating.")

    return attempt(project_id, form, "evaluation",
                   lambda project, user: evaluation.save_evaluation(project, user, form.data_for_service()),
                   done, "evaluation", field_of=evaluation_field)
