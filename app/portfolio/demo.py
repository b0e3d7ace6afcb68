"""The demo portfolio: the local initiatives of ``demo_data`` entered through the same services
administrators use, and the winners of the published demo hackathon promoted by its organiser."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.portfolio import citizens, comments, evaluation, indicators, lifecycle, services
from app.portfolio.demo_data import PROJECTS
from app.portfolio.models import PortfolioProject

MONTH = dt.timedelta(days=30)
MAST_DEMO = {
    "health_problem": ("Heart failure is the first cause of readmission in the county.", 5),
    "safety": ("No adverse event linked to the devices in six months.", 4),
    "clinical_effectiveness": ("Readmissions fell from 24 % to 18 % among enrolled patients.", 4),
    "patient_perspectives": ("Patients felt safer; some found the daily weighing tiring.", 4),
    "economic_aspects": ("Each avoided readmission saves about 9,000 RON; devices cost 1,400 RON a patient.", 3),
    "organisational_aspects": ("Two nurses follow 120 patients; the cardiology ward reorganised its mornings.", 3),
    "socio_cultural_ethical_legal": ("Data stay in the hospital; consent forms in Romanian and Romani.", 4),
}


def load_portfolio_demo(admin: Any, organiser: Any, citizen: Any, published_challenge: Any) -> bool:
    """Twenty-odd projects across every stage (checked by title, so a rerun adds nothing)."""
    existing = set(db.session.scalars(select(PortfolioProject.title)))
    created = False
    for row in PROJECTS:
        if row[0] not in existing:
            _local_initiative(admin, row)
            created = True
    if published_challenge is not None and not db.session.scalar(
            select(PortfolioProject.id).where(PortfolioProject.origin_challenge_id == published_challenge.id)):
        _promote_winners(organiser, published_challenge)
        created = True
    if created:
        _citizens(citizen)
    return created


def _local_initiative(admin: Any, row: tuple[Any, ...]) -> PortfolioProject:
    (title, organisation, stage, themes, place, point, budget, currency, funding, partners, summary,
     milestones, updates, indicator, stopped_reason) = row
    today = clock.now().date()
    first_stage = stage if not updates else "idea"
    data: dict[str, Any] = {
        "title": title, "summary": summary, "organisation": organisation, "stage": first_stage,
        "themes": themes, "partners": partners, "currency": currency, "budget": budget,
        "funding_sources": [{"programme": name, "amount": amount, "currency": currency} for name, amount in funding],
        "location": {"name": place, "latitude": point[0], "longitude": point[1]} if point else place,
        "description": summary, "starts_on": (today - 14 * MONTH).isoformat() if updates else None,
    }
    project = services.create_project(admin, data)
    for months_ago, update_title, body, new_stage in sorted(updates, key=lambda u: -u[0]):
        update = lifecycle.add_update(project, admin, update_title, body or update_title, stage=new_stage,
                                      stopped_reason=stopped_reason if new_stage == "stopped" else None)
        update.created_at = clock.now() - months_ago * MONTH
        db.session.commit()
    for milestone_title, months, done in milestones:
        planned = today + months * MONTH
        milestone = lifecycle.add_milestone(project, admin, {"title": milestone_title,
                                                             "planned_on": planned.isoformat()})
        if done:
            lifecycle.set_milestone_done(project, admin, milestone.id, True, done_on=min(planned, today).isoformat())
    if indicator:
        name, unit, baseline, target, values = indicator
        measured = indicators.add_indicator(project, admin, {"name": name, "unit": unit, "baseline": baseline,
                                                             "target": target})
        for n, value in enumerate(values):
            day = today - (len(values) - n) * 2 * MONTH
            indicators.record_value(project, admin, measured.id, {"value": value, "recorded_on": day.isoformat()})
    if title.startswith("Tele-monitoring of heart failure"):
        evaluation.save_evaluation(project, admin, {
            "domains": {domain: {"finding": finding, "rating": rating} for domain, (finding, rating) in MAST_DEMO.items()},
            "transferability": "Works wherever a cardiology ward can spare two nurses for remote follow-up.",
            "evaluator": "UMF Iași, Department of Public Health", "evaluated_on": (today - MONTH).isoformat()})
    return project


def _promote_winners(organiser: Any, challenge: Any) -> None:
    """The three prize winners go in: the first two as incubation, the feasibility study as an idea."""
    from app.results.models import Publication
    from app.submissions.models import Idea

    publication = db.session.get(Publication, challenge.id)
    winners = [award["idea_id"] for award in publication.awards][:3]
    for position, idea_id in enumerate(dict.fromkeys(winners)):
        idea = db.session.get(Idea, idea_id)
        project = services.promote_idea(idea, organiser, stage="incubation" if position < 2 else "idea")
        if position == 0:
            lifecycle.add_update(project, organiser, "Pilot agreement signed",
                                 "Odense Kommune and the team agreed a one-year pilot in two home-care districts.",
                                 stage="pilot")
            lifecycle.add_milestone(project, organiser, {"title": "First 30 citizens training",
                                                         "planned_on": (clock.now() + MONTH).date().isoformat()})


def _citizens(citizen: Any) -> None:
    """A citizen follows, comments on and assesses a few projects, so those sections are not empty."""
    projects = db.session.scalars(select(PortfolioProject).where(PortfolioProject.stage.in_(("pilot", "deployed")))
                                  .order_by(PortfolioProject.id).limit(3)).all()
    for project in projects:
        citizens.follow(project, citizen)
        comments.add_comment(project, citizen, "Is there a way for **family carers** to see the readings too?")
        citizens.assess(project, citizen, usefulness=4, progress_visible=3,
                        reason="Useful for my mother; I would like more frequent updates.")
