"""Invitations: a team's join link sent by e-mail, to an address or to someone in the team finder."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.rules import email_key, email_problem
from app.challenges.access import assert_submissions_open
from app.core import ratelimit
from app.core.db import begin_write
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.outbox import external_url, queue_mail, queue_mail_to_user
from app.extensions import db
from app.teams import rules
from app.teams.models import Team, TeamMember, TeamSeeker
from app.teams.services import challenge_of, locked_team, require_member, team_full_conflict

# Invitations reach people outside Salus: a member may not turn the site into a mailing tool.
INVITES_PER_MEMBER = "30 per hour"


def _open_team_with_room(team_id: int, actor: Any) -> tuple[Team, Any]:
    """The locked team of a member, open for changes and with a free place."""
    team = locked_team(team_id)
    require_member(team, actor)
    challenge = challenge_of(team)
    assert_submissions_open(challenge, team)
    members = db.session.scalar(select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team.id))
    if not rules.has_room(members, challenge.team_max_size):
        raise team_full_conflict()
    return team, challenge


def _count_invitation(actor: Any) -> None:
    ratelimit.check(INVITES_PER_MEMBER, "team-invite", str(actor.id),
                    message=_("You have sent many invitations. Please wait an hour before sending more."))
    ratelimit.hit(INVITES_PER_MEMBER, "team-invite", str(actor.id))


def _mail_context(team: Team, challenge: Any, actor: Any) -> dict[str, Any]:
    return {"team_name": team.name, "challenge_title": challenge.title, "inviter_name": actor.name,
            "invite_code": team.invite_code, "join_url": external_url("teams.join_code", code=team.invite_code)}


def invite_by_email(team: Team, actor: Any, email: str) -> None:
    """A member mails the team's join link to an address while the team has room.

    Someone with an account gets the mail in their language; any other address in the
    inviter's. The mail goes through the outbox, so it leaves only if this commits.
    """
    email = (email or "").strip()
    if rules.has_nul(email) or email_problem(email):
        raise ValidationFailed(fields={"email": _("Enter a valid e-mail address, like name@example.org.")})
    team_id = team.id
    begin_write(db.session)
    team, challenge = _open_team_with_room(team_id, actor)
    invitee = db.session.scalar(select(User).where(User.email_key == email_key(email), User.erased_at.is_(None)))
    if invitee is not None and team.is_member(invitee):
        raise Conflict(_("%(name)s is already in this team.", name=invitee.name), code="already_in_team")
    _count_invitation(actor)
    context = _mail_context(team, challenge, actor)
    if invitee is not None:
        queue_mail_to_user(invitee, "team_invitation", **context)
    else:
        queue_mail(email, "team_invitation", locale=actor.locale, user=None, **context)
    db.session.commit()


def invite_seeker(team: Team, actor: Any, seeker_id: int) -> TeamSeeker:
    """A member of a team with room mails its join link to someone looking for a team.

    404 when the profile is not in the team's challenge; 409 already_in_team when that person
    has found a team meanwhile.
    """
    team_id = team.id
    begin_write(db.session)
    team, challenge = _open_team_with_room(team_id, actor)
    seeker = db.session.get(TeamSeeker, seeker_id)
    if seeker is None or seeker.challenge_id != team.challenge_id:
        raise NotFound(_("This person is no longer looking for a team."))
    if db.session.scalar(select(TeamMember.id).where(TeamMember.challenge_id == team.challenge_id,
                                                     TeamMember.user_id == seeker.user_id)) is not None:
        raise Conflict(_("%(name)s already has a team.", name=seeker.user.name), code="already_in_team")
    _count_invitation(actor)
    queue_mail_to_user(seeker.user, "team_seeker_invitation", looking_for=team.looking_for,
                       **_mail_context(team, challenge, actor))
    db.session.commit()
    return seeker
