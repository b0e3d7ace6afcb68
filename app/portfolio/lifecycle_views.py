"""The editors' lifecycle page of a project (/portfolio/<id>/manage): the page and its updates,
milestones and funding sources (indicators and the evaluation are in ``lifecycle_measure_views``). Every
form posts to its own address and comes back to the page with a banner, or shows the page again
with the problems and everything typed kept."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import login_required

from app.core.forms import ActionForm
from app.portfolio import lifecycle, lifecycle_measure_views  # noqa: F401  (the page's other routes)
from app.portfolio.access import project_or_404
from app.portfolio.blueprint import bp
from app.portfolio.charts import number
from app.portfolio.labels import stage_label
from app.portfolio.lifecycle_forms import FundingForm, MilestoneEditForm, MilestoneForm, UpdateForm
from app.portfolio.lifecycle_labels import MAST_LABELS
from app.portfolio.lifecycle_manage import (NEW_FUNDING, NEW_MILESTONE, UPDATE, attempt, confirm_removal, editor_project,
                                            manage_page)
from app.portfolio.models import PortfolioProject

# App-wide, so the project page's lifecycle partial (rendered by another view) can use them too.
bp.add_app_template_global(number, "lifecycle_number")
bp.add_app_template_global(lambda domain: str(MAST_LABELS.get(domain, domain)), "lifecycle_mast_label")


def _progress_note(project_id: int) -> str:
    progress = lifecycle.page_context(project_or_404(project_id))["progress"]
    return _("Progress is now %(percent)s%%.", percent=progress) if progress is not None else ""


# --- the page and the updates ---------------------------------------------------------------------

@bp.get("/portfolio/<int:project_id>/manage", endpoint="lifecycle")
@login_required
def manage(project_id: int):
    project, _user = editor_project(project_id)
    return manage_page(project)


@bp.post("/portfolio/<int:project_id>/manage/updates", endpoint="lifecycle_update")
@login_required
def post_update(project_id: int):
    project, _user = editor_project(project_id)
    form = UpdateForm(prefix=UPDATE, current_stage=project.stage)

    def call(project: PortfolioProject, user: Any) -> Any:
        return lifecycle.add_update(project, user, form.title.data, form.body.data, stage=form.stage.data or None,
                                    stopped_reason=form.stopped_reason.data)

    def done(update: Any) -> str:
        if update.stage_to:
            return _("Update posted and the stage changed to %(stage)s. It is on the project's public timeline; "
                     "followers will hear of it.", stage=stage_label(update.stage_to))
        return _("Update posted. It is on the project's public timeline; followers will hear of it.")

    return attempt(project_id, form, "update", call, done, "updates")


# --- milestones -----------------------------------------------------------------------------------

@bp.post("/portfolio/<int:project_id>/manage/milestones", endpoint="milestone_add")
@login_required
def milestone_add(project_id: int):
    form = MilestoneForm(prefix=NEW_MILESTONE)

    def call(project: PortfolioProject, user: Any) -> Any:
        return lifecycle.add_milestone(project, user, {"title": form.title.data, "planned_on": form.planned_on.data})

    def done(milestone: Any) -> str:
        return " ".join(filter(None, [_("Milestone “%(title)s” added.", title=milestone.title),
                                      _progress_note(project_id)]))

    return attempt(project_id, form, "milestone", call, done, "milestones")


@bp.post("/portfolio/<int:project_id>/manage/milestones/<int:milestone_id>", endpoint="milestone_edit")
@login_required
def milestone_edit(project_id: int, milestone_id: int):
    form = MilestoneEditForm(prefix=f"milestone-{milestone_id}")

    def call(project: PortfolioProject, user: Any) -> Any:
        data = {"title": form.title.data, "planned_on": form.planned_on.data}
        if form.done_on.data:
            data["done_on"] = form.done_on.data
        return lifecycle.update_milestone(project, user, milestone_id, data)

    return attempt(project_id, form, ("milestone", milestone_id), call,
                   lambda m: _("Milestone “%(title)s” saved.", title=m.title), f"milestone-{milestone_id}")


def _milestone_done(project_id: int, milestone_id: int, done: bool):
    form = ActionForm()

    def call(project: PortfolioProject, user: Any) -> Any:
        return lifecycle.set_milestone_done(project, user, milestone_id, done)

    def message(milestone: Any) -> str:
        said = (_("Milestone “%(title)s” is done.", title=milestone.title) if done
                else _("Milestone “%(title)s” is open again.", title=milestone.title))
        return " ".join(filter(None, [said, _progress_note(project_id)]))

    return attempt(project_id, form, "action", call, message, "milestones")


@bp.post("/portfolio/<int:project_id>/manage/milestones/<int:milestone_id>/done", endpoint="milestone_done")
@login_required
def milestone_done(project_id: int, milestone_id: int):
    return _milestone_done(project_id, milestone_id, True)


@bp.post("/portfolio/<int:project_id>/manage/milestones/<int:milestone_id>/reopen", endpoint="milestone_reopen")
@login_required
def milestone_reopen(project_id: int, milestone_id: int):
    return _milestone_done(project_id, milestone_id, False)


@bp.route("/portfolio/<int:project_id>/manage/milestones/<int:milestone_id>/remove", methods=["GET", "POST"],
          endpoint="milestone_remove")
@login_required
def milestone_remove(project_id: int, milestone_id: int):
    return confirm_removal(
        project_id, "milestones", milestone_id, lambda m: _("Remove the milestone “%(title)s”?", title=m.title),
        _("The progress is computed again without it. This cannot be undone."),
        lambda project, user: lifecycle.remove_milestone(project, user, milestone_id),
        _("The milestone is removed."), "milestones")


# --- funding sources ------------------------------------------------------------------------------

def _funding_data(form: FundingForm) -> dict[str, Any]:
    return {"programme": form.programme.data, "amount": form.amount.data, "currency": form.currency.data,
            "starts_on": form.starts_on.data, "ends_on": form.ends_on.data}


@bp.post("/portfolio/<int:project_id>/manage/funding", endpoint="funding_add")
@login_required
def funding_add(project_id: int):
    form = FundingForm(prefix=NEW_FUNDING)
    return attempt(project_id, form, "funding", lambda p, u: lifecycle.add_funding(p, u, _funding_data(form)),
                   lambda s: _("Funding source “%(programme)s” added.", programme=s.programme), "funding")


@bp.post("/portfolio/<int:project_id>/manage/funding/<int:funding_id>", endpoint="funding_edit")
@login_required
def funding_edit(project_id: int, funding_id: int):
    form = FundingForm(prefix=f"funding-{funding_id}")
    return attempt(project_id, form, ("funding", funding_id),
                   lambda p, u: lifecycle.update_funding(p, u, funding_id, _funding_data(form)),
                   lambda s: _("Funding source “%(programme)s” saved.", programme=s.programme), f"funding-{funding_id}")


@bp.route("/portfolio/<int:project_id>/manage/funding/<int:funding_id>/remove", methods=["GET", "POST"],
          endpoint="funding_remove")
@login_required
def funding_remove(project_id: int, funding_id: int):
    return confirm_removal(
        project_id, "funding", funding_id,
        lambda s: _("Remove the funding source “%(programme)s”?", programme=s.programme),
        _("It disappears from the project page and the open data. This cannot be undone."),
        lambda project, user: lifecycle.remove_funding(project, user, funding_id),
        _("The funding source is removed."), "funding")
