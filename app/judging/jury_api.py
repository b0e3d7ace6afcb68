"""The jury set-up in the JSON API: the same services as the jury page, answered as the contract says."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import func, select

from app.challenges.access import organised_challenge
from app.challenges.validation import MAX_TRACKS, SHORT_TEXT_MAX
from app.core.api import api_user, endpoint, page_args
from app.extensions import db
from app.judging import jury, jury_queries
from app.judging.blueprint import api_bp as bp


class JurorIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(max_length=jury.EMAIL_MAX)
    track_ids: list[StrictInt] | None = Field(default=None, max_length=MAX_TRACKS)


class JurorAddedOut(BaseModel):
    user_id: int


class InvitedOut(BaseModel):
    status: str


class JurorOut(BaseModel):
    user_id: int
    name: str
    organisation: str
    track_ids: list[int] | None
    assigned: int
    scored: int


class ConflictIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    juror_id: StrictInt
    team_id: StrictInt
    reason: str = Field(max_length=SHORT_TEXT_MAX)


class ConflictOut(BaseModel):
    id: int
    juror_id: int
    team_id: int
    reason: str
    source: str


class AssignmentRunOut(BaseModel):
    assignments: int = Field(description="Assignments created by this run (0 when nothing was missing)")
    per_juror: dict[str, int] = Field(description="Each juror's load in the current round, by juror (user) id")
    understaffed: list[int] = Field(description="Ideas left with fewer than reviews_per_entry jurors")


class AssignmentOut(BaseModel):
    idea_id: int
    juror_id: int
    scored: bool


class RemindersOut(BaseModel):
    sent: int


def _organised(challenge_id: int):
    user = api_user()
    return organised_challenge(challenge_id, user), user


@endpoint(bp, "/challenges/<int:challenge_id>/jurors", methods=["POST"], body=JurorIn,
          responses={201: JurorAddedOut, 202: InvitedOut}, errors=(403, 404),
          summary="Add a juror by e-mail (organisers): 201 for an account, 202 when an invitation was mailed")
def add_juror(challenge_id: int, body: JurorIn):
    challenge, user = _organised(challenge_id)
    added = jury.add_juror(challenge, user, body.email, body.track_ids)
    if added.invited:
        return {"status": "invited"}, 202
    return {"user_id": added.user_id}, 201


@endpoint(bp, "/challenges/<int:challenge_id>/jurors", methods=["GET"], responses={200: JurorOut}, paginated=True,
          errors=(403, 404), summary="The jury with each juror's assigned and scored entries (organisers)")
def list_jurors(challenge_id: int):
    challenge, _user = _organised(challenge_id)
    rows = jury_queries.jurors(challenge)
    page, per_page = page_args()
    start = (page - 1) * per_page
    items = [{"user_id": r.user_id, "name": r.name, "organisation": r.organisation, "track_ids": r.track_ids,
              "assigned": r.assigned, "scored": r.scored} for r in rows[start:start + per_page]]
    return {"items": items, "total": len(rows), "page": page, "per_page": per_page}


@endpoint(bp, "/challenges/<int:challenge_id>/jurors/<int:juror_id>", methods=["DELETE"], responses={204: None},
          errors=(403, 404, 409), summary="Take a juror off the jury with their assignments (organisers); "
                                          "409 juror_has_reviews once they have scored")
def remove_juror(challenge_id: int, juror_id: int):
    challenge, user = _organised(challenge_id)
    jury.remove_juror(challenge, user, juror_id)
    return "", 204


@endpoint(bp, "/challenges/<int:challenge_id>/conflicts", methods=["POST"], body=ConflictIn,
          responses={201: ConflictOut}, errors=(403, 404, 409),
          summary="Record a juror's conflict of interest with a team (organisers); their assignment on it goes")
def record_conflict(challenge_id: int, body: ConflictIn):
    challenge, user = _organised(challenge_id)
    conflict = jury.record_conflict(challenge, user, body.juror_id, body.team_id, body.reason)
    return {"id": conflict.id, "juror_id": conflict.juror_user_id, "team_id": conflict.team_id,
            "reason": conflict.reason, "source": conflict.source}, 201


@endpoint(bp, "/challenges/<int:challenge_id>/assignments", methods=["POST"], responses={200: AssignmentRunOut},
          errors=(403, 404, 409), summary="Assign every submitted idea to reviews_per_entry jurors without "
                                          "conflict, balancing the load and keeping existing assignments (judging)")
def auto_assign(challenge_id: int):
    challenge, user = _organised(challenge_id)
    run = jury.auto_assign(challenge, user)
    return {"assignments": run.created, "per_juror": {str(k): v for k, v in sorted(run.per_juror.items())},
            "understaffed": run.understaffed}


@endpoint(bp, "/challenges/<int:challenge_id>/assignments", methods=["GET"], responses={200: AssignmentOut},
          paginated=True, errors=(403, 404), summary="Assignments of the current round and whether each is scored")
def list_assignments(challenge_id: int):
    challenge, _user = _organised(challenge_id)
    page, per_page = page_args()
    stmt = jury_queries.assignments_query(challenge)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items: list[dict[str, Any]] = [{"idea_id": idea_id, "juror_id": juror_id, "scored": bool(scored)}
                                   for idea_id, juror_id, scored in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@endpoint(bp, "/challenges/<int:challenge_id>/assignments/<int:idea_id>/<int:juror_id>", methods=["PUT"],
          responses={201: AssignmentOut, 200: AssignmentOut}, errors=(403, 404, 409, 422),
          summary="Assign one idea to one juror by hand (organisers, judging); 409 conflicted; "
                  "200 when the pair was already assigned")
def add_assignment(challenge_id: int, idea_id: int, juror_id: int):
    challenge, user = _organised(challenge_id)
    created = jury.add_assignment(challenge, user, idea_id, juror_id)
    scored = not created and jury_queries.is_scored(challenge, idea_id, juror_id)
    return {"idea_id": idea_id, "juror_id": juror_id, "scored": scored}, (201 if created else 200)


@endpoint(bp, "/challenges/<int:challenge_id>/assignments/<int:idea_id>/<int:juror_id>", methods=["DELETE"],
          responses={204: None}, errors=(403, 404, 409),
          summary="Take one idea from a juror by hand (organisers, judging); 409 already_scored")
def remove_assignment(challenge_id: int, idea_id: int, juror_id: int):
    challenge, user = _organised(challenge_id)
    jury.remove_assignment(challenge, user, idea_id, juror_id)
    return "", 204


@endpoint(bp, "/challenges/<int:challenge_id>/reminders", methods=["POST"], responses={200: RemindersOut},
          errors=(403, 404, 409),
          summary="Mail every juror with unscored entries in this round how many are left (organisers, judging)")
def send_reminders(challenge_id: int):
    challenge, user = _organised(challenge_id)
    return {"sent": jury.send_reminders(challenge, user)}
