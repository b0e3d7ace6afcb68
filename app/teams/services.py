"""Every write about teams and their members. Each function states the rule it enforces.

Writes that check state first (room left, one team per person, the deadline) start with
``begin_write`` and lock the team row, so two people acting at the same moment are served one
after the other and a limit can never be overshot.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.challenges.access import assert_submissions_open, valid_id
from app.challenges.models import Challenge
from app.core import audit, clock
from app.core.db import begin_write
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.teams import rules
from app.teams.models import Team, TeamMember, TeamSeeker

NAME_MAX = 200


# --- reading --------------------------------------------------------------------------------

def challenge_of(team: Team) -> Challenge:
    return db.session.get(Challenge, team.challenge_id)


def _with_members(stmt: Any) -> Any:
    return stmt.options(selectinload(Team.members).joinedload(TeamMember.user))


def visible_team(team_id: int, user: Any) -> Team:
    """A team for its members and the organisers of its challenge; 404 for everyone else (and for
    an id no row can have, which the database would refuse as an overflow)."""
    team = db.session.scalar(_with_members(select(Team).where(Team.id == team_id))) if valid_id(team_id) else None
    if team is None:
        raise NotFound()
    if team.is_member(user):
        return team
    challenge = challenge_of(team)
    if challenge is None or not challenge.is_organiser(user):
        raise NotFound()
    return team


def team_of(challenge_id: int, user: Any) -> Team | None:
    """The team a person belongs to in a challenge (there is at most one)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(_with_members(
        select(Team).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.challenge_id == challenge_id, TeamMember.user_id == user.id)))


def teams_of(user: Any) -> list[Team]:
    """Every team of a person, newest first (for a dashboard)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(_with_members(
        select(Team).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user.id).order_by(Team.created_at.desc(), Team.id.desc()))))


def team_for_code(invite_code: str) -> Team:
    """The team an invitation code opens; unknown codes and teams of draft challenges are 404."""
    code = _code(invite_code)
    team = db.session.scalar(_with_members(select(Team).where(Team.invite_code == code))) if code else None
    if team is None or challenge_of(team).status == "draft":
        raise NotFound(_("This invitation code is not valid. Ask the team for its current link."))
    return team


# --- helpers --------------------------------------------------------------------------------

def _code(invite_code: str) -> str:
    """A code as typed, or '' when it cannot be one (so it is simply not found)."""
    code = (invite_code or "").strip()
    return "" if len(code) > 64 or rules.has_nul(code) else code


def new_invite_code() -> str:
    # 72 random bits: unguessable, still short enough to read out over the phone.
    return secrets.token_urlsafe(9)


def locked_team(team_id: int) -> Team:
    """Reload a team inside the write transaction, its row locked on PostgreSQL."""
    team = db.session.scalar(select(Team).where(Team.id == team_id).with_for_update()
                             .execution_options(populate_existing=True))
    if team is None:
        raise NotFound()
    return team


def _member_count(team_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team_id))


def _already_in_team() -> Conflict:
    return Conflict(_("You are already in a team for this challenge. Leave it first to join another."),
                    code="already_in_team")


def team_full_conflict() -> Conflict:
    return Conflict(_("This team is full: it has no free place left."), code="team_full")


def assert_not_in_team(challenge_id: int, user_id: int) -> None:
    if db.session.scalar(select(TeamMember.id).where(TeamMember.challenge_id == challenge_id,
                                                     TeamMember.user_id == user_id)) is not None:
        raise _already_in_team()


def _name_taken() -> Conflict:
    return Conflict(_("Another team in this challenge already has this name."), code="team_name_taken")


def assert_name_free(challenge_id: int, name_key: str) -> None:
    if db.session.scalar(select(Team.id).where(Team.challenge_id == challenge_id, Team.name_key == name_key)):
        raise _name_taken()


def _drop_seeker_profile(challenge_id: int, user_id: int) -> None:
    db.session.execute(delete(TeamSeeker).where(TeamSeeker.challenge_id == challenge_id,
                                                TeamSeeker.user_id == user_id))


def _flush_membership() -> None:
    """Write now, turning a lost race on a unique constraint into the conflict it means."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        text = str(error.orig).lower()
        if "name_key" in text or "uq_teams_challenge_name" in text:
            raise _name_taken() from None
        raise _already_in_team() from None


def _record(action: str, actor: Any, team: Team, **details: Any) -> None:
    audit.record(action, actor=actor, subject_type="team", subject_id=team.id,
                 challenge_id=team.challenge_id, **details)


def require_member(team: Team, user: Any) -> TeamMember:
    member = team.member(user)
    if member is None:
        raise NotFound()
    return member


def require_captain(team: Team, user: Any) -> None:
    if require_member(team, user).role != "captain":
        raise Forbidden(_("Only the team's captain can do this."))


# --- writes ---------------------------------------------------------------------------------

def create_team(challenge: Challenge, actor: Any, name: str) -> Team:
    """Create a team with the actor as captain.

    One team per person per challenge (409 already_in_team); names unique in a challenge
    whatever their case and spacing (409 team_name_taken); only while submissions are open.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": _("Enter a name for the team.")})
    if rules.has_nul(name):
        raise ValidationFailed(fields={"name": _("This value is not valid.")})
    if len(name) > NAME_MAX:
        raise ValidationFailed(fields={"name": _("At most %(n)s characters.", n=NAME_MAX)})
    challenge_id, actor_id = challenge.id, actor.id
    begin_write(db.session)
    challenge = db.session.get(Challenge, challenge_id)
    assert_submissions_open(challenge)
    assert_not_in_team(challenge_id, actor_id)
    key = rules.team_name_key(name)
    assert_name_free(challenge_id, key)
    now = clock.now()
    team = Team(challenge_id=challenge_id, name=name, name_key=key, invite_code=new_invite_code(),
                created_at=now, looking_for="")
    team.members.append(TeamMember(user_id=actor_id, challenge_id=challenge_id, role="captain", joined_at=now))
    _drop_seeker_profile(challenge_id, actor_id)
    db.session.add(team)
    _flush_membership()
    _record("team.created", actor, team, name=name)
    db.session.commit()
    return team


def join_team(invite_code: str, actor: Any) -> Team:
    """Join the team an invitation code opens.

    404 for an unknown code (or a draft challenge); 409 submissions_closed after the deadline,
    already_in_team when the person has a team in this challenge, team_full at team_max_size.
    Race-safe: the team row is locked (BEGIN IMMEDIATE on SQLite), so the count of members
    checked is the count written against.
    """
    actor_id = actor.id
    code = _code(invite_code)
    begin_write(db.session)
    team = db.session.scalar(select(Team).where(Team.invite_code == code).with_for_update()) if code else None
    challenge = challenge_of(team) if team is not None else None
    if challenge is None or challenge.status == "draft":
        raise NotFound(_("This invitation code is not valid. Ask the team for its current link."))
    assert_submissions_open(challenge, team)
    assert_not_in_team(team.challenge_id, actor_id)
    if not rules.has_room(_member_count(team.id), challenge.team_max_size):
        raise team_full_conflict()
    _drop_seeker_profile(team.challenge_id, actor_id)
    db.session.add(TeamMember(team_id=team.id, user_id=actor_id, challenge_id=team.challenge_id,
                              role="member", joined_at=clock.now()))
    _flush_membership()
    _record("team.member_joined", actor, team, user_id=actor_id)
    db.session.commit()
    return team


def leave_team(team: Team, actor: Any) -> Team | None:
    """Leave a team before the deadline.

    A leaving captain hands the role to the longest-standing member; the last member leaving
    dissolves the team, and its idea goes with it. Returns the team, or None once dissolved.
    """
    team_id, actor_id = team.id, actor.id
    begin_write(db.session)
    team = locked_team(team_id)
    member = require_member(team, actor)
    assert_submissions_open(challenge_of(team), team)
    new_captain = None
    if member.role == "captain":
        new_captain = rules.next_captain([(m.user_id, m.joined_at, m.id) for m in team.members], actor_id)
    if len(team.members) == 1:
        from app.submissions.models import Attachment, Idea
        from app.submissions.uploads import delete_stored

        # The database drops the idea and its attachment rows with the team; the files go after commit.
        stored = list(db.session.scalars(select(Attachment.stored_name).join(Idea, Idea.id == Attachment.idea_id)
                                         .where(Idea.team_id == team_id)))
        _record("team.dissolved", actor, team, name=team.name, user_id=actor_id)
        db.session.delete(team)
        db.session.commit()
        for stored_name in stored:
            delete_stored(stored_name)
        return None
    team.members.remove(member)
    if new_captain is not None:
        next(m for m in team.members if m.user_id == new_captain).role = "captain"
    _record("team.member_left", actor, team, user_id=actor_id, new_captain_id=new_captain)
    db.session.commit()
    return team


def remove_member(team: Team, captain: Any, user_id: int) -> None:
    """The captain removes a member (403 for other members, 404 for outsiders and non-members).

    Captains cannot remove themselves: they leave, which hands the role on.
    """
    team_id, captain_id = team.id, captain.id
    begin_write(db.session)
    team = locked_team(team_id)
    require_captain(team, captain)
    target = next((m for m in team.members if m.user_id == user_id), None)
    if target is None:
        raise NotFound()
    if target.user_id == captain_id:
        raise Conflict(_("You cannot remove yourself. Leave the team instead."), code="captain_cannot_remove_self")
    assert_submissions_open(challenge_of(team), team)
    team.members.remove(target)
    _record("team.member_removed", captain, team, user_id=user_id)
    db.session.commit()


def transfer_captain(team: Team, captain: Any, user_id: int) -> Team:
    """The captain hands the role to another member and becomes a member."""
    team_id = team.id
    begin_write(db.session)
    team = locked_team(team_id)
    require_captain(team, captain)
    target = next((m for m in team.members if m.user_id == user_id), None)
    if target is None:
        raise NotFound()
    assert_submissions_open(challenge_of(team), team)
    if target.role == "captain":
        return team
    team.captain.role = "member"
    target.role = "captain"
    _record("team.captain_transferred", captain, team, from_user_id=captain.id, to_user_id=user_id)
    db.session.commit()
    return team


def regenerate_invite_code(team: Team, captain: Any) -> Team:
    """The captain replaces the invitation code: the old link stops working at once."""
    team_id = team.id
    begin_write(db.session)
    team = locked_team(team_id)
    require_captain(team, captain)
    assert_submissions_open(challenge_of(team), team)
    team.invite_code = new_invite_code()
    _record("team.invite_code_regenerated", captain, team)
    db.session.commit()
    return team


def who_leads_after(team: Team, user: Any) -> tuple[bool, Any]:
    """For the leave page: whether the team would be dissolved, and who would become captain."""
    if len(team.members) <= 1:
        return True, None
    member = team.member(user)
    if member is None or member.role != "captain":
        return False, None
    next_id = rules.next_captain([(m.user_id, m.joined_at, m.id) for m in team.members], user.id)
    return False, next(m for m in team.members if m.user_id == next_id)
