"""What a participant's dashboard shows: their challenges, teams, ideas and the next step in each.

Loaded in a fixed number of queries however many challenges the person takes part in.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.challenges import rules as challenge_rules
from app.challenges.access import team_deadline
from app.challenges.models import Challenge
from app.extensions import db
from app.submissions import rules
from app.submissions.models import Idea
from app.submissions.services import needs_budget
from app.teams.models import Team, TeamMember, TeamSeeker

OTHER_OPEN_CHALLENGES = 6


@dataclass
class ChallengeCard:
    challenge: Challenge
    phase: str
    deadline: dt.datetime | None
    team: Team | None
    idea: Idea | None
    missing: list[str]
    next_step: str


@dataclass
class Dashboard:
    cards: list[ChallengeCard]
    other_open: list[Challenge]


def load_dashboard(user: Any, now: dt.datetime) -> Dashboard:
    memberships = db.session.scalars(
        select(TeamMember).where(TeamMember.user_id == user.id)
        .options(joinedload(TeamMember.team).selectinload(Team.members).joinedload(TeamMember.user))
    ).unique().all()
    teams = {m.challenge_id: m.team for m in memberships}
    seeking = set(db.session.scalars(select(TeamSeeker.challenge_id).where(TeamSeeker.user_id == user.id)))
    challenge_ids = set(teams) | seeking
    challenges = db.session.scalars(
        select(Challenge).where(Challenge.id.in_(challenge_ids), Challenge.status != "draft")
        .options(selectinload(Challenge.tracks))
    ).all() if challenge_ids else []
    team_ids = [team.id for team in teams.values()]
    ideas = {idea.team_id: idea for idea in db.session.scalars(
        select(Idea).where(Idea.team_id.in_(team_ids)))} if team_ids else {}

    cards = []
    for challenge in challenges:
        team = teams.get(challenge.id)
        idea = ideas.get(team.id) if team else None
        deadline = team_deadline(challenge, team)
        phase = challenge_rules.phase(challenge.status, challenge.opens_at, deadline, now)
        missing = rules.missing_for_submission(idea.content(), has_tracks=bool(challenge.tracks),
                                               needs_budget=needs_budget(challenge)) if idea else []
        step = rules.next_step(phase=phase, has_team=team is not None,
                               idea_status=idea.status if idea else None, missing=missing)
        cards.append(ChallengeCard(challenge, phase, deadline, team, idea, missing, step))
    cards.sort(key=lambda c: (c.phase != "submissions_open", c.deadline or dt.datetime.max.replace(
        tzinfo=dt.timezone.utc), c.challenge.id))

    other_open = db.session.scalars(
        select(Challenge).where(Challenge.status == "open", Challenge.submission_deadline > now,
                                Challenge.id.not_in(challenge_ids or {0}))
        .order_by(Challenge.submission_deadline, Challenge.id).limit(OTHER_OPEN_CHALLENGES)
    ).all()
    return Dashboard(cards=cards, other_open=list(other_open))
