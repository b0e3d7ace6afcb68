"""A project's evaluation by the seven domains of MAST (the Model for ASsessment of Telemedicine):
a finding and a rating from 1 to 5 per domain, plus transferability, the evaluator and the date.
It is usually written once a pilot has been assessed, and is public as soon as a domain has content."""
from __future__ import annotations

from typing import Any, Mapping

from app.core import audit, clock
from app.extensions import db
from app.portfolio.lifecycle import local_today, locked_project, touch
from app.portfolio.lifecycle_rules import clean_evaluation
from app.portfolio.models import Evaluation, PortfolioProject


def save_evaluation(project: PortfolioProject, actor: Any, data: Mapping[str, Any]) -> Evaluation:
    """Write the whole evaluation (it replaces what was there): ``domains`` maps each MAST domain to
    ``{finding, rating}``, with ``transferability``, ``evaluator`` and ``evaluated_on`` (not in the
    future). A domain left out is stored empty; an unknown domain is refused. Editors only."""
    project = locked_project(project, actor)
    clean = clean_evaluation(data, local_today())
    evaluation = db.session.get(Evaluation, project.id)
    before = None
    if evaluation is None:
        evaluation = Evaluation(project_id=project.id)
        db.session.add(evaluation)
    else:
        before = {"domains": evaluation.domains, "transferability": evaluation.transferability,
                  "evaluator": evaluation.evaluator, "evaluated_on": evaluation.evaluated_on}
    evaluation.domains = clean["domains"]
    evaluation.transferability = clean["transferability"]
    evaluation.evaluator = clean["evaluator"]
    evaluation.evaluated_on = clean["evaluated_on"]
    evaluation.updated_at = clock.now()
    evaluation.updated_by_id = getattr(actor, "id", None)
    touch(project)
    audit.record("project.evaluation_saved", actor=actor, subject_type="portfolio_project", subject_id=project.id,
                 challenge_id=project.origin_challenge_id, before=before,
                 ratings={domain: item["rating"] for domain, item in clean["domains"].items()})
    db.session.commit()
    return evaluation

