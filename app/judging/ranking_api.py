"""The ranking in the JSON API (GET /challenges/{id}/ranking), organisers only."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel

from app.challenges.access import organised_challenge
from app.core.api import api_user, endpoint
from app.core.errors import ValidationFailed
from app.judging.blueprint import api_bp
from app.judging.ranking import challenge_ranking, contract_view


class RankedEntryOut(BaseModel):
    rank: int
    idea_id: int
    title: str
    team_id: int
    raw_mean: float
    normalized: float
    calibrated: float
    reviews: int
    spread: float


class JurorStatsOut(BaseModel):
    juror_id: int
    reviews: int
    mean: float
    sd: float
    offset: float


class ReliabilityOut(BaseModel):
    icc1: float | None


class RankingOut(BaseModel):
    method: str
    entries: list[RankedEntryOut]
    jurors: list[JurorStatsOut]
    reliability: ReliabilityOut


def _round_arg() -> int | None:
    raw = request.args.get("round")
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(fields={"round": _("Must be a whole number.")}) from None


@endpoint(api_bp, "/challenges/<int:challenge_id>/ranking", methods=["GET"], responses={200: RankingOut},
          errors=(403, 404, 422), query={"round": "the round to rank, 1 to the challenge's round (default: current)"},
          summary="The ranking with the challenge's method, juror statistics and reliability (organisers)")
def ranking(challenge_id: int):
    challenge = organised_challenge(challenge_id, api_user())
    return contract_view(challenge_ranking(challenge, _round_arg(), details=False))
