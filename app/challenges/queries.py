"""Reading challenges the way each person may see them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, or_, select, true
from sqlalchemy.orm import selectinload

from app.challenges.models import Challenge, ChallengeOrganiser


def visible_challenges(user: Any) -> Select:
    """Every challenge that is not a draft, plus the drafts the user organises (all, for administrators).

    Tracks and criteria come in one extra query for the whole page, however many rows it has.
    """
    if not getattr(user, "is_authenticated", False):
        visible = Challenge.status != "draft"
    elif user.is_admin:
        visible = true()
    else:
        organised = select(ChallengeOrganiser.challenge_id).where(ChallengeOrganiser.user_id == user.id)
        visible = or_(Challenge.status != "draft", Challenge.id.in_(organised))
    # Running challenges first, then those being set up, then finished ones.
    stage = case({"open": 0, "judging": 1, "draft": 2, "published": 3}, value=Challenge.status, else_=4)
    return (select(Challenge).where(visible)
            .options(selectinload(Challenge.tracks), selectinload(Challenge.criteria))
            .order_by(stage, Challenge.submission_deadline, Challenge.id.desc()))
