"""The whole portfolio as one ZIP data package (the Frictionless Data Package layout): a CSV per
entity and a ``datapackage.json`` that names every column, its type and meaning, and the licence.

The files are plain UTF-8 without a byte-order mark, for programs (the catalogue CSV download keeps
one for spreadsheets). Text cells get the same guard against spreadsheet formulas as every export.
The package holds what project pages show anyone: no followers, comments, assessments, or who
wrote an update, recorded an indicator value or edited a project.
"""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.extensions import db
from app.portfolio.models import (MAST_DOMAINS, Evaluation, Indicator, IndicatorValue, PortfolioProject,
                                  ProjectUpdate)
from app.portfolio.opendata import (CATALOGUE_COLUMNS, FILE_STEM, LIST_SEPARATOR, catalogue_row, csv_text,
                                    iso_date, iso_datetime, licence, licence_entry, number, origin_of)

PACKAGE_FILE = "datapackage.json"
TRANSFERABILITY = "transferability"
FORMULA_NOTE = ("A text cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a "
                "carriage return) has an apostrophe in front.")
PROJECT_KEY = {"fields": "project_id", "reference": {"resource": "projects", "fields": "id"}}

Field = tuple[str, str, str]

# The projects file: the catalogue's columns, with the long texts and the origin in full.
PROJECT_COLUMNS: tuple[Field, ...] = (
    *CATALOGUE_COLUMNS[:4],
    ("description", "string", "Description (Markdown as written)"),
    *CATALOGUE_COLUMNS[4:6],
    ("stopped_reason", "string", "Why the project stopped; empty unless its stage is stopped"),
    *CATALOGUE_COLUMNS[6:18],
    ("origin_idea_id", "integer", "The challenge entry the project came from; empty for a local initiative"),
    ("origin_idea_title", "string", "Title of that entry when the project was promoted"),
    ("origin_awards", "string", "Awards the entry won, separated by \"; \""),
    *CATALOGUE_COLUMNS[18:-1],
    ("created_at", "datetime", "When the project entered the catalogue (UTC)"),
    CATALOGUE_COLUMNS[-1],
)

# name: (file, title, fields, foreign keys)
RESOURCES: dict[str, tuple[str, str, tuple[Field, ...], list[dict[str, Any]]]] = {
    "projects": ("projects.csv", "Projects", PROJECT_COLUMNS, []),
    "funding": ("funding.csv", "Funding sources of each project (co-financing shows as several rows)", (
        ("id", "integer", "Identifier of the funding source"),
        ("project_id", "integer", "The project (projects.csv id)"),
        ("programme", "string",
         "Programme or budget the money comes from (ESF, PNRR, EU4Health, municipal budget, ...)"),
        ("amount", "number", "Amount; empty when unknown"),
        ("currency", "string", "ISO 4217 currency of the amount"),
        ("starts_on", "date", "Start of the funding period"),
        ("ends_on", "date", "End of the funding period")), [PROJECT_KEY]),
    "milestones": ("milestones.csv", "Milestones; a project's progress is the share of them done", (
        ("id", "integer", "Identifier of the milestone"),
        ("project_id", "integer", "The project (projects.csv id)"),
        ("title", "string", "What is to be reached"),
        ("planned_on", "date", "Planned date"),
        ("done", "boolean", "Whether it has been reached"),
        ("done_on", "date", "When it was reached")), [PROJECT_KEY]),
    "updates": ("updates.csv", "Progress updates: the public timeline of each project", (
        ("id", "integer", "Identifier of the update"),
        ("project_id", "integer", "The project (projects.csv id)"),
        ("title", "string", "Title"),
        ("body", "string", "Text (Markdown as written)"),
        ("stage_from", "string", "Stage before the update, when it changed the stage"),
        ("stage_to", "string", "Stage after the update, when it changed the stage"),
        ("created_at", "datetime", "When it was published (UTC)")), [PROJECT_KEY]),
    "indicators": ("indicators.csv", "Indicators each project reports on", (
        ("id", "integer", "Identifier of the indicator"),
        ("project_id", "integer", "The project (projects.csv id)"),
        ("name", "string", "What is measured"),
        ("unit", "string", "Unit of the values"),
        ("baseline", "number", "Value before the project"),
        ("target", "number", "Value the project aims for"),
        ("current", "number", "Latest value"),
        ("position", "integer", "Order on the project page, from 0")), [PROJECT_KEY]),
    "indicator_values": ("indicator_values.csv", "Every value each indicator has had", (
        ("id", "integer", "Identifier of the value"),
        ("indicator_id", "integer", "The indicator (indicators.csv id)"),
        ("value", "number", "The value"),
        ("recorded_on", "date", "Date the value describes")),
        [{"fields": "indicator_id", "reference": {"resource": "indicators", "fields": "id"}}]),
    "evaluations": ("evaluations.csv", "Evaluations by the MAST domains, one row per project and domain", (
        ("project_id", "integer", "The project (projects.csv id)"),
        ("domain", "string", "A MAST domain (" + ", ".join(MAST_DOMAINS) + "), or transferability"),
        ("finding", "string", "What the evaluation found in that domain"),
        ("rating", "integer", "Rating from 1 to 5; empty when none was given (always for transferability)"),
        ("evaluator", "string", "Who evaluated the project"),
        ("evaluated_on", "date", "Date of the evaluation")), [PROJECT_KEY]),
}


def resource_columns(name: str) -> list[str]:
    return [field for field, _kind, _description in RESOURCES[name][2]]


def descriptor(created: str) -> dict[str, Any]:
    """datapackage.json: the licence, and every file with its columns, their types and meaning."""
    resources = []
    for name, (path, title, fields, foreign_keys) in RESOURCES.items():
        schema: dict[str, Any] = {
            "fields": [{"name": field, "type": kind, "description": description}
                       for field, kind, description in fields],
            "missingValues": [""],
        }
        if fields[0][0] == "id":
            schema["primaryKey"] = "id"
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        resources.append({"name": name, "path": path, "profile": "tabular-data-resource", "title": title,
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                          "description": FORMULA_NOTE, "schema": schema})
    return {"profile": "tabular-data-package", "name": FILE_STEM, "title": "Salus health project portfolio",
            "description": "The city's public catalogue of digital-health projects: projects, funding, "
                           "milestones, progress updates, indicators and evaluations.",
            "created": created, "licenses": [licence_entry()], "licence": licence(), "resources": resources}


def _project_rows(projects: Sequence[PortfolioProject]) -> Iterable[dict[str, Any]]:
    for project in projects:
        origin = origin_of(project)
        row = catalogue_row(project)
        row.update(description=project.description, stopped_reason=project.stopped_reason,
                   origin_idea_id=origin.get("idea_id"), origin_idea_title=origin.get("idea_title"),
                   origin_awards=LIST_SEPARATOR.join(str(a.get("name", "")) for a in origin.get("awards") or []),
                   created_at=iso_datetime(project.created_at))
        yield row


def _evaluation_rows(evaluations: Iterable[Evaluation]) -> Iterable[dict[str, Any]]:
    for evaluation in evaluations:
        common = {"project_id": evaluation.project_id, "evaluator": evaluation.evaluator,
                  "evaluated_on": iso_date(evaluation.evaluated_on)}
        domains = evaluation.domains or {}
        for domain in MAST_DOMAINS:
            entry = domains.get(domain) or {}
            if entry.get("finding") or entry.get("rating") is not None:
                yield {**common, "domain": domain, "finding": entry.get("finding") or "", "rating": entry.get("rating")}
        if evaluation.transferability:
            yield {**common, "domain": TRANSFERABILITY, "finding": evaluation.transferability, "rating": None}


def package_rows() -> dict[str, Iterable[Mapping[str, Any]]]:
    """Every file's rows, in seven queries whatever the size of the portfolio."""
    projects = db.session.scalars(select(PortfolioProject).order_by(PortfolioProject.id).options(
        selectinload(PortfolioProject.funding), selectinload(PortfolioProject.milestones))).all()
    funding = [f for p in projects for f in p.funding]
    milestones = [m for p in projects for m in p.milestones]
    updates = db.session.scalars(select(ProjectUpdate).order_by(ProjectUpdate.project_id, ProjectUpdate.created_at,
                                                                ProjectUpdate.id))
    indicators = db.session.scalars(select(Indicator).order_by(Indicator.project_id, Indicator.position,
                                                               Indicator.id))
    values = db.session.scalars(select(IndicatorValue).order_by(IndicatorValue.indicator_id,
                                                                IndicatorValue.recorded_on, IndicatorValue.id))
    evaluations = db.session.scalars(select(Evaluation).order_by(Evaluation.project_id))
    return {
        "projects": _project_rows(projects),
        "funding": ({"id": f.id, "project_id": f.project_id, "programme": f.programme, "amount": number(f.amount),
                     "currency": f.currency, "starts_on": iso_date(f.starts_on), "ends_on": iso_date(f.ends_on)}
                    for f in funding),
        "milestones": ({"id": m.id, "project_id": m.project_id, "title": m.title,
                        "planned_on": iso_date(m.planned_on), "done": m.done, "done_on": iso_date(m.done_on)}
                       for m in milestones),
        "updates": ({"id": u.id, "project_id": u.project_id, "title": u.title, "body": u.body,
                     "stage_from": u.stage_from, "stage_to": u.stage_to, "created_at": iso_datetime(u.created_at)}
                    for u in updates),
        "indicators": ({"id": i.id, "project_id": i.project_id, "name": i.name, "unit": i.unit,
                        "baseline": i.baseline, "target": i.target, "current": i.current, "position": i.position}
                       for i in indicators),
        "indicator_values": ({"id": v.id, "indicator_id": v.indicator_id, "value": v.value,
                              "recorded_on": iso_date(v.recorded_on)} for v in values),
        "evaluations": _evaluation_rows(evaluations),
    }


def build_package() -> bytes:
    rows = package_rows()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        created = iso_datetime(clock.now()) or ""
        archive.writestr(PACKAGE_FILE, json.dumps(descriptor(created), ensure_ascii=False, indent=2) + "\n")
        for name, (path, _title, _fields, _keys) in RESOURCES.items():
            archive.writestr(path, csv_text(resource_columns(name), rows[name]).encode("utf-8"))
    return buffer.getvalue()
