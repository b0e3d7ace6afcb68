"""Personal deadlines: an organiser gives one team more time, with the reason on record.

The most common support request of a real hackathon ("our laptop died at 11:50"). The team's
later deadline is read by ``access.assert_submissions_open`` for every team and idea write.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.challenges import validation
from app.challenges.access import valid_id
from app.challenges.models import Challenge
from app.challenges.services import locked_challenge, require_organiser
from app.core import audit
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.teams.models import Team

REASON_MAX = 2_000


def _team_of(challenge: Challenge, team_id: Any) -> Team:
    if not valid_id(team_id):
        raise NotFound()
    team = db.session.scalars(select(Team).where(Team.id == team_id, Team.challenge_id == challenge.id)
                              .with_for_update()).one_or_none()
    if team is None:
        raise NotFound(_("This team is not part of the challenge."))
    return team


def grant_deadline_exception(challenge: Challenge, actor: Any, team_id: int, new_deadline: dt.datetime,
                             reason: str) -> Team:
    """Give one team a later personal deadline (organisers only, while the challenge is open).

    The new deadline must be later than the challenge's and a reason is required; both go
    into the audit trail. Granting again replaces the earlier exception.
    """
    require_organiser(challenge, actor)
    fields: dict[str, str] = {}
    if problem := validation.storable_text_problem(reason, REASON_MAX, required=True):
        fields["reason"] = problem if (reason or "").strip() else _("Say why this team gets more time.")
    try:
        new_deadline = validation.as_utc(new_deadline)
    except ValueError as error:
        fields["new_deadline"] = str(error) if new_deadline is not None else _("Give the new deadline.")
    challenge = locked_challenge(challenge)
    if challenge.status != "open":
        raise Conflict(_("Deadline exceptions can be granted only while the challenge is open."), code="not_open")
    if "new_deadline" not in fields and challenge.submission_deadline is not None \
            and new_deadline <= challenge.submission_deadline:
        fields["new_deadline"] = _("The new deadline must be later than the challenge's deadline.")
    if fields:
        raise ValidationFailed(fields=fields)
    team = _team_of(challenge, team_id)
    previous = team.deadline_exception
    team.deadline_exception = new_deadline
    team.deadline_exception_reason = reason.strip()
    audit.record("team.deadline_exception_granted", actor=actor, subject_type="team", subject_id=team.id,
                 challenge_id=challenge.id, new_deadline=new_deadline, previous=previous, reason=reason.strip())
    db.session.commit()
    return team


def revoke_deadline_exception(challenge: Challenge, actor: Any, team_id: int) -> Team:
    """Take back a team's personal deadline (organisers only); the challenge's deadline applies again."""
    require_organiser(challenge, actor)
    challenge = locked_challenge(challenge)
    team = _team_of(challenge, team_id)
    if team.deadline_exception is None:
        db.session.commit()
        return team
    audit.record("team.deadline_exception_revoked", actor=actor, subject_type="team", subject_id=team.id,
                 challenge_id=challenge.id, previous=team.deadline_exception,
                 reason=team.deadline_exception_reason)
    team.deadline_exception = None
    team.deadline_exception_reason = ""
    db.session.commit()
    return team
