"""Challenges in the JSON API: the same services as the pages, answered as the contract says."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Annotated, Any, Callable

from flask_babel import gettext as _
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt,
                      ValidationInfo, field_validator)

from app.challenges import services, validation
from app.challenges.access import organised_challenge, visible_challenge
from app.challenges.models import KINDS, RANKING_METHODS, Challenge
from app.challenges.queries import visible_challenges
from app.core import clock
from app.core.api import api_blueprint, api_user, endpoint, paginate
from app.extensions import db

bp = api_blueprint("challenges_api", __name__)


def _one_of(values: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in values:
            raise ValueError(_("Choose one of: %(values)s.", values=", ".join(values)))
        return value
    return check


def _between(low: int, high: int) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(_("Must be between %(low)s and %(high)s.", low=low, high=high))
        return value
    return check


def _weight(value: float) -> float:
    if not math.isfinite(value) or not 0 < value <= validation.MAX_WEIGHT:
        raise ValueError(_("Must be a number above 0 and at most %(n)s.", n=int(validation.MAX_WEIGHT)))
    return value


def _named(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


def _budget(value: Decimal) -> Decimal:
    return validation.as_budget(value)


def _iso_text(value: Any) -> Any:
    # Lax parsing would take a number for seconds since 1970: the contract's times are ISO 8601 text.
    if not isinstance(value, (str, dt.datetime)):
        raise ValueError(_("Give the time with its offset from UTC, for example 2026-11-22T12:00:00+02:00."))
    return value


AwareTime = Annotated[dt.datetime, BeforeValidator(_iso_text), AfterValidator(validation.as_utc)]
Title = Annotated[str, Field(min_length=1, max_length=validation.TITLE_MAX)]
LongText = Annotated[str, Field(max_length=validation.LONG_TEXT_MAX)]
ShortText = Annotated[str, Field(max_length=validation.SHORT_TEXT_MAX)]
TeamSize = Annotated[StrictInt, AfterValidator(_between(1, validation.MAX_TEAM_SIZE))]
ScaleEnd = Annotated[StrictInt, AfterValidator(_between(*validation.SCALE_LIMITS))]


class TrackIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: StrictInt | None = None
    name: Title
    description: ShortText = ""


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: StrictInt | None = None
    name: Title
    description: ShortText = ""
    weight: Annotated[float, AfterValidator(_weight)]
    scale_min: ScaleEnd = 1
    scale_max: ScaleEnd = 5
    anchors: list[Annotated[str, Field(max_length=validation.ANCHOR_MAX)]] = Field(default_factory=list,
                                                                                  max_length=101)

    @field_validator("scale_max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        if "scale_min" in info.data and value <= info.data["scale_min"]:
            raise ValueError(_("The top of the scale must be above its bottom."))
        return value


class ChallengeFieldsIn(BaseModel):
    """Every set-up field; all optional here, so that PATCH can send any of them."""

    model_config = ConfigDict(extra="ignore")
    title: Title | None = None
    description: LongText | None = None
    rules: LongText | None = None
    audience: LongText | None = None
    prizes: LongText | None = None
    kind: Annotated[str, AfterValidator(_one_of(KINDS))] | None = None
    # A track is sent as its name, or as {id, name, description} to keep (or rename) an existing one.
    tracks: list[Annotated[TrackIn, BeforeValidator(_named)]] | None = Field(default=None,
                                                                             max_length=validation.MAX_TRACKS)
    team_min_size: TeamSize | None = None
    team_max_size: TeamSize | None = None
    opens_at: AwareTime | None = None
    submission_deadline: AwareTime | None = None
    reviews_per_entry: Annotated[StrictInt, AfterValidator(_between(1, validation.MAX_REVIEWS))] | None = None
    blind_review: StrictBool | None = None
    ranking_method: Annotated[str, AfterValidator(_one_of(RANKING_METHODS))] | None = None
    budget_total: Annotated[Decimal, AfterValidator(_budget)] | None = None
    programme_id: Annotated[StrictInt, AfterValidator(_between(1, validation.MAX_ID))] | None = None
    criteria: list[CriterionIn] | None = Field(default=None, max_length=validation.MAX_CRITERIA)

    @field_validator("team_max_size")
    @classmethod
    def _not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("team_min_size")
        if value is not None and low is not None and value < low:
            raise ValueError(_("The largest team size must be at least the smallest."))
        return value


class ChallengeIn(ChallengeFieldsIn):
    title: Title


class ChallengePatchIn(ChallengeFieldsIn):
    version: StrictInt | None = None


class EmailIn(BaseModel):
    email: str = Field(max_length=320)


class TrackOut(BaseModel):
    id: int
    name: str
    description: str


class CriterionOut(BaseModel):
    id: int
    name: str
    description: str
    weight: float
    scale_min: int
    scale_max: int
    anchors: list[str]


class ChallengeOut(BaseModel):
    id: int
    title: str
    kind: str
    status: str
    phase: str
    description: str
    rules: str
    audience: str
    prizes: str
    tracks: list[TrackOut]
    criteria: list[CriterionOut]
    team_min_size: int
    team_max_size: int
    opens_at: str | None
    submission_deadline: str | None
    reviews_per_entry: int
    blind_review: bool
    ranking_method: str
    budget_total: float | None
    currency: str
    programme_id: int | None
    round: int
    version: int


class OrganiserOut(BaseModel):
    user_id: int
    name: str
    email: str


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def challenge_json(challenge: Challenge, now: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "id": challenge.id, "title": challenge.title, "kind": challenge.kind, "status": challenge.status,
        "phase": challenge.phase(now or clock.now()), "description": challenge.description or "",
        "rules": challenge.rules_text or "", "audience": challenge.audience or "", "prizes": challenge.prizes or "",
        "tracks": [{"id": t.id, "name": t.name, "description": t.description or ""} for t in challenge.tracks],
        "criteria": [{"id": c.id, "name": c.name, "description": c.description or "", "weight": c.weight,
                      "scale_min": c.scale_min, "scale_max": c.scale_max, "anchors": list(c.anchors or [])}
                     for c in challenge.criteria],
        "team_min_size": challenge.team_min_size, "team_max_size": challenge.team_max_size,
        "opens_at": _iso(challenge.opens_at), "submission_deadline": _iso(challenge.submission_deadline),
        "reviews_per_entry": challenge.reviews_per_entry, "blind_review": challenge.blind_review,
        "ranking_method": challenge.ranking_method,
        "budget_total": float(challenge.budget_total) if challenge.budget_total is not None else None,
        "currency": challenge.currency, "programme_id": challenge.programme_id, "round": challenge.round,
        "version": challenge.version,
    }


def _data(body: ChallengeFieldsIn) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude={"version"})


@endpoint(bp, "/challenges", methods=["POST"], body=ChallengeIn, responses={201: ChallengeOut}, errors=(403,),
          summary="Create a challenge (administrators); the creator becomes an organiser")
def create(body: ChallengeIn):
    challenge = services.create_challenge(api_user(), _data(body))
    return challenge_json(challenge), 201


@endpoint(bp, "/challenges", methods=["GET"], auth="optional", responses={200: ChallengeOut}, paginated=True,
          summary="Challenges that are not drafts, and the drafts the caller organises")
def index():
    now = clock.now()
    return paginate(db.session, visible_challenges(api_user()), lambda c: challenge_json(c, now))


@endpoint(bp, "/challenges/<int:challenge_id>", methods=["GET"], auth="optional", responses={200: ChallengeOut},
          errors=(404,), summary="One challenge with its status and phase (drafts: organisers only)")
def show(challenge_id: int):
    return challenge_json(visible_challenge(challenge_id, api_user()))


@endpoint(bp, "/challenges/<int:challenge_id>", methods=["PATCH"], body=ChallengePatchIn,
          responses={200: ChallengeOut}, errors=(403, 404, 409),
          summary="Change a challenge's set-up (organisers); criteria are frozen once judging starts")
def update(challenge_id: int, body: ChallengePatchIn):
    user = api_user()
    challenge = organised_challenge(challenge_id, user)
    challenge = services.update_challenge(challenge, user, _data(body), version=body.version)
    return challenge_json(challenge)


@endpoint(bp, "/challenges/<int:challenge_id>/open", methods=["POST"], responses={200: ChallengeOut},
          errors=(403, 404, 409, 422), summary="Open a draft challenge (organisers); 422 lists what is missing")
def open_challenge(challenge_id: int):
    user = api_user()
    return challenge_json(services.open_challenge(organised_challenge(challenge_id, user), user))


@endpoint(bp, "/challenges/<int:challenge_id>/organisers", methods=["POST"], body=EmailIn,
          responses={201: OrganiserOut}, errors=(403, 404),
          summary="Add a registered person as an organiser (organisers)")
def add_organiser(challenge_id: int, body: EmailIn):
    user = api_user()
    organiser = services.add_organiser(organised_challenge(challenge_id, user), user, body.email)
    return {"user_id": organiser.id, "name": organiser.name, "email": organiser.email}, 201


@endpoint(bp, "/challenges/<int:challenge_id>/judging", methods=["POST"], responses={200: ChallengeOut},
          errors=(403, 404, 409), summary="Move an open challenge to judging once its deadline has passed")
def start_judging(challenge_id: int):
    user = api_user()
    return challenge_json(services.start_judging(organised_challenge(challenge_id, user), user))
