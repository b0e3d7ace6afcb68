"""Pure rules of a challenge's life: its phase, what opening needs, when teams may write."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

PHASES = ("upcoming", "submissions_open", "submissions_closed", "judging", "results")


def phase(status: str, opens_at: dt.datetime | None, deadline: dt.datetime | None, now: dt.datetime) -> str:
    """The phase everybody sees, derived from the status and the clock (never stored)."""
    if status in ("published", "archived"):
        return "results"
    if status == "judging":
        return "judging"
    if status == "open":
        if opens_at is not None and now < opens_at:
            return "upcoming"
        if deadline is not None and now >= deadline:
            return "submissions_closed"
        return "submissions_open"
    return "upcoming"


def submissions_open(status: str, opens_at: dt.datetime | None, deadline: dt.datetime | None,
                     now: dt.datetime) -> bool:
    """Teams and ideas may be written while open and opens_at ≤ now < deadline (to the second)."""
    if status != "open" or deadline is None:
        return False
    if opens_at is not None and now < opens_at:
        return False
    return now < deadline


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: float
    scale_min: int
    scale_max: int


def opening_problems(*, title: str, description: str, opens_at: dt.datetime | None,
                     deadline: dt.datetime | None, team_min: int, team_max: int, reviews_per_entry: int,
                     criteria: Sequence[CriterionSpec], now: dt.datetime) -> dict[str, str]:
    """What is missing before a draft can open, as field → problem code (callers translate)."""
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = "missing"
    if not description.strip():
        problems["description"] = "missing"
    if deadline is None:
        problems["submission_deadline"] = "missing"
    elif deadline <= now:
        problems["submission_deadline"] = "in_past"
    elif opens_at is not None and opens_at >= deadline:
        problems["submission_deadline"] = "before_opening"
    if team_min < 1 or team_max < team_min:
        problems["team_max_size"] = "sizes"
    if reviews_per_entry < 1:
        problems["reviews_per_entry"] = "too_small"
    if not criteria:
        problems["criteria"] = "missing"
    elif any(c.weight <= 0 or c.scale_max <= c.scale_min for c in criteria):
        problems["criteria"] = "invalid"
    return problems
