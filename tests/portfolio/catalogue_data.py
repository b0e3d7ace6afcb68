"""Projects inserted directly for the catalogue, pipeline, map and project-page tests (needs an app
context): no services involved, so each test says exactly what the catalogue holds."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from app.core import clock
from app.extensions import db
from app.portfolio import rules
from app.portfolio.models import Follow, FundingSource, Milestone, PortfolioProject

_numbers = itertools.count(1)
# Its own prefix: these codes never meet those the services give in the same test.
PREFIX = "TST"


def make_project(title: str, *, stage: str = "idea", programmes: tuple[str, ...] = (), milestones: tuple[bool, ...] = (),
                 followers: tuple[Any, ...] = (), created_at: dt.datetime | None = None, **fields: Any) -> PortfolioProject:
    """A project with funding sources (by programme), milestones (done or not) and followers (users)."""
    when = created_at or clock.now()
    project = PortfolioProject(reference=rules.reference(when.year, next(_numbers), prefix=PREFIX), title=title, stage=stage,
                               summary=fields.pop("summary", ""), themes=fields.pop("themes", []),
                               created_at=when, updated_at=fields.pop("updated_at", when), **fields)
    for programme in programmes:
        project.funding.append(FundingSource(programme=programme))
    for index, done in enumerate(milestones):
        project.milestones.append(Milestone(title=f"Step {index + 1}", planned_on=dt.date(2026, 1, 1 + index),
                                            done=done))
    project.search_text = rules.search_text(project.title, project.summary, project.description,
                                            project.organisation, project.themes, project.partners or [],
                                            project.location, project.reference, list(programmes))
    db.session.add(project)
    db.session.flush()
    for user in followers:
        db.session.add(Follow(project_id=project.id, user_id=user.id))
    db.session.commit()
    return project


def catalogue_world() -> dict[str, PortfolioProject]:
    """Six projects across stages, themes, organisations, funding programmes and places."""
    base = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
    specs = [
        ("Telemedicine for rural Iași", dict(stage="pilot", themes=["Telemedicine", "Rural health"],
                                             organisation="DSP Iași", location="Iași", latitude=47.1585,
                                             longitude=27.6014, programmes=("PNRR", "Municipal budget"),
                                             milestones=(True, True, False, False),
                                             summary="Village clinics consult city specialists by video.")),
        ("Sănătate mintală pentru studenți", dict(stage="incubation", themes=["Mental health"],
                                                 organisation="UMF Iași", location="Iasi", programmes=("EU4Health",),
                                                 summary="Peer support for students.")),
        ("Diabetes screening in Copou", dict(stage="deployed", themes=["Prevention"], organisation="DSP Iași",
                                             location="Copou", latitude=47.18, longitude=27.57,
                                             programmes=("EU4Health",), milestones=(True,))),
        ("Apps for 100% of GPs_", dict(stage="idea", themes=["Telemedicine"], organisation="Primăria Iași",
                                       summary="Every family doctor online.")),
        ("Paper-free referrals", dict(stage="stopped", stopped_reason="Replaced nationally.",
                                      organisation="Primăria Iași")),
        ("Ambulance routing", dict(stage="scaled", themes=["Emergency care", "Telemedicine"], location="Iași",
                                   latitude=47.16, longitude=27.59, organisation="SAJ Iași")),
    ]
    made = {}
    for index, (title, spec) in enumerate(specs):
        made[title] = make_project(title, created_at=base + dt.timedelta(days=index),
                                   updated_at=base + dt.timedelta(days=30 - 3 * index), **spec)
    return made
