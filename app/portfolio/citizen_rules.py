"""Pure rules of what citizens add to a project: comment and reason limits, the assessment
scale and its aggregate, and how a follower's digest sums up a run of changes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

COMMENT_MAX_CHARS = 5_000
REASON_MAX_CHARS = 1_000
SCORES = (1, 2, 3, 4, 5)
COMMENTS_PER_HOUR = "30 per hour"
COMMENTS_ON_PAGE = 50


def text_problem(text: Any, *, max_chars: int, required: bool) -> str | None:
    """"required", "too_long", "invalid" (not text, or a NUL no database can hold), or None.

    Length counts the text as written; a text of blanks only counts as empty."""
    if text is None:
        text = ""
    if not isinstance(text, str) or "\x00" in text:
        return "invalid"
    if required and not text.strip():
        return "required"
    if len(text) > max_chars:
        return "too_long"
    return None


def valid_score(value: Any) -> bool:
    """A whole number from 1 to 5 (true/false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in SCORES


def assessment_aggregate(rows: Iterable[tuple[int, int, int]]) -> dict[str, Any]:
    """Count, means and distribution of (usefulness, progress_visible, how many) groups.

    Means are unrounded (null without assessments); the distribution counts every score 1–5
    of each question, zeros included, so a chart needs no gaps filled."""
    count = 0
    sums = {"usefulness": 0, "progress_visible": 0}
    distribution = {name: {str(score): 0 for score in SCORES} for name in sums}
    for usefulness, progress_visible, n in rows:
        count += n
        for name, value in (("usefulness", usefulness), ("progress_visible", progress_visible)):
            sums[name] += value * n
            distribution[name][str(value)] += n
    return {"count": count,
            "usefulness": sums["usefulness"] / count if count else None,
            "progress_visible": sums["progress_visible"] / count if count else None,
            "distribution": distribution}


@dataclass
class ProjectNews:
    """What one follower hears about one project: events in order, progress folded into one step."""

    project_id: int
    stages: list[dict[str, Any]] = field(default_factory=list)
    progress: dict[str, Any] | None = None
    milestones: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    # Indicator values: one entry per indicator, {name, unit, from, to, target}.
    indicators: list[dict[str, Any]] = field(default_factory=list)
    last_event_id: int = 0

    @property
    def empty(self) -> bool:
        return not (self.stages or self.progress or self.milestones or self.updates or self.indicators)


def project_news(project_id: int, events: Iterable[tuple[int, str, dict[str, Any]]]) -> ProjectNews:
    """Fold (event id, kind, summary) rows of one project, oldest first, into one digest entry.

    Several progress changes read as one, from the first value to the last, and so do several
    values of one indicator; a run that ends where it started says nothing. Stage changes,
    milestones and updates are each listed."""
    news = ProjectNews(project_id)
    first_progress: Any = None
    last_progress: Any = None
    seen_progress = False
    indicators: dict[Any, dict[str, Any]] = {}
    for event_id, kind, summary in events:
        news.last_event_id = max(news.last_event_id, event_id)
        summary = summary or {}
        if kind == "stage":
            news.stages.append(summary)
        elif kind == "progress" and "indicator" in summary:
            key = summary.get("indicator_id", summary["indicator"])
            entry = indicators.setdefault(key, {"from": summary.get("previous")})
            entry.update({"name": summary["indicator"], "unit": summary.get("unit") or "",
                          "to": summary.get("current", summary.get("value")), "target": summary.get("target")})
        elif kind == "progress":
            if not seen_progress:
                first_progress, seen_progress = summary.get("from"), True
            last_progress = summary.get("to")
        elif kind == "milestone":
            news.milestones.append(summary)
        elif kind == "update":
            news.updates.append(summary)
    if seen_progress and first_progress != last_progress:
        news.progress = {"from": first_progress, "to": last_progress}
    news.indicators = [entry for entry in indicators.values() if entry["from"] != entry["to"]]
    return news
