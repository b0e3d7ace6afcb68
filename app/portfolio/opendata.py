"""The catalogue as open data: CSV for spreadsheets, JSON for programs, GeoJSON for maps.

What is published is what the project pages already show to anyone, and nothing more:

- the project's own public contact (``contact_name`` and ``contact_email``, written by its editors
  as the contact point, empty when they set none); the team members listed as contacts are named
  on the project page only, never copied into bulk data;
- no followers, no comments, no assessments, no editors or authors of updates.

Every export of one request is built from three queries whatever the number of projects: the
projects, then their funding sources and milestones in one batch each.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy.orm import selectinload

from app.challenges.export import safe_cell
from app.core import clock
from app.core.outbox import external_url
from app.extensions import db
from app.portfolio import queries, rules
from app.portfolio.models import PortfolioProject
from app.portfolio.queries import Filters
from app.results.archive import LICENCE_PATHS, licence

LICENCE_TITLES = {
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "CC-BY-SA-4.0": "Creative Commons Attribution Share-Alike 4.0",
    "CC0-1.0": "Creative Commons CC0 1.0 (public domain dedication)",
    "ODC-BY-1.0": "Open Data Commons Attribution License 1.0",
    "ODbL-1.0": "Open Data Commons Open Database License 1.0",
}
LIST_SEPARATOR = "; "
FILE_STEM = "salus-portfolio"

# The catalogue CSV, one row per project: (column, what it holds). datapackage.json repeats these.
CATALOGUE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "integer", "Identifier of the project in this catalogue"),
    ("reference", "string", "Public reference code, e.g. SH-2026-014"),
    ("title", "string", "Title"),
    ("summary", "string", "Short summary"),
    ("organisation", "string", "Organisation running the project"),
    ("stage", "string", "idea, incubation, pilot, deployed, scaled or stopped"),
    ("themes", "string", "Themes, separated by \"; \""),
    ("partners", "string", "Partner organisations, separated by \"; \""),
    ("budget", "number", "Total budget; empty when unknown"),
    ("currency", "string", "ISO 4217 currency of the budget"),
    ("location", "string", "Town or neighbourhood"),
    ("latitude", "number", "WGS 84 latitude; empty when the project is not placed on the map"),
    ("longitude", "number", "WGS 84 longitude; empty when the project is not placed on the map"),
    ("starts_on", "date", "Start date"),
    ("ends_on", "date", "End date"),
    ("progress", "integer", "Per cent of milestones done; empty when the project has no milestones"),
    ("origin_challenge_id", "integer", "The challenge the project came from; empty for a local initiative"),
    ("origin_challenge_title", "string", "Title of that challenge when the project was promoted"),
    ("funding_programmes", "string", "Programmes funding the project, separated by \"; \""),
    ("contact_name", "string", "Public contact point of the project, when its editors gave one"),
    ("contact_email", "string", "Public contact e-mail of the project, when its editors gave one"),
    ("website", "string", "The project's website"),
    ("url", "string", "The project's page in this catalogue"),
    ("updated_at", "datetime", "Last change of the project record (UTC)"),
)
GEOJSON_PROPERTIES = ("id", "reference", "title", "summary", "organisation", "stage", "themes", "location",
                      "progress", "url")


def licence_entry() -> dict[str, str]:
    """The licence as a Data Package ``licenses`` item: its SPDX name, and where known its text and title."""
    name = licence()
    entry = {"name": name}
    if name in LICENCE_PATHS:
        entry["path"] = LICENCE_PATHS[name]
    if name in LICENCE_TITLES:
        entry["title"] = LICENCE_TITLES[name]
    return entry


def catalogue_projects(filters: Filters) -> list[PortfolioProject]:
    """Every project the catalogue shows for ``filters`` (all pages, in its order), with funding and
    milestones loaded in batch."""
    statement = queries.ordered(queries.filtered(filters), filters.sort)
    statement = statement.options(selectinload(PortfolioProject.funding), selectinload(PortfolioProject.milestones))
    return list(db.session.scalars(statement))


def filters_from_args(args: Mapping[str, Any]) -> Filters:
    """The catalogue's filters (stage, theme, organisation, funding, location, q, sort) as GET /portfolio
    reads them: a value it cannot use is ignored there, and so here."""
    filters, _invalid = queries.filters_from_args(args)
    return filters.without_paging()


# --- values -------------------------------------------------------------------------------

def iso_datetime(value: dt.datetime | None) -> str | None:
    """UTC, to the second, with a Z: the form Table Schema, Atom and GeoJSON readers expect."""
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def number(value: Decimal | float | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def project_progress(project: PortfolioProject) -> int | None:
    return rules.progress([rules.MilestoneState(done=m.done, planned_on=m.planned_on) for m in project.milestones])


def project_url(project_id: int) -> str:
    return external_url("portfolio.project", project_id=project_id)


def located(project: PortfolioProject) -> bool:
    return project.latitude is not None and project.longitude is not None


def origin_of(project: PortfolioProject) -> dict[str, Any]:
    origin = dict(project.origin or {})
    if project.origin_challenge_id is not None:
        origin.setdefault("challenge_id", project.origin_challenge_id)
    return origin


# --- the three catalogue formats ----------------------------------------------------------

def catalogue_row(project: PortfolioProject) -> dict[str, Any]:
    """One project as the catalogue CSV shows it (lists joined, numbers as numbers)."""
    origin = origin_of(project)
    return {
        "id": project.id, "reference": project.reference, "title": project.title, "summary": project.summary,
        "organisation": project.organisation, "stage": project.stage,
        "themes": LIST_SEPARATOR.join(project.themes or []), "partners": LIST_SEPARATOR.join(project.partners or []),
        "budget": number(project.budget), "currency": project.currency, "location": project.location,
        "latitude": project.latitude, "longitude": project.longitude,
        "starts_on": iso_date(project.starts_on), "ends_on": iso_date(project.ends_on),
        "progress": project_progress(project),
        "origin_challenge_id": origin.get("challenge_id"), "origin_challenge_title": origin.get("challenge_title"),
        "funding_programmes": LIST_SEPARATOR.join(f.programme for f in project.funding),
        "contact_name": project.contact_name, "contact_email": project.contact_email,
        "website": project.website, "url": project_url(project.id), "updated_at": iso_datetime(project.updated_at),
    }


def csv_cell(value: Any) -> str:
    """Numbers as written (a negative longitude is a number, not a formula); text through safe_cell."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return safe_cell(value)


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    return out.getvalue()


def catalogue_csv(projects: Sequence[PortfolioProject]) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads "Iași" as "IaÈ™i"; other readers skip it."""
    columns = [name for name, _kind, _description in CATALOGUE_COLUMNS]
    return ("\ufeff" + csv_text(columns, (catalogue_row(p) for p in projects))).encode("utf-8")


def project_record(project: PortfolioProject) -> dict[str, Any]:
    """One project in the JSON export, with the field names of the API's project."""
    return {
        "id": project.id, "reference": project.reference, "title": project.title, "summary": project.summary,
        "description": project.description, "organisation": project.organisation, "stage": project.stage,
        "stopped_reason": project.stopped_reason or None, "themes": list(project.themes or []),
        "partners": list(project.partners or []), "budget": number(project.budget), "currency": project.currency,
        "location": {"name": project.location, "latitude": project.latitude, "longitude": project.longitude},
        "starts_on": iso_date(project.starts_on), "ends_on": iso_date(project.ends_on),
        "funding_sources": [{"programme": f.programme, "amount": number(f.amount), "currency": f.currency,
                             "starts_on": iso_date(f.starts_on), "ends_on": iso_date(f.ends_on)}
                            for f in project.funding],
        "milestones": [{"title": m.title, "planned_on": iso_date(m.planned_on), "done": m.done,
                        "done_on": iso_date(m.done_on)} for m in project.milestones],
        "progress": project_progress(project),
        "contact": {"name": project.contact_name, "email": project.contact_email or None},
        "website": project.website, "origin": origin_of(project) or None, "url": project_url(project.id),
        "created_at": iso_datetime(project.created_at), "updated_at": iso_datetime(project.updated_at),
    }


def catalogue_json(projects: Sequence[PortfolioProject], filters: Filters) -> dict[str, Any]:
    return {"items": [project_record(p) for p in projects], "total": len(projects), "filters": filters.args(),
            "licence": licence(), "licence_url": LICENCE_PATHS.get(licence()),
            "generated_at": iso_datetime(clock.now())}


def catalogue_geojson(projects: Sequence[PortfolioProject]) -> dict[str, Any]:
    """RFC 7946: a FeatureCollection of Points, coordinates [longitude, latitude] in WGS 84.

    Projects without coordinates are left out rather than placed at 0,0 (a point in the ocean)."""
    features = []
    for project in projects:
        if not located(project):
            continue
        record = project_record(project)
        properties = {name: record[name] for name in GEOJSON_PROPERTIES}
        properties["location"] = project.location
        features.append({"type": "Feature", "id": project.id,
                         "geometry": {"type": "Point", "coordinates": [project.longitude, project.latitude]},
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features,
            "licence": licence(), "generated_at": iso_datetime(clock.now())}


def export_filename(extension: str) -> str:
    return f"{FILE_STEM}-{clock.now().astimezone(dt.timezone.utc):%Y-%m-%d}.{extension}"
