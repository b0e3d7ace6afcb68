"""What the project page (and the editors' page) shows of a project's lifecycle, read in a constant
number of queries whatever the number of updates, milestones, sources, indicators and values."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.portfolio import rules
from app.portfolio.charts import sparkline
from app.portfolio.lifecycle_rules import FundingTotal, evaluation_has_content, funding_share, funding_totals
from app.portfolio.models import (MAST_DOMAINS, Evaluation, FundingSource, Indicator, IndicatorValue, Milestone,
                                  PortfolioProject, ProjectUpdate)

# Planned order, undated ones last (databases disagree on where NULL sorts).
MILESTONE_ORDER = (Milestone.planned_on.is_(None), Milestone.planned_on, Milestone.id)


@dataclass(frozen=True)
class UpdateView:
    id: int
    title: str
    body: str
    stage_from: str | None
    stage_to: str | None
    created_at: dt.datetime
    author: str


@dataclass(frozen=True)
class MilestoneView:
    id: int
    title: str
    planned_on: dt.date | None
    done: bool
    done_on: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class FundingView:
    id: int
    programme: str
    amount: Decimal | None
    currency: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    share: float | None  # per cent of all the money in this currency


@dataclass(frozen=True)
class IndicatorView:
    id: int
    name: str
    unit: str
    baseline: float | None
    target: float | None
    current: float | None
    history: list[tuple[dt.date, float]] = field(default_factory=list)
    chart: Markup | None = None
    towards_target: float | None = None


@dataclass(frozen=True)
class EvaluationView:
    domains: list[tuple[str, str, int | None]]  # (domain, finding, rating) in MAST order
    transferability: str
    evaluator: str
    evaluated_on: dt.date | None
    public: bool
    rated: list[int]


def towards_target(baseline: float | None, target: float | None, current: float | None) -> float | None:
    """How far the current value has come from the baseline to the target, in per cent (may pass
    100 or fall below 0); None without all three or when baseline and target are equal."""
    if baseline is None or target is None or current is None or abs(target - baseline) < 1e-12:
        return None
    return (current - baseline) / (target - baseline) * 100


def author_name(name: str | None, erased_at: Any) -> str:
    if name is None or erased_at is not None:
        return _("deleted user")
    return name


def _updates(project_id: int) -> list[UpdateView]:
    rows = db.session.execute(
        select(ProjectUpdate, User.name, User.erased_at).outerjoin(User, User.id == ProjectUpdate.author_id)
        .where(ProjectUpdate.project_id == project_id)
        .order_by(ProjectUpdate.created_at.desc(), ProjectUpdate.id.desc()))
    return [UpdateView(u.id, u.title, u.body, u.stage_from, u.stage_to, u.created_at, author_name(name, erased))
            for u, name, erased in rows]


def _indicators(project_id: int) -> list[IndicatorView]:
    indicators = list(db.session.scalars(select(Indicator).where(Indicator.project_id == project_id)
                                         .order_by(Indicator.position, Indicator.id)))
    values: dict[int, list[tuple[dt.date, float]]] = {i.id: [] for i in indicators}
    if indicators:
        rows = db.session.execute(
            select(IndicatorValue.indicator_id, IndicatorValue.recorded_on, IndicatorValue.value)
            .join(Indicator, Indicator.id == IndicatorValue.indicator_id).where(Indicator.project_id == project_id)
            .order_by(IndicatorValue.recorded_on, IndicatorValue.id))
        for indicator_id, day, value in rows:
            values[indicator_id].append((day, value))
    return [IndicatorView(i.id, i.name, i.unit or "", i.baseline, i.target, i.current, values[i.id],
                          sparkline(values[i.id], name=i.name, unit=i.unit or "", baseline=i.baseline,
                                    target=i.target, prefix=f"indicator-{i.id}"),
                          towards_target(i.baseline, i.target, i.current))
            for i in indicators]


def _evaluation(project_id: int) -> EvaluationView | None:
    row = db.session.get(Evaluation, project_id)
    if row is None:
        return None
    stored = row.domains or {}
    domains = []
    for domain in MAST_DOMAINS:
        item = stored.get(domain) or {}
        domains.append((domain, item.get("finding") or "", item.get("rating")))
    return EvaluationView(domains, row.transferability or "", row.evaluator or "", row.evaluated_on,
                          evaluation_has_content(stored), [r for _d, _f, r in domains if r is not None])


def page_context(project: PortfolioProject, today: dt.date | None = None) -> dict[str, Any]:
    """The lifecycle of ``project`` for its pages: updates newest first with their authors,
    milestones with the progress and how many are overdue, funding sources with each one's share and
    the total per currency, indicators with their history and a sparkline, and the evaluation (with
    ``public`` telling whether it is shown to everyone). Six queries, whatever the numbers."""
    if today is None:
        from app.portfolio.lifecycle import local_today

        today = local_today()
    milestones = list(db.session.scalars(select(Milestone).where(Milestone.project_id == project.id)
                                         .order_by(*MILESTONE_ORDER)))
    states = [rules.MilestoneState(bool(m.done), m.planned_on) for m in milestones]
    sources = list(db.session.scalars(select(FundingSource).where(FundingSource.project_id == project.id)
                                      .order_by(FundingSource.id)))
    totals = funding_totals((s.amount, s.currency) for s in sources)
    by_currency: dict[str, FundingTotal] = {t.currency: t for t in totals}
    return {
        "today": today,
        "updates": _updates(project.id),
        "milestones": [MilestoneView(m.id, m.title, m.planned_on, bool(m.done), m.done_on,
                                     rules.overdue([state], today) == 1) for m, state in zip(milestones, states)],
        "progress": rules.progress(states),
        "done": sum(1 for s in states if s.done),
        "overdue": rules.overdue(states, today),
        "funding": [FundingView(s.id, s.programme, s.amount, s.currency, s.starts_on, s.ends_on,
                                funding_share(s.amount, by_currency[s.currency].total)) for s in sources],
        "funding_totals": totals,
        "indicators": _indicators(project.id),
        "evaluation": _evaluation(project.id),
    }
