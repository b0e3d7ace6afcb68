"""A project's lifecycle in the JSON API: updates (the contract's POST /portfolio/{id}/updates),
and, where the contract is silent, milestones, funding sources, indicators with their values and
the MAST evaluation. Bodies are checked for shape here and for meaning by the same services as the
editors' page, so both refuse the same values with the same messages."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.api import api_user, endpoint, paginate_list
from app.core.errors import NotFound
from app.portfolio import evaluation, indicators, lifecycle
from app.portfolio.access import project_or_404, require_editor
from app.portfolio.blueprint import api_bp as bp
from app.portfolio.lifecycle_json import (EvaluationOut, FundingOut, IndicatorOut, MilestoneOut, UpdateOut,
                                          evaluation_json, funding_json, indicator_json, milestone_json, update_json)
from app.portfolio.models import MAST_DOMAINS

DATE = "a date, 2026-03-31"


def _editor(project_id: int) -> tuple[Any, Any]:
    project = project_or_404(project_id)
    user = api_user()
    require_editor(project, user)
    return project, user


def _sent(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


# --- updates --------------------------------------------------------------------------------------

class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: Any = Field(description="1 to 200 characters")
    body: Any = Field(description="Markdown, at most 20,000 characters (may be empty)")
    stage: Any = Field(default=None, description="idea, incubation, pilot, deployed, scaled or stopped; the current "
                                                 "stage or none: no change")
    stopped_reason: Any = Field(default=None, description="required when the stage becomes stopped")


@endpoint(bp, "/portfolio/<int:project_id>/updates", methods=["POST"], body=UpdateIn, responses={201: UpdateOut},
          errors=(401, 403, 404, 422),
          summary="Post a progress update on the project's timeline (administrators, organisers of its origin "
                  "challenge); a stage change is recorded on the update")
def post_update(project_id: int, body: UpdateIn):
    project, user = _editor(project_id)
    update = lifecycle.add_update(project, user, body.title, body.body, stage=body.stage,
                                  stopped_reason=body.stopped_reason)
    return update_json(update, user), 201


@endpoint(bp, "/portfolio/<int:project_id>/updates", methods=["GET"], auth="optional", responses={200: UpdateOut},
          errors=(404,), paginated=True, summary="The project's timeline, newest first")
def list_updates(project_id: int):
    project = project_or_404(project_id)
    views = lifecycle.page_context(project)["updates"]
    return paginate_list([update_json(u) for u in views])


# --- milestones -----------------------------------------------------------------------------------

class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: Any = Field(default=None, description="1 to 200 characters (required on POST)")
    planned_on: Any = Field(default=None, description=DATE + ", or null")
    done: Any = Field(default=None, description="true or false; done_on defaults to today when it becomes true")
    done_on: Any = Field(default=None, description=DATE + ", not in the future; only for a done milestone")


@endpoint(bp, "/portfolio/<int:project_id>/milestones", methods=["GET"], auth="optional",
          responses={200: MilestoneOut}, errors=(404,), paginated=True,
          summary="The project's milestones in planned order")
def list_milestones(project_id: int):
    context = lifecycle.page_context(project_or_404(project_id))
    return paginate_list([milestone_json(m, context["progress"]) for m in context["milestones"]])


@endpoint(bp, "/portfolio/<int:project_id>/milestones", methods=["POST"], body=MilestoneIn,
          responses={201: MilestoneOut}, errors=(401, 403, 404, 422), summary="Add a milestone (editors)")
def add_milestone(project_id: int, body: MilestoneIn):
    project, user = _editor(project_id)
    data = _sent(body)
    if data.get("done") is None:
        data.pop("done", None)
    milestone = lifecycle.add_milestone(project, user, data)
    return _milestone_answer(project_id, milestone.id), 201


@endpoint(bp, "/portfolio/<int:project_id>/milestones/<int:milestone_id>", methods=["PATCH"], body=MilestoneIn,
          responses={200: MilestoneOut}, errors=(401, 403, 404, 422),
          summary="Change a milestone, mark it done (done: true) or reopen it (done: false) (editors)")
def update_milestone(project_id: int, milestone_id: int, body: MilestoneIn):
    project, user = _editor(project_id)
    lifecycle.update_milestone(project, user, milestone_id, _sent(body))
    return _milestone_answer(project_id, milestone_id)


@endpoint(bp, "/portfolio/<int:project_id>/milestones/<int:milestone_id>", methods=["DELETE"],
          responses={204: None}, errors=(401, 403, 404), summary="Remove a milestone (editors)")
def remove_milestone(project_id: int, milestone_id: int):
    project, user = _editor(project_id)
    lifecycle.remove_milestone(project, user, milestone_id)
    return "", 204


def _milestone_answer(project_id: int, milestone_id: int) -> dict[str, Any]:
    context = lifecycle.page_context(project_or_404(project_id))
    found = next((m for m in context["milestones"] if m.id == milestone_id), None)
    if found is None:
        raise NotFound()
    return milestone_json(found, context["progress"])


# --- funding sources ------------------------------------------------------------------------------

class FundingIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    programme: Any = Field(default=None, description="1 to 200 characters (required on POST)")
    amount: Any = Field(default=None, description="0 or more, at most two decimals, or null when not known")
    currency: Any = Field(default=None, description="three letters; EUR when absent")
    starts_on: Any = Field(default=None, description=DATE)
    ends_on: Any = Field(default=None, description=DATE + ", not before starts_on")


@endpoint(bp, "/portfolio/<int:project_id>/funding", methods=["POST"], body=FundingIn, responses={201: FundingOut},
          errors=(401, 403, 404, 422), summary="Add a funding source (editors)")
def add_funding(project_id: int, body: FundingIn):
    project, user = _editor(project_id)
    return _funding_answer(project_id, lifecycle.add_funding(project, user, _sent(body)).id), 201


@endpoint(bp, "/portfolio/<int:project_id>/funding/<int:funding_id>", methods=["PATCH"], body=FundingIn,
          responses={200: FundingOut}, errors=(401, 403, 404, 422), summary="Change a funding source (editors)")
def update_funding(project_id: int, funding_id: int, body: FundingIn):
    project, user = _editor(project_id)
    lifecycle.update_funding(project, user, funding_id, _sent(body))
    return _funding_answer(project_id, funding_id)


@endpoint(bp, "/portfolio/<int:project_id>/funding/<int:funding_id>", methods=["DELETE"], responses={204: None},
          errors=(401, 403, 404), summary="Remove a funding source (editors)")
def remove_funding(project_id: int, funding_id: int):
    project, user = _editor(project_id)
    lifecycle.remove_funding(project, user, funding_id)
    return "", 204


def _funding_answer(project_id: int, funding_id: int) -> dict[str, Any]:
    context = lifecycle.page_context(project_or_404(project_id))
    found = next((s for s in context["funding"] if s.id == funding_id), None)
    if found is None:
        raise NotFound()
    return funding_json(found)


# --- indicators -----------------------------------------------------------------------------------

class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: Any = Field(default=None, description="1 to 200 characters (required on POST)")
    unit: Any = Field(default=None, description="at most 50 characters")
    baseline: Any = Field(default=None, description="a number; set on POST only, never changed")
    target: Any = Field(default=None, description="a number, or null")


class ValueIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    value: Any = Field(default=None, description="the number measured")
    recorded_on: Any = Field(default=None, description=DATE + ", not in the future; today when absent")


@endpoint(bp, "/portfolio/<int:project_id>/indicators", methods=["GET"], auth="optional",
          responses={200: IndicatorOut}, errors=(404,), paginated=True,
          summary="The project's indicators, each with its history of values (oldest first)")
def list_indicators(project_id: int):
    context = lifecycle.page_context(project_or_404(project_id))
    return paginate_list([indicator_json(i) for i in context["indicators"]])


@endpoint(bp, "/portfolio/<int:project_id>/indicators", methods=["POST"], body=IndicatorIn,
          responses={201: IndicatorOut}, errors=(401, 403, 404, 409, 422),
          summary="Add an indicator (editors); 409 too_many_indicators past 50")
def add_indicator(project_id: int, body: IndicatorIn):
    project, user = _editor(project_id)
    return _indicator_answer(project_id, indicators.add_indicator(project, user, _sent(body)).id), 201


@endpoint(bp, "/portfolio/<int:project_id>/indicators/<int:indicator_id>", methods=["PATCH"], body=IndicatorIn,
          responses={200: IndicatorOut}, errors=(401, 403, 404, 422),
          summary="Change an indicator's name, unit or target (editors); the baseline cannot change (422)")
def update_indicator(project_id: int, indicator_id: int, body: IndicatorIn):
    project, user = _editor(project_id)
    indicators.update_indicator(project, user, indicator_id, _sent(body))
    return _indicator_answer(project_id, indicator_id)


@endpoint(bp, "/portfolio/<int:project_id>/indicators/<int:indicator_id>", methods=["DELETE"],
          responses={204: None}, errors=(401, 403, 404, 409),
          summary="Remove an indicator without recorded values (editors); 409 indicator_has_history")
def remove_indicator(project_id: int, indicator_id: int):
    project, user = _editor(project_id)
    indicators.remove_indicator(project, user, indicator_id)
    return "", 204


@endpoint(bp, "/portfolio/<int:project_id>/indicators/<int:indicator_id>/values", methods=["POST"], body=ValueIn,
          responses={201: IndicatorOut}, errors=(401, 403, 404, 422),
          summary="Record a new value of an indicator (editors): added to its history, which is never "
                  "overwritten; the answer is the indicator with its current value and history")
def record_value(project_id: int, indicator_id: int, body: ValueIn):
    project, user = _editor(project_id)
    indicators.record_value(project, user, indicator_id, _sent(body))
    return _indicator_answer(project_id, indicator_id), 201


def _indicator_answer(project_id: int, indicator_id: int) -> dict[str, Any]:
    context = lifecycle.page_context(project_or_404(project_id))
    found = next((i for i in context["indicators"] if i.id == indicator_id), None)
    if found is None:
        raise NotFound()
    return indicator_json(found)


# --- evaluation -----------------------------------------------------------------------------------

class DomainIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    finding: Any = Field(default=None, description="Markdown, at most 20,000 characters")
    rating: Any = Field(default=None, description="1 to 5, or null")


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    domains: dict[str, DomainIn] = Field(default_factory=dict,
                                         description="by MAST domain: " + ", ".join(MAST_DOMAINS))
    transferability: Any = Field(default=None, description="Markdown, at most 20,000 characters")
    evaluator: Any = Field(default=None, description="at most 200 characters")
    evaluated_on: Any = Field(default=None, description=DATE + ", not in the future")


@endpoint(bp, "/portfolio/<int:project_id>/evaluation", methods=["GET"], auth="optional",
          responses={200: EvaluationOut}, errors=(404,),
          summary="The project's MAST evaluation; 404 until a domain has a finding or a rating")
def show_evaluation(project_id: int):
    found = lifecycle.page_context(project_or_404(project_id))["evaluation"]
    if found is None or not found.public:
        raise NotFound()
    return evaluation_json(found)


@endpoint(bp, "/portfolio/<int:project_id>/evaluation", methods=["PUT"], body=EvaluationIn,
          responses={200: EvaluationOut}, errors=(401, 403, 404, 422),
          summary="Write the project's MAST evaluation, replacing it (editors); unknown domains are refused")
def save_evaluation(project_id: int, body: EvaluationIn):
    project, user = _editor(project_id)
    data = body.model_dump()
    evaluation.save_evaluation(project, user, data)
    return evaluation_json(lifecycle.page_context(project_or_404(project_id))["evaluation"])

