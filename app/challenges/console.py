"""What the organiser console shows: every team of a challenge with its idea, in two queries."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.accounts.models import DELETED_NAME, User
from app.challenges.models import Track
from app.extensions import db
from app.submissions.models import IDEA_STATUSES, Idea
from app.teams.models import Team, TeamMember

NO_IDEA = "none"
STATUS_FILTERS = (*IDEA_STATUSES, NO_IDEA)


@dataclass(frozen=True)
class ConsoleRow:
    team_id: int
    team_name: str
    members: int
    captain: str
    deadline_exception: dt.datetime | None
    exception_reason: str
    idea_id: int | None
    idea_title: str
    idea_status: str
    track_name: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime | None


def parse_filters(args: Any, track_ids: set[int]) -> tuple[str | None, int | None]:
    """Only known statuses and this challenge's tracks are used; anything else means no filter."""
    status = args.get("status") or None
    if status not in STATUS_FILTERS:
        status = None
    try:
        track_id: int | None = int(args.get("track") or "")
    except ValueError:
        track_id = None
    return status, (track_id if track_id in track_ids else None)


def console_rows(challenge_id: int, *, status: str | None = None, track_id: int | None = None) -> list[ConsoleRow]:
    members = (select(func.count(TeamMember.id)).where(TeamMember.team_id == Team.id)
               .correlate(Team).scalar_subquery())
    captain = (select(User.name)
               .join(TeamMember, TeamMember.user_id == User.id)
               .where(TeamMember.team_id == Team.id, TeamMember.role == "captain", User.erased_at.is_(None))
               .correlate(Team).limit(1).scalar_subquery())
    stmt = (select(Team.id, Team.name, members, captain, Team.deadline_exception, Team.deadline_exception_reason,
                   Idea.id, Idea.title, Idea.status, Track.name, Idea.submitted_at, Idea.updated_at)
            .outerjoin(Idea, Idea.team_id == Team.id)
            .outerjoin(Track, Track.id == Idea.track_id)
            .where(Team.challenge_id == challenge_id)
            .order_by(Team.name_key, Team.id))
    if status == NO_IDEA:
        stmt = stmt.where(Idea.id.is_(None))
    elif status:
        stmt = stmt.where(Idea.status == status)
    if track_id:
        stmt = stmt.where(Idea.track_id == track_id)
    return [ConsoleRow(team_id=r[0], team_name=r[1], members=r[2] or 0, captain=r[3] or DELETED_NAME,
                       deadline_exception=r[4], exception_reason=r[5] or "", idea_id=r[6], idea_title=r[7] or "",
                       idea_status=r[8] or NO_IDEA, track_name=r[9] or "", submitted_at=r[10], updated_at=r[11])
            for r in db.session.execute(stmt)]


def status_counts(challenge_id: int) -> dict[str, int]:
    """How many teams are at each idea status (``none``: no idea yet), whatever the filters."""
    stmt = (select(Idea.status, func.count(Team.id))
            .outerjoin(Idea, Idea.team_id == Team.id)
            .where(Team.challenge_id == challenge_id)
            .group_by(Idea.status))
    counts = {name: 0 for name in STATUS_FILTERS}
    counts.update({name or NO_IDEA: count for name, count in db.session.execute(stmt)})
    return counts
