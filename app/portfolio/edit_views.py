"""Entering and editing projects in the browser, and promoting a published challenge's entry.

The pages parse the forms and call the same services as the API; a refusal is shown on the form
with everything the person typed kept.
"""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Conflict, ValidationFailed
from app.core.forms import sent_version
from app.portfolio import services
from app.portfolio.access import project_or_404, require_admin, require_editor
from app.portfolio.blueprint import bp
from app.portfolio.forms import ProjectForm, PromoteForm
from app.portfolio.promotion import check_promotable, idea_to_promote, promotion_plan


def _user() -> Any:
    return current_user._get_current_object()


def _adding_row(form: ProjectForm) -> bool:
    """"Add another funding source" re-shows the form with one more row and saves nothing."""
    if "add_funding" not in request.form:
        return False
    form.add_funding_row()
    return True


@bp.route("/portfolio/new", methods=["GET", "POST"], endpoint="new")
@login_required
def new_project():
    user = _user()
    require_admin(user)
    form = ProjectForm()
    if request.method == "POST" and not _adding_row(form) and form.validate_on_submit():
        try:
            project = services.create_project(user, form.values())
        except ValidationFailed as error:
            form.apply_errors(error.fields)
            return render_template("portfolio/new.html", form=form), 422
        flash(_("%(title)s is in the portfolio as %(reference)s. Add its milestones and updates when you have them.",
                title=project.title, reference=project.reference), "success")
        return redirect(url_for("portfolio.project", project_id=project.id))
    failed = form.is_submitted() and "add_funding" not in request.form
    return render_template("portfolio/new.html", form=form), (422 if failed else 200)


@bp.route("/portfolio/<int:project_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit_project(project_id: int):
    user = _user()
    project = project_or_404(project_id)
    require_editor(project, user)
    form = ProjectForm()
    if request.method == "GET":
        form.fill(project)
    elif not _adding_row(form) and form.validate_on_submit():
        version = sent_version(form.version.data)
        try:
            services.update_project(project, user, form.values(), version=version)
        except ValidationFailed as error:
            form.apply_errors(error.fields)
            return _edit_page(project, form, 422)
        except Conflict as error:
            form.form_errors.append(error.message)
            return _edit_page(project_or_404(project_id), form, 409)
        flash(_("Your changes to %(title)s are saved.", title=project.title), "success")
        return redirect(url_for("portfolio.project", project_id=project_id))
    failed = form.is_submitted() and "add_funding" not in request.form
    return _edit_page(project, form, 422 if failed else 200)


def _edit_page(project: Any, form: ProjectForm, status: int):
    return render_template("portfolio/edit.html", project=project, form=form), status


@bp.route("/ideas/<int:idea_id>/promote", methods=["GET", "POST"], endpoint="promote")
@login_required
def promote_idea(idea_id: int):
    user = _user()
    idea = idea_to_promote(idea_id, user)
    plan = promotion_plan(idea)
    form = PromoteForm(stage=plan.default_stage)
    problem = None
    try:
        check_promotable(plan)
    except Conflict as error:
        problem = error
    if problem is None and form.validate_on_submit():
        try:
            project = services.promote_idea(idea, user, form.stage.data)
        except ValidationFailed as error:
            form.stage.errors = [error.fields.get("stage", error.message)]
            return _promote_page(plan, form, None, 422)
        except Conflict as error:
            return _promote_page(promotion_plan(idea), form, error, 409)
        flash(_("%(title)s is in the portfolio as %(reference)s. Its team follows it and hears of every change.",
                title=project.title, reference=project.reference), "success")
        return redirect(url_for("portfolio.project", project_id=project.id))
    status = 409 if problem is not None and form.is_submitted() else (422 if form.is_submitted() else 200)
    return _promote_page(plan, form, problem, status)


def _promote_page(plan: Any, form: PromoteForm, problem: Conflict | None, status: int):
    return render_template("portfolio/promote.html", plan=plan, form=form, problem=problem), status
