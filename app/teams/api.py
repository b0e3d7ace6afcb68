"""Teams in the JSON API: the same services as the pages, answered as the contract says."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.challenges.access import visible_challenge
from app.core.api import api_blueprint, api_user, endpoint
from app.core.errors import NotFound
from app.extensions import db
from app.teams import invitations, services
from app.teams.models import Team

bp = api_blueprint("teams_api", __name__)


class TeamCreateIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(max_length=200)


class TeamJoinIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    invite_code: str = Field(max_length=64)


class TeamCaptainIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_id: int


class TeamInvitationIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(max_length=320)


class TeamMemberOut(BaseModel):
    user_id: int
    name: str
    role: str
    joined_at: str


class TeamOut(BaseModel):
    id: int
    challenge_id: int
    name: str
    invite_code: str
    created_at: str
    looking_for_members: bool
    looking_for: str
    members: list[TeamMemberOut]


class TeamInvitationOut(BaseModel):
    status: str


def team_json(team: Team) -> dict[str, Any]:
    """A team as its members and organisers see it (nobody else reaches it)."""
    return {
        "id": team.id, "challenge_id": team.challenge_id, "name": team.name, "invite_code": team.invite_code,
        "created_at": team.created_at.isoformat(), "looking_for_members": team.looking_for_members,
        "looking_for": team.looking_for or "",
        "members": [{"user_id": m.user_id, "name": m.user.display_name, "role": m.role,
                     "joined_at": m.joined_at.isoformat()} for m in team.members],
    }


def _reloaded(team_id: int) -> dict[str, Any]:
    db.session.expire_all()
    return team_json(services.visible_team(team_id, api_user()))


@endpoint(bp, "/challenges/<int:challenge_id>/teams", methods=["POST"], body=TeamCreateIn,
          responses={201: TeamOut}, errors=(401, 404, 409, 422),
          summary="Create a team; the creator is its captain (409 already_in_team, team_name_taken, "
                  "submissions_closed)")
def create_team(challenge_id: int, body: TeamCreateIn):
    challenge = visible_challenge(challenge_id, api_user())
    team = services.create_team(challenge, api_user(), body.name)
    return _reloaded(team.id), 201


@endpoint(bp, "/teams/join", methods=["POST"], body=TeamJoinIn, responses={200: TeamOut},
          errors=(401, 404, 409, 422),
          summary="Join the team of an invitation code (404 unknown code; 409 team_full, already_in_team, "
                  "submissions_closed)")
def join_team(body: TeamJoinIn):
    team = services.join_team(body.invite_code, api_user())
    return _reloaded(team.id)


@endpoint(bp, "/teams/<int:team_id>", methods=["GET"], auth="optional", responses={200: TeamOut},
          errors=(401, 404), summary="A team with its members, for its members and the challenge's organisers")
def get_team(team_id: int):
    user = api_user()
    if user is None:
        raise NotFound()
    return team_json(services.visible_team(team_id, user))


@endpoint(bp, "/teams/<int:team_id>/leave", methods=["POST"], responses={204: None}, errors=(401, 404, 409),
          summary="Leave a team; the captain role passes to the longest-standing member and an empty team "
                  "is dissolved")
def leave_team(team_id: int):
    services.leave_team(services.visible_team(team_id, api_user()), api_user())
    return "", 204


@endpoint(bp, "/teams/<int:team_id>/members/<int:user_id>", methods=["DELETE"], responses={204: None},
          errors=(401, 403, 404, 409), summary="The captain removes a member (captains leave instead)")
def remove_member(team_id: int, user_id: int):
    services.remove_member(services.visible_team(team_id, api_user()), api_user(), user_id)
    return "", 204


@endpoint(bp, "/teams/<int:team_id>/captain", methods=["POST"], body=TeamCaptainIn, responses={200: TeamOut},
          errors=(401, 403, 404, 409, 422),
          summary="The captain hands the captain role to another member and stays as a member")
def transfer_captain(team_id: int, body: TeamCaptainIn):
    services.transfer_captain(services.visible_team(team_id, api_user()), api_user(), body.user_id)
    return _reloaded(team_id)


@endpoint(bp, "/teams/<int:team_id>/invite-code", methods=["POST"], responses={200: TeamOut},
          errors=(401, 403, 404, 409),
          summary="The captain replaces the invitation code; the old code and link stop working at once")
def regenerate_invite_code(team_id: int):
    services.regenerate_invite_code(services.visible_team(team_id, api_user()), api_user())
    return _reloaded(team_id)


@endpoint(bp, "/teams/<int:team_id>/invitations", methods=["POST"], body=TeamInvitationIn,
          responses={202: TeamInvitationOut}, errors=(401, 404, 409, 422, 429),
          summary="A member e-mails the team's join link to an address (sent from the outbox; 409 team_full)")
def invite(team_id: int, body: TeamInvitationIn):
    invitations.invite_by_email(services.visible_team(team_id, api_user()), api_user(), body.email)
    return {"status": "queued"}, 202
