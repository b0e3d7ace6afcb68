"""Portfolio rows written directly (no services) for the open data tests; need an app context."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from app.core import clock
from app.extensions import db
from app.portfolio import rules
from app.portfolio.models import (Assessment, Evaluation, Follow, FundingSource, Indicator, IndicatorValue,
                                  Milestone, PortfolioProject, ProjectComment, ProjectUpdate)
from tests.conftest import make_user

IASI = (47.1585, 27.6014)


def make_project(number: int, *, title: str | None = None, stage: str = "pilot",
                 themes: tuple[str, ...] = ("Telemedicine",), point: tuple[float, float] | None = IASI,
                 summary: str = "Village clinics consult city specialists by video.", **fields: Any
                 ) -> PortfolioProject:
    now = clock.now()
    title = title or f"Project {number}"
    values: dict[str, Any] = {
        "organisation": "Direcția de Sănătate Publică Iași", "location": "Iași", "partners": ["UMF Iași"],
        "budget": Decimal("150000.00"), "currency": "EUR", "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2027, 12, 31), "website": "https://example.org/p", "description": "Long *text*.",
    }
    values.update(fields)
    project = PortfolioProject(
        reference=f"SH-2026-{number:03d}", title=title, summary=summary, stage=stage, themes=list(themes),
        latitude=point[0] if point else None, longitude=point[1] if point else None,
        created_at=now, updated_at=now, **values)
    project.search_text = rules.search_text(title, summary, values["organisation"], list(themes),
                                            values["location"])
    db.session.add(project)
    db.session.commit()
    return project


def add_details(project: PortfolioProject, *, updates: int = 1) -> None:
    """Funding (two sources), milestones (one of two done), updates, an indicator with history and
    an evaluation, like a pilot that is followed, commented and assessed."""
    now = clock.now()
    db.session.add_all([
        FundingSource(project_id=project.id, programme="PNRR", amount=Decimal("120000"), currency="EUR",
                      starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31)),
        FundingSource(project_id=project.id, programme="Municipal budget", currency="RON"),
        Milestone(project_id=project.id, title="Kick-off", planned_on=dt.date(2026, 2, 1), done=True,
                  done_on=dt.date(2026, 2, 3)),
        Milestone(project_id=project.id, title="First patients", planned_on=dt.date(2026, 6, 1)),
    ])
    for n in range(updates):
        db.session.add(ProjectUpdate(project_id=project.id, title=f"Update {n}", body=f"Step **{n}** done.",
                                     created_at=now - dt.timedelta(hours=n)))
    indicator = Indicator(project_id=project.id, name="Consultations", unit="per month", baseline=0, target=400,
                          current=120)
    db.session.add(indicator)
    db.session.flush()
    db.session.add_all([IndicatorValue(indicator_id=indicator.id, value=40, recorded_on=dt.date(2026, 3, 31)),
                        IndicatorValue(indicator_id=indicator.id, value=120, recorded_on=dt.date(2026, 6, 30))])
    db.session.add(Evaluation(project_id=project.id, evaluator="Agenția Regională", evaluated_on=dt.date(2026, 9, 1),
                              transferability="Works in any county with video links.",
                              domains={"safety": {"finding": "No incident.", "rating": 5},
                                       "economic_aspects": {"finding": "Saves trips.", "rating": 4}}))
    db.session.commit()


def add_citizens(project: PortfolioProject) -> Any:
    """A follower who comments (one comment hidden) and assesses: none of it is open data."""
    citizen = make_user(f"follower{project.id}@example.org", name="Fiona Follower")
    db.session.add_all([
        Follow(project_id=project.id, user_id=citizen.id),
        ProjectComment(project_id=project.id, author_id=citizen.id, body="Visible comment text"),
        ProjectComment(project_id=project.id, author_id=citizen.id, body="Hidden comment text", hidden=True,
                       hidden_reason="Abuse"),
        Assessment(project_id=project.id, user_id=citizen.id, usefulness=4, progress_visible=2,
                   reason="Assessment reason text"),
    ])
    db.session.commit()
    return citizen


def build(count: int) -> list[PortfolioProject]:
    projects = [make_project(n + 1) for n in range(count)]
    for project in projects:
        add_details(project, updates=2)
        add_citizens(project)
    return projects


def empty_tables() -> None:
    db.session.remove()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def count_queries(client: Any, path: str) -> tuple[int, Any]:
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return len(statements), response
