"""Publishing and reading the results in the JSON API."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.challenges.access import organised_challenge, visible_challenge
from app.core.api import api_user, endpoint
from app.results.blueprint import api_bp
from app.results.publication import publication_json, publish_results, results_for


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visibility: str | None = None


class AwardOut(BaseModel):
    idea_id: int
    title: str
    team: str
    name: str
    amount: float | None


class RankingRowOut(BaseModel):
    rank: int
    idea_id: int
    title: str
    team: str
    score: float


class ResultsOut(BaseModel):
    challenge_id: int
    published_at: str | None
    method: str
    visibility: str
    awards: list[AwardOut]
    ranking: list[RankingRowOut]
    digest: str


@endpoint(api_bp, "/challenges/<int:challenge_id>/publish-results", methods=["POST"], body=PublishIn,
          responses={200: ResultsOut}, errors=(401, 403, 404, 409, 422),
          summary="Publish the results of a challenge in judging (organisers); every team member is e-mailed "
                  "their result. 409 already_published, not_judging or safety_flags_open")
def publish(challenge_id: int, body: PublishIn):
    user = api_user()
    challenge = organised_challenge(challenge_id, user)
    return publication_json(publish_results(challenge, user, body.visibility))


@endpoint(api_bp, "/challenges/<int:challenge_id>/results", methods=["GET"], auth="optional",
          responses={200: ResultsOut}, errors=(404,),
          summary="The published results with their digest (before publication: a preview for organisers, "
                  "404 for everyone else)")
def results(challenge_id: int):
    user = api_user()
    return results_for(visible_challenge(challenge_id, user), user)
