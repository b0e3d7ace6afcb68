"""The lifecycle as the JSON API answers it: shapes (for the OpenAPI document) and serialisers."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.core.markdown import render_markdown
from app.portfolio.lifecycle_page import EvaluationView, FundingView, IndicatorView, MilestoneView, author_name


class UpdateOut(BaseModel):
    id: int
    title: str
    body: str = Field(description="Markdown, as written")
    html: str = Field(description="the body rendered and sanitised")
    stage_from: str | None
    stage_to: str | None = Field(description="set when the update changed the stage")
    created_at: str
    author: str = Field(description="the author's name, or \"deleted user\"")


class MilestoneOut(BaseModel):
    id: int
    title: str
    planned_on: str | None
    done: bool
    done_on: str | None
    overdue: bool = Field(description="not done and its planned date has passed")
    project_progress: int | None = Field(description="per cent of the project's milestones done")


class FundingOut(BaseModel):
    id: int
    programme: str
    amount: float | None
    currency: str
    starts_on: str | None
    ends_on: str | None
    share: float | None = Field(description="per cent of the project's funding in this currency")


class ValueOut(BaseModel):
    recorded_on: str
    value: float


class IndicatorOut(BaseModel):
    id: int
    name: str
    unit: str
    baseline: float | None
    target: float | None
    current: float | None = Field(description="the latest value measured (the baseline before any)")
    history: list[ValueOut] = Field(description="every value recorded, oldest first")


class DomainOut(BaseModel):
    finding: str
    rating: int | None


class EvaluationOut(BaseModel):
    domains: dict[str, DomainOut] = Field(description="the seven MAST domains")
    transferability: str
    evaluator: str
    evaluated_on: str | None


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def update_json(update: Any, author: Any = None) -> dict[str, Any]:
    """An update (a row just written with its author, or a page view that already names one)."""
    name = update.author if hasattr(update, "author") else author_name(getattr(author, "name", None),
                                                                        getattr(author, "erased_at", None))
    return {"id": update.id, "title": update.title, "body": update.body, "html": str(render_markdown(update.body)),
            "stage_from": update.stage_from, "stage_to": update.stage_to,
            "created_at": update.created_at.isoformat(), "author": name}


def milestone_json(m: MilestoneView, progress: int | None) -> dict[str, Any]:
    return {"id": m.id, "title": m.title, "planned_on": _day(m.planned_on), "done": m.done,
            "done_on": _day(m.done_on), "overdue": m.overdue, "project_progress": progress}


def funding_json(s: FundingView) -> dict[str, Any]:
    return {"id": s.id, "programme": s.programme, "amount": None if s.amount is None else float(s.amount),
            "currency": s.currency, "starts_on": _day(s.starts_on), "ends_on": _day(s.ends_on), "share": s.share}


def indicator_json(i: IndicatorView) -> dict[str, Any]:
    return {"id": i.id, "name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target,
            "current": i.current, "history": [{"recorded_on": d.isoformat(), "value": v} for d, v in i.history]}


def evaluation_json(e: EvaluationView) -> dict[str, Any]:
    return {"domains": {d: {"finding": f, "rating": r} for d, f, r in e.domains},
            "transferability": e.transferability, "evaluator": e.evaluator, "evaluated_on": _day(e.evaluated_on)}
