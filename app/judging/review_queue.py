"""The juror's queue: what they are to score, in every challenge in judging, read in three queries.

Conflicts are worked out here for all the juror's teams at once (``access.conflicted_team_ids``
answers for one challenge at a time), with the same rule: ``rules.automatically_conflicted`` and
the recorded conflicts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from app.accounts.models import User
from app.accounts.rules import organisation_key
from app.challenges.models import Challenge, Track
from app.extensions import db
from app.judging import rules
from app.judging.models import Assignment, Conflict, Review
from app.submissions.models import Idea
from app.teams.models import TeamMember


@dataclass(frozen=True)
class QueueEntry:
    """One line of the queue: an idea to score and whether the juror has scored it."""

    idea_id: int
    challenge_id: int
    challenge_title: str
    title: str
    track_name: str | None
    scored: bool


def juror_queue(user: Any) -> list[QueueEntry]:
    """The submitted ideas assigned to the user in the current round of every challenge in judging,
    without those they are conflicted with, in challenge then assignment order (at most 3 queries)."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = db.session.execute(
        select(Idea.id, Idea.challenge_id, Challenge.title, Idea.title, Track.name, Review.id, Idea.team_id)
        .select_from(Assignment)
        .join(Idea, Idea.id == Assignment.idea_id)
        .join(Challenge, Challenge.id == Assignment.challenge_id)
        .outerjoin(Track, Track.id == Idea.track_id)
        .outerjoin(Review, and_(Review.idea_id == Assignment.idea_id, Review.round == Assignment.round,
                                Review.juror_user_id == Assignment.juror_user_id))
        .where(Assignment.juror_user_id == user.id, Assignment.round == Challenge.round,
               Challenge.status == "judging", Idea.status == "submitted")
        .order_by(Challenge.id, Assignment.id)).all()
    blocked = _conflicted_teams(user, {row[6] for row in rows})
    return [QueueEntry(idea_id=row[0], challenge_id=row[1], challenge_title=row[2], title=row[3],
                       track_name=row[4], scored=row[5] is not None)
            for row in rows if row[6] not in blocked]


def _conflicted_teams(user: Any, team_ids: set[int]) -> set[int]:
    """Which of these teams the user may not judge: automatic and recorded conflicts, two queries."""
    if not team_ids:
        return set()
    members: dict[int, list[tuple[int, str]]] = {}
    for team_id, user_id, organisation in db.session.execute(
            select(TeamMember.team_id, TeamMember.user_id, User.organisation)
            .join(User, User.id == TeamMember.user_id).where(TeamMember.team_id.in_(team_ids))):
        members.setdefault(team_id, []).append((user_id, organisation_key(organisation)))
    own_key = organisation_key(user.organisation)
    blocked = {team_id for team_id, team_members in members.items()
               if rules.automatically_conflicted(user.id, own_key, team_members)}
    blocked |= set(db.session.scalars(select(Conflict.team_id).where(
        Conflict.juror_user_id == user.id, Conflict.team_id.in_(team_ids))))
    return blocked


def group_by_challenge(entries: list[QueueEntry]) -> list[tuple[int, str, list[QueueEntry]]]:
    groups: dict[int, tuple[int, str, list[QueueEntry]]] = {}
    for entry in entries:
        groups.setdefault(entry.challenge_id, (entry.challenge_id, entry.challenge_title, []))[2].append(entry)
    return list(groups.values())


def next_unscored(user: Any, after_idea_id: int) -> int | None:
    """The next idea still to score after this one in the queue (wrapping round), or None."""
    entries = juror_queue(user)
    position = next((i for i, e in enumerate(entries) if e.idea_id == after_idea_id), -1)
    for entry in entries[position + 1:] + entries[:max(position, 0)]:
        if not entry.scored and entry.idea_id != after_idea_id:
            return entry.idea_id
    return None
