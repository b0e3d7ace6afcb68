"""The team finder: people without a team say what they bring, teams say whom they look for."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.challenges.access import assert_submissions_open
from app.challenges.models import Challenge
from app.core import clock, privacy
from app.core.db import begin_write
from app.core.errors import ValidationFailed
from app.extensions import db
from app.teams import rules
from app.teams.models import Team, TeamMember, TeamSeeker
from app.teams.services import assert_not_in_team, require_captain, locked_team, challenge_of

TEXT_MAX = 2000


def seeker_profile(challenge_id: int, user: Any) -> TeamSeeker | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(TeamSeeker).where(TeamSeeker.challenge_id == challenge_id,
                                                      TeamSeeker.user_id == user.id))


def seekers_of(challenge_id: int) -> list[TeamSeeker]:
    """Everyone looking for a team in a challenge, longest waiting first, with their accounts."""
    return list(db.session.scalars(
        select(TeamSeeker).options(joinedload(TeamSeeker.user))
        .where(TeamSeeker.challenge_id == challenge_id).order_by(TeamSeeker.created_at, TeamSeeker.id)))


def teams_looking(challenge: Challenge) -> list[tuple[Team, int]]:
    """Teams that say they look for members and still have room, with their member counts."""
    count = func.count(TeamMember.id)
    rows = db.session.execute(
        select(Team, count).join(TeamMember, TeamMember.team_id == Team.id)
        .options(selectinload(Team.members).joinedload(TeamMember.user))
        .where(Team.challenge_id == challenge.id, Team.looking_for_members.is_(True))
        .group_by(Team.id).having(count < challenge.team_max_size).order_by(Team.name_key)).all()
    return [(team, members) for team, members in rows]


def _clean(fields: dict[str, str], *, required: str | None = None) -> dict[str, str]:
    values = {name: (value or "").strip() for name, value in fields.items()}
    problems: dict[str, str] = {}
    if required and not values[required]:
        problems[required] = _("Tell others what you bring: your skills or your experience.")
    for name, value in values.items():
        if rules.has_nul(value):
            problems[name] = _("This value is not valid.")
        elif len(value) > TEXT_MAX:
            problems[name] = _("At most %(n)s characters.", n=TEXT_MAX)
    if problems:
        raise ValidationFailed(fields=problems)
    return values


def post_seeker_profile(challenge: Challenge, actor: Any, skills: str, interests: str) -> TeamSeeker:
    """Say you are looking for a team: only for people without one; posting again replaces it."""
    values = _clean({"skills": skills, "interests": interests}, required="skills")
    challenge_id, actor_id = challenge.id, actor.id
    begin_write(db.session)
    assert_submissions_open(db.session.get(Challenge, challenge_id))
    assert_not_in_team(challenge_id, actor_id)
    profile = db.session.scalar(select(TeamSeeker).where(TeamSeeker.challenge_id == challenge_id,
                                                         TeamSeeker.user_id == actor_id))
    if profile is None:
        profile = TeamSeeker(challenge_id=challenge_id, user_id=actor_id, created_at=clock.now())
        db.session.add(profile)
    profile.skills, profile.interests = values["skills"], values["interests"]
    db.session.commit()
    return profile


def withdraw_seeker_profile(challenge: Challenge, actor: Any) -> bool:
    """Take your profile off the finder. Allowed at any time: it only removes your own words."""
    result = db.session.execute(delete(TeamSeeker).where(TeamSeeker.challenge_id == challenge.id,
                                                         TeamSeeker.user_id == actor.id))
    db.session.commit()
    return bool(result.rowcount)


def set_team_looking(team: Team, captain: Any, looking_for_members: bool, looking_for: str) -> Team:
    """The captain lists the team in the finder (or takes it off) and says whom it looks for."""
    values = _clean({"looking_for": looking_for})
    team_id = team.id
    begin_write(db.session)
    team = locked_team(team_id)
    require_captain(team, captain)
    assert_submissions_open(challenge_of(team), team)
    team.looking_for_members = bool(looking_for_members)
    team.looking_for = values["looking_for"]
    db.session.commit()
    return team


def _export(user: Any) -> dict[str, Any]:
    memberships = db.session.execute(
        select(TeamMember, Team).join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.user_id == user.id).order_by(TeamMember.joined_at)).all()
    profiles = db.session.scalars(select(TeamSeeker).where(TeamSeeker.user_id == user.id))
    return {
        "memberships": [{"team_id": team.id, "team": team.name, "challenge_id": team.challenge_id,
                         "role": member.role, "joined_at": member.joined_at.isoformat()}
                        for member, team in memberships],
        "team_finder_profiles": [{"challenge_id": p.challenge_id, "skills": p.skills, "interests": p.interests,
                                  "created_at": p.created_at.isoformat()} for p in profiles],
    }


def _erase(user: Any) -> None:
    # What a person wrote about themselves in the finder is theirs alone: it goes with the account.
    db.session.execute(delete(TeamSeeker).where(TeamSeeker.user_id == user.id))


privacy.register_exporter("teams", _export)
privacy.register_eraser(_erase)
