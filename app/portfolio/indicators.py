"""A project's indicators (name, unit, baseline, target, current value) and their history.

Each new value is a row of its own: the history is never overwritten, and the indicator's current
value is the latest measurement (by the day it was measured, so a value entered late for last
month does not replace this month's).
"""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import audit, clock
from app.core.errors import Conflict
from app.extensions import db
from app.portfolio.lifecycle import local_today, locked_project, row_of, touch
from app.portfolio.lifecycle_rules import clean_indicator, clean_value
from app.portfolio.models import Indicator, IndicatorValue, PortfolioProject

MAX_INDICATORS = 50


def _indicators(project: PortfolioProject) -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).where(Indicator.project_id == project.id)
                                   .order_by(Indicator.position, Indicator.id)))


def _audit(action: str, actor: Any, project: PortfolioProject, **details: Any) -> None:
    audit.record(action, actor=actor, subject_type="portfolio_project", subject_id=project.id,
                 challenge_id=project.origin_challenge_id, **details)


def add_indicator(project: PortfolioProject, actor: Any, data: Mapping[str, Any]) -> Indicator:
    """Add an indicator: a name (required), a unit, a baseline and a target (numbers, optional).
    Its current value starts at the baseline until a first value is recorded. Editors only."""
    project = locked_project(project, actor)
    clean = clean_indicator(data, creating=True)
    existing = _indicators(project)
    if len(existing) >= MAX_INDICATORS:
        raise Conflict(_("A project can follow at most %(n)s indicators.", n=MAX_INDICATORS), code="too_many_indicators")
    indicator = Indicator(project_id=project.id, name=clean["name"], unit=clean["unit"] or "",
                          baseline=clean["baseline"], target=clean["target"], current=clean["baseline"],
                          position=(max((i.position for i in existing), default=-1) + 1))
    db.session.add(indicator)
    db.session.flush()
    touch(project)
    _audit("project.indicator_added", actor, project, indicator_id=indicator.id, name=indicator.name,
           unit=indicator.unit, baseline=indicator.baseline, target=indicator.target)
    db.session.commit()
    return indicator


def update_indicator(project: PortfolioProject, actor: Any, indicator_id: Any, data: Mapping[str, Any]) -> Indicator:
    """Change an indicator's name, unit or target; its baseline and its history stay as they were."""
    project = locked_project(project, actor)
    indicator = row_of(_indicators(project), indicator_id)
    clean = clean_indicator(data, creating=False)
    before = {"name": indicator.name, "unit": indicator.unit, "target": indicator.target}
    for name, value in clean.items():
        setattr(indicator, name, value)
    touch(project)
    _audit("project.indicator_changed", actor, project, indicator_id=indicator.id, before=before,
           after={"name": indicator.name, "unit": indicator.unit, "target": indicator.target})
    db.session.commit()
    return indicator


def record_value(project: PortfolioProject, actor: Any, indicator_id: Any, data: Mapping[str, Any]) -> IndicatorValue:
    """Record a new measurement (``value``, and ``recorded_on``: today by default, never in the
    future). It is added to the history; the current value becomes the latest measurement.
    Followers hear of the progress."""
    project = locked_project(project, actor)
    indicator = row_of(_indicators(project), indicator_id)
    value, day = clean_value(data, local_today())
    row = IndicatorValue(indicator_id=indicator.id, value=value, recorded_on=day,
                         recorded_by_id=getattr(actor, "id", None), created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    previous = indicator.current
    latest = db.session.scalars(select(IndicatorValue.value).where(IndicatorValue.indicator_id == indicator.id)
                                .order_by(IndicatorValue.recorded_on.desc(), IndicatorValue.id.desc()).limit(1)).one()
    indicator.current = latest
    touch(project)
    from app.portfolio.events import record_event

    record_event(project, "progress", indicator=indicator.name, indicator_id=indicator.id, value=value,
                 unit=indicator.unit, recorded_on=day, current=latest, previous=previous, target=indicator.target)
    _audit("project.indicator_value_recorded", actor, project, indicator_id=indicator.id, value=value,
           recorded_on=day.isoformat())
    db.session.commit()
    return row


def remove_indicator(project: PortfolioProject, actor: Any, indicator_id: Any) -> None:
    """Remove an indicator added by mistake. One with recorded values is refused (409
    ``indicator_has_history``): its history is part of the public record."""
    project = locked_project(project, actor)
    indicator = row_of(_indicators(project), indicator_id)
    count = db.session.scalar(select(func.count()).select_from(IndicatorValue)
                              .where(IndicatorValue.indicator_id == indicator.id))
    if count:
        raise Conflict(_("This indicator has recorded values, so it stays: its history is part of the public "
                         "record."), code="indicator_has_history")
    db.session.delete(indicator)
    touch(project)
    _audit("project.indicator_removed", actor, project, indicator_id=indicator.id, name=indicator.name)
    db.session.commit()

