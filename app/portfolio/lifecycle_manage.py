"""What every form of the editors' lifecycle page shares: loading the project for an editor, the
page itself with a form per action, and running one action with its banner or its errors."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.forms import ActionForm, apply_errors
from app.extensions import db
from app.portfolio import lifecycle
from app.portfolio.access import project_or_404, require_editor
from app.portfolio.charts import number
from app.portfolio.lifecycle_forms import (EvaluationForm, FundingForm, IndicatorEditForm, IndicatorForm,
                                           MilestoneEditForm, MilestoneForm, UpdateForm, ValueForm)
from app.portfolio.lifecycle_labels import MAST_HINTS, MAST_LABELS, RATING_LABELS
from app.portfolio.models import PortfolioProject


# Every form of the page has its own prefix, so that field ids (and the error summary's links to
# them) are unique on the page: several forms have a "title".
UPDATE, NEW_MILESTONE, NEW_FUNDING, NEW_INDICATOR, EVALUATION = "update", "new-milestone", "new-funding", \
    "new-indicator", "evaluation"


def editor_project(project_id: int) -> tuple[PortfolioProject, Any]:
    user = current_user._get_current_object()
    project = project_or_404(project_id)
    require_editor(project, user)
    return project, user


def back(project_id: int, anchor: str = ""):
    return redirect(url_for("portfolio.lifecycle", project_id=project_id) + (f"#{anchor}" if anchor else ""))


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _evaluation_form(evaluation: Any) -> EvaluationForm:
    data: dict[str, Any] = {}
    if evaluation is not None:
        for domain, finding, rating in evaluation.domains:
            data[f"finding_{domain}"] = finding
            data[f"rating_{domain}"] = "" if rating is None else str(rating)
        data.update(transferability=evaluation.transferability, evaluator=evaluation.evaluator,
                    evaluated_on=_iso(evaluation.evaluated_on))
    return EvaluationForm(formdata=None, prefix=EVALUATION, data=data)


def manage_page(project: PortfolioProject, failed: dict[Any, Any] | None = None, status: int = 200):
    """The page with a blank or filled form for each action; ``failed`` holds the refused form by
    its key ("update", ("milestone", id), …) so that what was typed is shown again with its errors."""
    failed = failed or {}
    context = lifecycle.page_context(project)
    forms: dict[Any, Any] = {
        "update": UpdateForm(formdata=None, prefix=UPDATE, current_stage=project.stage),
        "milestone": MilestoneForm(formdata=None, prefix=NEW_MILESTONE),
        "funding": FundingForm(formdata=None, prefix=NEW_FUNDING),
        "indicator": IndicatorForm(formdata=None, prefix=NEW_INDICATOR),
        "evaluation": _evaluation_form(context["evaluation"]),
    }
    for m in context["milestones"]:
        forms[("milestone", m.id)] = MilestoneEditForm(formdata=None, prefix=f"milestone-{m.id}", title=m.title,
                                                       planned_on=_iso(m.planned_on), done_on=_iso(m.done_on))
    for s in context["funding"]:
        forms[("funding", s.id)] = FundingForm(formdata=None, prefix=f"funding-{s.id}", programme=s.programme,
                                               amount=s.amount, currency=s.currency, starts_on=_iso(s.starts_on),
                                               ends_on=_iso(s.ends_on))
    for i in context["indicators"]:
        forms[("indicator", i.id)] = IndicatorEditForm(formdata=None, prefix=f"indicator-{i.id}", name=i.name,
                                                       unit=i.unit, target="" if i.target is None else number(i.target))
        forms[("value", i.id)] = ValueForm(formdata=None, prefix=f"value-{i.id}")
    forms.update(failed)
    opened = {key for key in failed if isinstance(key, tuple)}
    return render_template("portfolio/manage.html", project=project, lifecycle=context, forms=forms, opened=opened,
                           action_form=ActionForm(formdata=None), mast_labels=MAST_LABELS, mast_hints=MAST_HINTS,
                           rating_labels=RATING_LABELS, number=number), status


def attempt(project_id: int, form: Any, key: Any, call: Callable[[PortfolioProject, Any], Any],
            done: Callable[[Any], str], anchor: str, field_of: Callable[[str], str] = lambda name: name):
    """Run one form's action: on success a banner and back to the page at ``anchor``; refused
    values show the page again with the form as typed (422); a row another editor removed, or a
    state that no longer allows the action, comes back with the reason in a banner."""
    project, user = editor_project(project_id)
    if form.validate_on_submit():
        try:
            result = call(project, user)
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, {field_of(name): message for name, message in error.fields.items()})
        except (NotFound, Conflict) as error:
            db.session.rollback()
            flash(error.message if isinstance(error, Conflict) else
                  _("This item no longer exists: another editor may have removed it."), "error")
            return back(project_id, anchor)
        else:
            flash(done(result), "success")
            return back(project_id, anchor)
        project, _user = editor_project(project_id)
    elif key == "action":
        # A button's form holds nothing but its token: nothing typed to show again.
        flash(_("This form has expired. Please send it again."), "error")
        return back(project_id, anchor)
    return manage_page(project, {key: form}, status=422)


def confirm_removal(project_id: int, rows_key: str, row_id: int, what: Callable[[Any], str], consequence: str,
                    remove: Callable[[PortfolioProject, Any], Any], removed: str, anchor: str):
    """Removing asks first, on a page that says what will happen; the form there does it."""
    project, _user = editor_project(project_id)
    row = next((r for r in lifecycle.page_context(project)[rows_key] if r.id == row_id), None)
    if row is None:
        flash(_("This item no longer exists: another editor may have removed it."), "error")
        return back(project_id, anchor)
    if request.method == "GET":
        return render_template("portfolio/manage_remove.html", project=project, what=what(row),
                               consequence=consequence, form=ActionForm(formdata=None),
                               cancel=url_for("portfolio.lifecycle", project_id=project_id) + f"#{anchor}")
    return attempt(project_id, ActionForm(), "action", remove, lambda _result: removed, anchor)
