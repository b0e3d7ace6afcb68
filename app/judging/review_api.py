"""The juror's side of judging in the JSON API: scores, their queue, conflicts and safety flags.

The same services as the pages; scores are checked there (not by the body model) so that the API
and the form answer a bad score with the same ``scores.<criterion_id>`` field.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from app.core.api import api_user, endpoint, paginate_list
from app.core.errors import NotFound
from app.judging import reviews
from app.judging.blueprint import api_bp as bp
from app.judging.models import Review, SafetyFlag


class ReviewScoreIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    scores: dict[str, Any]
    comment: str | None = None
    private_note: str | None = None
    version: int | None = None


class ReviewScoreOut(BaseModel):
    total: float
    version: int
    idea_id: int
    scores: dict[str, int]
    comment: str
    private_note: str
    updated_at: str | None


class MyAssignmentOut(BaseModel):
    idea_id: int
    challenge_id: int
    title: str
    scored: bool
    challenge_title: str
    track: str | None


class MyAssignmentPage(BaseModel):
    items: list[MyAssignmentOut]
    total: int
    page: int
    per_page: int


class DeclaredConflictIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str


class DeclaredConflictOut(BaseModel):
    id: int
    idea_id: int
    challenge_id: int
    source: str
    reason: str
    created_at: str


class RaisedFlagIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: str
    reason: str


class RaisedFlagOut(BaseModel):
    id: int
    idea_id: int
    challenge_id: int
    kind: str
    reason: str
    created_at: str
    cleared: bool


def review_json(review: Review, total: float) -> dict[str, Any]:
    return {"total": total, "version": review.version, "idea_id": review.idea_id,
            "scores": {str(s.criterion_id): s.value for s in review.scores}, "comment": review.comment,
            "private_note": review.private_note,
            "updated_at": review.updated_at.isoformat() if review.updated_at else None}


def flag_json(flag: SafetyFlag) -> dict[str, Any]:
    return {"id": flag.id, "idea_id": flag.idea_id, "challenge_id": flag.challenge_id, "kind": flag.kind,
            "reason": flag.reason, "created_at": flag.created_at.isoformat(), "cleared": flag.cleared}


@endpoint(bp, "/ideas/<int:idea_id>/score", methods=["PUT"], body=ReviewScoreIn, responses={200: ReviewScoreOut},
          errors=(400, 401, 404, 409, 422),
          summary="Save the caller's scores of an assigned idea (judging); 409 version_conflict when stale")
def put_score(idea_id: int, body: ReviewScoreIn):
    saved = reviews.save_review(idea_id, api_user(), body.scores, body.comment, body.private_note, body.version)
    _idea, _challenge, review = reviews.own_review(idea_id, api_user())
    answer = review_json(review, saved.total) if review is not None else {}
    return {**answer, "total": saved.total, "version": saved.version}


@endpoint(bp, "/ideas/<int:idea_id>/score", methods=["GET"], responses={200: ReviewScoreOut},
          errors=(401, 404), summary="The caller's own review of an assigned idea (404 before the first save)")
def get_score(idea_id: int):
    _idea, challenge, review = reviews.own_review(idea_id, api_user())
    if review is None:
        raise NotFound()
    return review_json(review, reviews.review_total(challenge, reviews.score_map(review)))


@endpoint(bp, "/me/assignments", methods=["GET"], responses={200: MyAssignmentPage}, errors=(401, 422),
          paginated=True, summary="The ideas the caller is to score, in every challenge in judging")
def my_assignments():
    return paginate_list([{"idea_id": e.idea_id, "challenge_id": e.challenge_id, "title": e.title,
                           "scored": e.scored, "challenge_title": e.challenge_title, "track": e.track_name}
                          for e in reviews.juror_queue(api_user())])


@endpoint(bp, "/ideas/<int:idea_id>/conflict", methods=["POST"], body=DeclaredConflictIn,
          responses={201: DeclaredConflictOut}, errors=(400, 401, 404, 409, 422),
          summary="Declare a conflict of interest: the assignment goes and the idea is hidden from the caller")
def declare_conflict(idea_id: int, body: DeclaredConflictIn):
    conflict = reviews.declare_conflict(idea_id, api_user(), body.reason)
    return {"id": conflict.id, "idea_id": idea_id, "challenge_id": conflict.challenge_id,
            "source": conflict.source, "reason": conflict.reason, "created_at": conflict.created_at.isoformat()}, 201


@endpoint(bp, "/ideas/<int:idea_id>/safety-flags", methods=["POST"], body=RaisedFlagIn,
          responses={201: RaisedFlagOut}, errors=(400, 401, 404, 422),
          summary="Raise a patient-safety or data-protection concern about an assigned idea")
def raise_flag(idea_id: int, body: RaisedFlagIn):
    return flag_json(reviews.raise_safety_flag(idea_id, api_user(), body.kind, body.reason)), 201
