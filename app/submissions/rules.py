"""Pure rules about ideas: what a complete idea has."""
from __future__ import annotations

from typing import Any, Mapping

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
