"""Open data: the catalogue's downloads, the update feeds, challenge calendars and the page that
explains them. Everything here is public, read-only and answers anyone."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.challenges.access import visible_challenge
from app.portfolio import feeds, opendata, queries
from app.portfolio.access import project_or_404
from app.portfolio.blueprint import bp
from app.portfolio.labels import STAGE_LABELS
from app.portfolio.models import STAGES
from app.portfolio.opendata_package import RESOURCES, build_package

FORMATS = {"csv": "text/csv", "json": "application/json", "geojson": "application/geo+json",
           "zip": "application/zip"}
ATOM = "application/atom+xml"
# What each file of the data package holds, for the page (datapackage.json describes every column).
PACKAGE_FILES = {
    "projects": _l("one row per project, with its origin, contact point, dates, budget and progress"),
    "funding": _l("each project's funding sources: programme, amount and period"),
    "milestones": _l("planned and reached milestones"),
    "updates": _l("the public timeline of progress updates and stage changes"),
    "indicators": _l("the indicators each project reports on, with baseline, target and current value"),
    "indicator_values": _l("every value each indicator has had"),
    "evaluations": _l("evaluations by the MAST domains, one row per project and domain"),
}
assert set(PACKAGE_FILES) == set(RESOURCES)  # nosec B101 - import-time check that the tables agree


def download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


def _json_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


@bp.get("/portfolio/export.<any(csv, json, geojson, zip):fmt>")
def export(fmt: str):
    if fmt == "zip":
        return download(build_package(), FORMATS[fmt], opendata.export_filename("zip"))
    filters = opendata.filters_from_args(request.args)
    projects = opendata.catalogue_projects(filters)
    if fmt == "csv":
        body = opendata.catalogue_csv(projects)
    elif fmt == "json":
        body = _json_bytes(opendata.catalogue_json(projects, filters))
    else:
        body = _json_bytes(opendata.catalogue_geojson(projects))
    return download(body, FORMATS[fmt], opendata.export_filename(fmt))


def _feed_response(body: bytes) -> Response:
    response = Response(body, mimetype=ATOM)
    response.headers["Cache-Control"] = "public, max-age=300"
    # Feed readers poll: an unchanged feed costs them (and us) a 304 instead of the document.
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/portfolio/feed.atom")
def feed():
    return _feed_response(feeds.portfolio_feed())


@bp.get("/portfolio/<int:project_id>/feed.atom")
def project_feed(project_id: int):
    return _feed_response(feeds.project_feed(project_or_404(project_id)))


@bp.get("/challenges/<int:challenge_id>/calendar.ics")
def challenge_calendar(challenge_id: int):
    challenge = visible_challenge(challenge_id, current_user._get_current_object())
    return download(feeds.challenge_calendar(challenge), "text/calendar", f"salus-challenge-{challenge.id}.ics")


@bp.get("/portfolio/data", endpoint="opendata")
def opendata_page():
    return render_template("portfolio/opendata.html", licence=opendata.licence(),
                           licence_url=opendata.LICENCE_PATHS.get(opendata.licence()),
                           licence_title=opendata.LICENCE_TITLES.get(opendata.licence()),
                           resources=RESOURCES, package_files=PACKAGE_FILES, stages=STAGES,
                           stage_labels=STAGE_LABELS, themes=queries.filter_options()["themes"])

