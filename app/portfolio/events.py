"""What followers of a project hear about. Every change worth a digest line is written as a
ProjectEvent in the same transaction as the change itself, so a digest never announces a change
that was rolled back and never misses one that was committed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.extensions import db
from app.portfolio.models import PortfolioProject, ProjectEvent

KINDS = ("stage", "progress", "milestone", "update")


def _json_safe(value: Any) -> Any:
    """Dates, decimals and nested containers become plain JSON values (the summary is a JSON column)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    return str(value)


def record_event(project: PortfolioProject, kind: str, **summary: Any) -> ProjectEvent:
    """Add a change of ``project`` to the current transaction; the caller commits.

    Kinds and the summary digests read: "stage" (from, to, reason); "progress" (from, to: per cent
    of milestones done) or, for an indicator, (indicator, indicator_id, previous, current, unit,
    target); "milestone" (title, done); "update" (title, update_id). Values are made JSON-safe.
    An unknown kind is a programming error, not user input."""
    if kind not in KINDS:
        raise ValueError(f"unknown project event kind: {kind}")
    event = ProjectEvent(project_id=project.id, kind=kind, summary=_json_safe(summary))
    if project.id is None:
        # A project created in the same transaction gets its id at the flush.
        db.session.flush()
        event.project_id = project.id
    db.session.add(event)
    return event
