"""A team's feedback in the JSON API (GET /ideas/{id}/feedback)."""
from __future__ import annotations

from pydantic import BaseModel

from app.core.api import api_user, endpoint
from app.results.blueprint import api_bp
from app.results.feedback import feedback_for


class CriterionFeedbackOut(BaseModel):
    criterion_id: int
    name: str
    mean: float | None
    challenge_mean: float | None
    scale_min: int
    scale_max: int


class FeedbackOut(BaseModel):
    criteria: list[CriterionFeedbackOut]
    comments: list[str]
    reviews: int


@endpoint(api_bp, "/ideas/<int:idea_id>/feedback", methods=["GET"], responses={200: FeedbackOut}, errors=(401, 404),
          summary="The team's feedback: each criterion's mean against the challenge's, and the jurors' comments, "
                  "anonymous (members after publication; organisers any time)")
def feedback(idea_id: int):
    return feedback_for(idea_id, api_user())
