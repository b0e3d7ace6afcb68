"""Who is on a jury, who is conflicted with what, and which ideas a juror may open.

A conflicted juror never sees the entry, its scores or its ranking: every judging read goes
through these functions, which answer 404 for anything a juror may not see.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.rules import organisation_key
from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.core.errors import NotFound
from app.extensions import db
from app.judging import rules
from app.judging.models import Assignment, Conflict, Juror
from app.submissions.models import Idea
from app.teams.models import TeamMember


def juror_of(challenge_id: int, user: Any) -> Juror | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Juror).where(Juror.challenge_id == challenge_id, Juror.user_id == user.id))


def conflicted_team_ids(challenge_id: int, juror_user_id: int) -> set[int]:
    """Teams of the challenge this juror may not judge: automatic and recorded conflicts (3 queries)."""
    juror_org = organisation_key(db.session.scalar(select(User.organisation).where(User.id == juror_user_id)))
    members: dict[int, list[tuple[int, str]]] = {}
    rows = db.session.execute(select(TeamMember.team_id, TeamMember.user_id, User.organisation)
                              .join(User, User.id == TeamMember.user_id)
                              .where(TeamMember.challenge_id == challenge_id))
    for team_id, user_id, organisation in rows:
        members.setdefault(team_id, []).append((user_id, organisation_key(organisation)))
    conflicted = {team_id for team_id, team_members in members.items()
                  if rules.automatically_conflicted(juror_user_id, juror_org, team_members)}
    conflicted |= set(db.session.scalars(select(Conflict.team_id).where(
        Conflict.challenge_id == challenge_id, Conflict.juror_user_id == juror_user_id)))
    return conflicted


def conflict_pairs(challenge_id: int) -> set[tuple[int, int]]:
    """Every (juror user id, idea id) pair of the challenge that is conflicted (4 queries)."""
    jurors = db.session.execute(select(Juror.user_id, User.organisation).join(User, User.id == Juror.user_id)
                                .where(Juror.challenge_id == challenge_id)).all()
    members: dict[int, list[tuple[int, str]]] = {}
    for team_id, user_id, organisation in db.session.execute(
            select(TeamMember.team_id, TeamMember.user_id, User.organisation)
            .join(User, User.id == TeamMember.user_id).where(TeamMember.challenge_id == challenge_id)):
        members.setdefault(team_id, []).append((user_id, organisation_key(organisation)))
    recorded = set(map(tuple, db.session.execute(select(Conflict.juror_user_id, Conflict.team_id)
                                                  .where(Conflict.challenge_id == challenge_id))))
    ideas = db.session.execute(select(Idea.id, Idea.team_id).where(Idea.challenge_id == challenge_id)).all()
    pairs = set()
    for juror_id, organisation in jurors:
        juror_org = organisation_key(organisation)
        for idea_id, team_id in ideas:
            if (juror_id, team_id) in recorded or rules.automatically_conflicted(
                    juror_id, juror_org, members.get(team_id, ())):
                pairs.add((juror_id, idea_id))
    return pairs


def reviewable_idea(idea_id: int, user: Any, round_: int | None = None) -> tuple[Idea, Challenge, Assignment]:
    """The idea, its challenge and the user's assignment on it — or 404.

    404 unless the user is assigned to this submitted idea (in the challenge's current round by
    default) and not conflicted with its team; 404 too for an id no row can have (a URL may carry
    any integer, PostgreSQL ids are 32-bit).
    """
    if not getattr(user, "is_authenticated", False) or not valid_id(idea_id):
        raise NotFound()
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise NotFound()
    challenge = db.session.get(Challenge, idea.challenge_id)
    assignment = db.session.scalar(select(Assignment).where(
        Assignment.idea_id == idea.id, Assignment.juror_user_id == user.id,
        Assignment.round == (round_ or challenge.round)))
    if assignment is None or idea.team_id in conflicted_team_ids(challenge.id, user.id):
        raise NotFound()
    return idea, challenge, assignment
