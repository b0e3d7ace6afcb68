"""Awards in the JSON API (PUT /challenges/{id}/awards): the same service as the awards page."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from app.challenges.access import organised_challenge
from app.core.api import api_user, endpoint
from app.results import awards as service
from app.results.blueprint import api_bp as bp
from app.results.rules import awards_total


class AwardIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    idea_id: StrictInt
    name: str = Field(max_length=service.NAME_MAX, description="1 to 200 characters")
    amount: Decimal | None = Field(default=None, description="0 or more, at most two decimals; null or absent: "
                                                             "a prize without money")

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        # The service judges the value; here only what cannot be an amount at all is refused, in words.
        if value is None or (isinstance(value, (int, float, str)) and not isinstance(value, bool)):
            return service.clean_amount(value)
        raise ValueError(_("Must be an amount, like 25000 or 25000.50."))


class AwardsIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    awards: list[AwardIn] = Field(description="The whole list, in order: it replaces the awards")


class AwardOut(BaseModel):
    id: int
    idea_id: int
    title: str
    team: str = Field(description="The team's name")
    name: str
    amount: float | None
    source: str = Field(description="organiser, funding or peoples_choice")


class AwardsOut(BaseModel):
    awards: list[AwardOut]
    total: float = Field(description="The sum of the amounts")
    budget: float | None = Field(description="The challenge's budget; null when it has none")
    currency: str


def awards_answer(challenge: Any) -> dict[str, Any]:
    lines = service.awards_of(challenge.id)
    return {
        "awards": [{"id": a.id, "idea_id": a.idea_id, "title": a.title, "team": a.team, "name": a.name,
                    "amount": None if a.amount is None else float(a.amount), "source": a.source} for a in lines],
        "total": float(awards_total(a.amount for a in lines)),
        "budget": None if challenge.budget_total is None else float(challenge.budget_total),
        "currency": challenge.currency,
    }


@endpoint(bp, "/challenges/<int:challenge_id>/awards", methods=["PUT"], body=AwardsIn, responses={200: AwardsOut},
          errors=(403, 404, 409, 422),
          summary="Replace the awards (organisers, while judging): submitted entries only, the sum of the amounts "
                  "within the budget (422); 409 not_judging before judging, already_published after publication")
def replace_awards(challenge_id: int, body: AwardsIn):
    user = api_user()
    challenge = organised_challenge(challenge_id, user)
    service.replace_awards(challenge, user, [item.model_dump() for item in body.awards])
    return awards_answer(challenge)
