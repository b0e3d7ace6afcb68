"""Projects in the JSON API: promotion, local initiatives, reading and editing one project.

The bodies are checked for shape here and for meaning by the services (``project_rules``), so the
API and the HTML forms refuse the same values with the same messages.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, WithJsonSchema

from app.core.api import api_user, endpoint
from app.portfolio import services
from app.portfolio.access import project_or_404
from app.portfolio.blueprint import api_bp as bp
from app.portfolio.promotion import idea_to_promote

AMOUNT = "an amount of 0 or more with at most two decimals (number or string)"


# The services judge these two (so that a problem is named by its place, like
# ``funding_sources.1.amount``); the schemas below tell clients what they accept.
FUNDING_SCHEMA = {"type": "array", "maxItems": 30, "items": {"oneOf": [
    {"type": "string", "description": "a programme, e.g. PNRR, ESF, EU4Health, municipal budget"},
    {"type": "object", "required": ["programme"], "properties": {
        "programme": {"type": "string", "maxLength": 200}, "amount": {"type": ["number", "string", "null"]},
        "currency": {"type": "string", "description": "three letters; EUR when absent"},
        "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"}}}]}}
LOCATION_SCHEMA = {"oneOf": [
    {"type": "string", "maxLength": 200, "description": "a town or neighbourhood"},
    {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 200},
        "latitude": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "longitude": {"type": ["number", "null"], "minimum": -180, "maximum": 180}},
     "description": "coordinates come both or not at all"}]}
Funding = Annotated[Any, WithJsonSchema(FUNDING_SCHEMA)]
Location = Annotated[Any, WithJsonSchema(LOCATION_SCHEMA)]


class ProjectFieldsIn(BaseModel):
    """Every field of a project, all optional here: PATCH may send any of them."""

    model_config = ConfigDict(extra="ignore")
    title: Any = Field(default=None, description="1 to 200 characters")
    summary: Any = Field(default=None, description="1 to 20,000 characters")
    organisation: Any = Field(default=None, description="at most 200 characters (required on POST)")
    stage: Any = Field(default=None, description="idea, incubation, pilot, deployed, scaled or stopped")
    stopped_reason: Any = Field(default=None, description="required when the stage is stopped")
    description: Any = Field(default=None, description="Markdown, at most 20,000 characters")
    themes: Annotated[Any, WithJsonSchema({"type": "array", "items": {"type": "string", "maxLength": 60},
                                           "maxItems": 20})] = None
    partners: Annotated[Any, WithJsonSchema({"type": "array", "items": {"type": "string", "maxLength": 200},
                                             "maxItems": 50})] = None
    funding_sources: Funding = Field(default=None, description="programme names, or objects; replaces the list")
    budget: Any = Field(default=None, description=AMOUNT)
    currency: Any = Field(default=None, description="three letters; EUR when absent")
    location: Location = Field(default=None, description="a place name, or an object")
    starts_on: Any = Field(default=None, description="a date, 2026-01-31")
    ends_on: Any = Field(default=None, description="a date, not before starts_on")
    contact_name: Any = Field(default=None, description="at most 200 characters")
    contact_email: Any = Field(default=None, description="a public contact address")
    website: Any = Field(default=None, description="an http(s) address")
    programme_id: Any = Field(default=None, description="the programme the project belongs to")


class ProjectPatchIn(ProjectFieldsIn):
    version: StrictInt | None = Field(default=None, description="the version read; a stale one answers 409")


class PromoteIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stage: Any = Field(default=None, description="idea, incubation or pilot; default incubation for an "
                                                 "awarded entry, else idea")


class FundingOut(BaseModel):
    programme: str
    amount: float | None
    currency: str
    starts_on: str | None
    ends_on: str | None


class LocationOut(BaseModel):
    name: str
    latitude: float | None
    longitude: float | None


class ContactOut(BaseModel):
    name: str
    email: str


class PersonOut(BaseModel):
    name: str
    role: str


class AwardOut(BaseModel):
    name: str
    amount: float | None


class OriginOut(BaseModel):
    challenge_id: int
    challenge_title: str
    idea_id: int
    idea_title: str
    team: str
    awards: list[AwardOut]


class ProjectOut(BaseModel):
    id: int
    reference: str = Field(description="SH-<year>-<NNN>")
    title: str
    summary: str
    description: str
    organisation: str
    stage: str
    stopped_reason: str | None
    themes: list[str]
    partners: list[str]
    funding_sources: list[FundingOut]
    budget: float | None
    currency: str
    location: LocationOut
    starts_on: str | None
    ends_on: str | None
    contact: ContactOut
    contacts: list[PersonOut] = Field(description="names only: team members who agreed to be named")
    website: str
    programme_id: int | None
    origin: OriginOut | None = Field(description="frozen at promotion; null for a local initiative")
    progress: int | None = Field(description="per cent of milestones done; null without milestones")
    created_at: str
    updated_at: str
    version: int


class UpdateOut(BaseModel):
    id: int
    title: str
    body: str
    stage_from: str | None
    stage_to: str | None
    created_at: str


class ProjectDetailOut(ProjectOut):
    updates: list[UpdateOut] = Field(description="the timeline, newest first")
    followers: int


def _data(body: ProjectFieldsIn) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude={"version"})


@endpoint(bp, "/ideas/<int:idea_id>/promote", methods=["POST"], body=PromoteIn, responses={201: ProjectOut},
          errors=(401, 403, 404, 409, 422),
          summary="Promote a published challenge's entry into the portfolio (organisers); 409 not_published, "
                  "not_promotable, already_promoted")
def promote(idea_id: int, body: PromoteIn):
    user = api_user()
    idea = idea_to_promote(idea_id, user)
    return services.project_json(services.promote_idea(idea, user, body.stage)), 201


@endpoint(bp, "/portfolio", methods=["POST"], body=ProjectFieldsIn, responses={201: ProjectOut},
          errors=(401, 403, 422), summary="Enter a local initiative (administrators)")
def create(body: ProjectFieldsIn):
    return services.project_json(services.create_project(api_user(), _data(body))), 201


@endpoint(bp, "/portfolio/<int:project_id>", methods=["GET"], auth="optional", responses={200: ProjectDetailOut},
          errors=(404,), summary="One project with its origin, its timeline and how many follow it")
def show(project_id: int):
    project = project_or_404(project_id)
    return {**services.project_json(project), "updates": services.updates_json(project),
            "followers": services.followers_count(project)}


@endpoint(bp, "/portfolio/<int:project_id>", methods=["PATCH"], body=ProjectPatchIn, responses={200: ProjectOut},
          errors=(401, 403, 404, 409, 422),
          summary="Change a project (administrators, organisers of its origin challenge); a stage change is "
                  "recorded on the timeline; 409 version_conflict for a stale version")
def update(project_id: int, body: ProjectPatchIn):
    project = project_or_404(project_id)
    return services.project_json(services.update_project(project, api_user(), _data(body), version=body.version))
