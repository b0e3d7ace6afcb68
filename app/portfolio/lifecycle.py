"""A project's lifecycle: progress updates (the public timeline, where stages change), milestones
and funding sources. Indicators and the evaluation are in ``indicators.py`` and ``evaluation.py``;
what the project page shows of all this is :func:`page_context`.

Every write is for editors only, takes the project's row lock before it reads what it checks (two
editors saving at once are served one after the other), writes what followers hear about as
project events, and is audited, all in one transaction.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.challenges.access import valid_id
from app.core import audit, clock
from app.core.db import begin_write
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.portfolio import rules
from app.portfolio.lifecycle_page import MILESTONE_ORDER, page_context
from app.portfolio.lifecycle_rules import (clean_funding_source, clean_long, clean_milestone, clean_title, collect,
                                           raise_if, stage_change)
from app.portfolio.models import FundingSource, Milestone, PortfolioProject, ProjectUpdate

__all__ = ["add_update", "record_stage_change", "add_milestone", "update_milestone", "set_milestone_done",
           "remove_milestone", "add_funding", "update_funding", "remove_funding", "page_context", "local_today",
           "locked_project", "touch", "row_of"]


def local_today() -> dt.date:
    """Today in the city's time zone: a milestone done at 00:30 in Iași is done that day, not the day before."""
    zone = ZoneInfo(current_app.config.get("DEFAULT_TIMEZONE") or "UTC")
    return clock.now().astimezone(zone).date()


def locked_project(project: PortfolioProject, actor: Any) -> PortfolioProject:
    """The project re-read under its row lock, for an editor (403 otherwise, checked again here
    whatever the view checked, so every way in is held to the same rule)."""
    from app.portfolio.access import can_edit

    if not can_edit(project, actor):
        raise Forbidden(_("Only administrators and the organisers of the challenge it came from can change "
                          "this project."))
    project_id = project.id
    begin_write(db.session)
    locked = db.session.scalars(select(PortfolioProject).where(PortfolioProject.id == project_id)
                                .with_for_update().execution_options(populate_existing=True)).one_or_none()
    if locked is None:
        raise NotFound()
    return locked


def touch(project: PortfolioProject, *, changed_fields: bool = False) -> None:
    """Mark the project as changed now; a change to its own fields also moves its version on, so an
    edit form opened before it is refused instead of silently undoing it."""
    project.updated_at = clock.now()
    if changed_fields:
        project.version = (project.version or 1) + 1


def _audit(action: str, actor: Any, project: PortfolioProject, **details: Any) -> None:
    audit.record(action, actor=actor, subject_type="portfolio_project", subject_id=project.id,
                 challenge_id=project.origin_challenge_id, **details)


def _event(project: PortfolioProject, kind: str, **summary: Any) -> None:
    from app.portfolio.events import record_event

    record_event(project, kind, **summary)


# --- updates and stages ---------------------------------------------------------------------------

def _apply_stage(project: PortfolioProject, change: tuple[str, str, str] | None) -> None:
    if change is None:
        return
    old, new, reason = change
    project.stage = new
    # A reason belongs to a stop: a project that starts again has none.
    project.stopped_reason = reason if new == "stopped" else ""
    touch(project, changed_fields=True)
    _event(project, "stage", **{"from": old, "to": new, "reason": reason})


def _new_update(project: PortfolioProject, actor: Any, title: str, body: str,
                change: tuple[str, str, str] | None) -> ProjectUpdate:
    update = ProjectUpdate(project_id=project.id, title=title, body=body, author_id=getattr(actor, "id", None),
                           stage_from=change[0] if change else None, stage_to=change[1] if change else None,
                           created_at=clock.now())
    db.session.add(update)
    db.session.flush()
    _apply_stage(project, change)
    touch(project)
    _event(project, "update", title=title, update_id=update.id)
    return update


def add_update(project: PortfolioProject, actor: Any, title: Any, body: Any, stage: Any = None,
               stopped_reason: Any = None) -> ProjectUpdate:
    """Post a progress update on the project's public timeline (editors only).

    The title is required (at most 200 characters), the body is Markdown (at most 20,000). A stage
    other than the current one changes the project's stage and is recorded on the update
    (``stage_from``/``stage_to``); stopping needs a reason (422 otherwise); the current stage again
    is no change. Followers hear of the update and of the stage change.
    """
    project = locked_project(project, actor)
    problems: dict[str, str] = {}
    clean_title_ = collect(problems, "title", clean_title, title)
    clean_body = collect(problems, "body", clean_long, body)
    change = None
    try:
        change = stage_change(project.stage, stage, stopped_reason)
    except ValidationFailed as error:  # told together with the other fields' problems
        problems.update(error.fields)
    raise_if(problems)
    update = _new_update(project, actor, clean_title_, clean_body or "", change)
    _audit("project.update_added", actor, project, update_id=update.id, title=update.title,
           stage_from=update.stage_from, stage_to=update.stage_to)
    db.session.commit()
    return update


def record_stage_change(project: PortfolioProject, actor: Any, new_stage: str, reason: str = "") -> ProjectUpdate | None:
    """For a stage changed by editing the project itself: the same timeline entry and events as an
    update, titled "Stage changed". The caller has checked the values, holds the project's lock and
    commits; nothing happens when the stage stays the same."""
    if new_stage == project.stage:
        return None
    change = (project.stage, new_stage, reason if new_stage == "stopped" else "")
    return _new_update(project, actor, _("Stage changed"), "", change)


# --- milestones -----------------------------------------------------------------------------------

def _milestones(project: PortfolioProject) -> list[Milestone]:
    return list(db.session.scalars(select(Milestone).where(Milestone.project_id == project.id)
                                   .order_by(*MILESTONE_ORDER)))


def _progress(milestones: list[Milestone]) -> int | None:
    return rules.progress([rules.MilestoneState(bool(m.done), m.planned_on) for m in milestones])


def row_of(rows: list[Any], row_id: Any) -> Any:
    """The row with this id among the project's rows; 404 for another project's or an absent one."""
    found = next((row for row in rows if valid_id(row_id) and row.id == row_id), None)
    if found is None:
        raise NotFound()
    return found


def _progress_event(project: PortfolioProject, before: int | None, after: int | None) -> None:
    """Followers hear when the bar they see moves; no bar and an empty bar look the same (0 %)."""
    if (before or 0) != (after or 0):
        _event(project, "progress", **{"from": before, "to": after})


def _save_milestones(project: PortfolioProject, actor: Any, action: str, before: int | None,
                     milestones: list[Milestone], changed: Milestone | None, was_done: bool | None) -> None:
    """Followers hear when a milestone is done or reopened, and when the progress moves."""
    if changed is not None and was_done is not None and bool(changed.done) != was_done:
        _event(project, "milestone", title=changed.title, done=bool(changed.done), done_on=changed.done_on,
               milestone_id=changed.id)
    after = _progress(milestones)
    _progress_event(project, before, after)
    touch(project)
    _audit(action, actor, project, milestone_id=getattr(changed, "id", None),
           title=getattr(changed, "title", None), done=getattr(changed, "done", None), progress=after)
    db.session.commit()


def _apply_milestone(milestone: Milestone, clean: Mapping[str, Any], today: dt.date) -> None:
    for name in ("title", "planned_on"):
        if name in clean:
            setattr(milestone, name, clean[name])
    if "done" in clean:
        if clean["done"] and not milestone.done:
            milestone.done_on = today
        elif not clean["done"]:
            milestone.done_on = None
        milestone.done = clean["done"]
    if "done_on" in clean:
        milestone.done_on = clean["done_on"]


def add_milestone(project: PortfolioProject, actor: Any, data: Mapping[str, Any]) -> Milestone:
    """Add a milestone: a title (required), a planned date (optional), and possibly already done
    (its date then defaults to today). Editors only."""
    project = locked_project(project, actor)
    today = local_today()
    clean = clean_milestone(data, today, creating=True)
    milestones = _milestones(project)
    before = _progress(milestones)
    milestone = Milestone(project_id=project.id, title=clean["title"], planned_on=clean.get("planned_on"), done=False)
    _apply_milestone(milestone, clean, today)
    db.session.add(milestone)
    db.session.flush()
    milestones.append(milestone)
    _save_milestones(project, actor, "project.milestone_added", before, milestones, milestone,
                     False if milestone.done else None)
    return milestone


def update_milestone(project: PortfolioProject, actor: Any, milestone_id: Any, data: Mapping[str, Any]) -> Milestone:
    """Change a milestone's title, planned date, or whether it is done (``done_on`` defaults to today
    when it becomes done and is cleared when it is reopened). Editors only."""
    project = locked_project(project, actor)
    today = local_today()
    milestones = _milestones(project)
    milestone = row_of(milestones, milestone_id)
    clean = clean_milestone(data, today, creating=False, current_done=bool(milestone.done))
    before, was_done = _progress(milestones), bool(milestone.done)
    _apply_milestone(milestone, clean, today)
    _save_milestones(project, actor, "project.milestone_changed", before, milestones, milestone, was_done)
    return milestone


def set_milestone_done(project: PortfolioProject, actor: Any, milestone_id: Any, done: bool = True,
                       done_on: Any = None) -> Milestone:
    """Mark a milestone done (on ``done_on``, today by default) or reopen it."""
    data: dict[str, Any] = {"done": bool(done)}
    if done and done_on not in (None, ""):
        data["done_on"] = done_on
    return update_milestone(project, actor, milestone_id, data)


def remove_milestone(project: PortfolioProject, actor: Any, milestone_id: Any) -> None:
    """Remove a milestone (editors only); the progress is computed again without it."""
    project = locked_project(project, actor)
    milestones = _milestones(project)
    milestone = row_of(milestones, milestone_id)
    before = _progress(milestones)
    db.session.delete(milestone)
    milestones.remove(milestone)
    touch(project)
    after = _progress(milestones)
    _progress_event(project, before, after)
    _audit("project.milestone_removed", actor, project, milestone_id=milestone.id, title=milestone.title,
           progress=after)
    db.session.commit()


# --- funding sources ------------------------------------------------------------------------------

def _funding(project: PortfolioProject) -> list[FundingSource]:
    return list(db.session.scalars(select(FundingSource).where(FundingSource.project_id == project.id)
                                   .order_by(FundingSource.id)))


def _funding_snapshot(source: FundingSource) -> dict[str, Any]:
    return {"programme": source.programme, "amount": None if source.amount is None else str(source.amount),
            "currency": source.currency, "starts_on": source.starts_on, "ends_on": source.ends_on}


def add_funding(project: PortfolioProject, actor: Any, data: Mapping[str, Any]) -> FundingSource:
    """Add a funding source (programme, amount, currency, period), so co-financing is visible."""
    project = locked_project(project, actor)
    clean = clean_funding_source(data)
    source = FundingSource(project_id=project.id, **clean)
    db.session.add(source)
    db.session.flush()
    touch(project, changed_fields=True)
    _audit("project.funding_added", actor, project, funding_id=source.id, after=_funding_snapshot(source))
    db.session.commit()
    return source


def update_funding(project: PortfolioProject, actor: Any, funding_id: Any, data: Mapping[str, Any]) -> FundingSource:
    """Change a funding source's fields (any subset); the period stays in order."""
    project = locked_project(project, actor)
    source = row_of(_funding(project), funding_id)
    before = _funding_snapshot(source)
    clean = clean_funding_source(data, current={"starts_on": source.starts_on, "ends_on": source.ends_on})
    for name, value in clean.items():
        setattr(source, name, value)
    touch(project, changed_fields=True)
    _audit("project.funding_changed", actor, project, funding_id=source.id, before=before,
           after=_funding_snapshot(source))
    db.session.commit()
    return source


def remove_funding(project: PortfolioProject, actor: Any, funding_id: Any) -> None:
    project = locked_project(project, actor)
    source = row_of(_funding(project), funding_id)
    before = _funding_snapshot(source)
    db.session.delete(source)
    touch(project, changed_fields=True)
    _audit("project.funding_removed", actor, project, funding_id=funding_id, before=before)
    db.session.commit()
