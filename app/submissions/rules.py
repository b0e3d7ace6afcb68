"""Pure rules about ideas: what a complete idea has."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

REQUIRED_TEXT = ("title", "summary", "problem", "solution", "beneficiaries")


def missing_for_submission(content: Mapping[str, Any], *, has_tracks: bool, needs_budget: bool) -> list[str]:
    """The fields an idea still needs before it can be submitted (drafts may lack them)."""
    missing = [name for name in REQUIRED_TEXT if not str(content.get(name) or "").strip()]
    if has_tracks and not content.get("track_id"):
        missing.append("track_id")
    if needs_budget and content.get("budget_requested") in (None, ""):
        missing.append("budget_requested")
    return missing


def team_large_enough(member_count: int, min_size: int) -> bool:
    return member_count >= min_size


NEXT_STEPS = ("wait", "create_team", "write_idea", "submit", "edit", "none")


def next_step(*, phase: str, has_team: bool, idea_status: str | None, missing: Sequence[str]) -> str:
    """The single next thing a participant should do in a challenge, shown on their dashboard."""
    if phase == "upcoming":
        return "wait"
    if phase != "submissions_open":
        return "none"
    if not has_team:
        return "create_team"
    if idea_status is None:
        return "write_idea"
    if idea_status == "not_retained":
        return "none"
    if idea_status == "submitted":
        return "edit"
    return "write_idea" if missing else "submit"
