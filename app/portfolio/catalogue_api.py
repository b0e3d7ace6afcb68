"""GET /portfolio: the public catalogue for machines, with the same filters as the page."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel

from app.core.api import endpoint
from app.core.errors import ValidationFailed
from app.portfolio import queries
from app.portfolio.blueprint import api_bp
from app.portfolio.models import STAGES


class LocationOut(BaseModel):
    name: str
    latitude: float | None
    longitude: float | None


class ProjectSummaryOut(BaseModel):
    id: int
    reference: str
    title: str
    summary: str
    organisation: str
    stage: str
    themes: list[str]
    location: LocationOut
    progress: int | None
    origin: dict[str, Any] | None
    followers: int


def summary_json(card: queries.Card) -> dict[str, Any]:
    """A catalogue item: the project's contract fields that a list needs, nothing private."""
    project = card.project
    return {
        "id": project.id, "reference": project.reference, "title": project.title, "summary": project.summary or "",
        "organisation": project.organisation or "", "stage": project.stage, "themes": list(project.themes or []),
        "location": {"name": project.location or "", "latitude": project.latitude, "longitude": project.longitude},
        "progress": card.progress, "origin": project.origin or None, "followers": card.followers,
    }


def _messages(invalid: dict[str, str]) -> dict[str, str]:
    messages = {"stage": _("Must be one of: %(choices)s.", choices=", ".join(STAGES)),
                "page": _("Must be between 1 and %(n)s.", n=1_000_000),
                "per_page": _("Must be between 1 and %(n)s.", n=queries.MAX_PER_PAGE)}
    return {name: messages[name] for name in invalid}


@endpoint(api_bp, "/portfolio", methods=["GET"], auth="none", responses={200: ProjectSummaryOut}, paginated=True,
          errors=(422,), summary="The public catalogue of health projects, filtered, searched and sorted",
          query={"stage": f"One of: {', '.join(STAGES)} (another value answers 422)",
                 "theme": "Projects with exactly this theme",
                 "q": "Words that must all appear in the project's title, summary, description, organisation, "
                      "partners, themes, place, reference or funding programmes; case and accents do not matter "
                      "(\"Iasi\" finds \"Iași\")",
                 "organisation": "Projects of exactly this organisation",
                 "funding": "Projects with a funding source of exactly this programme (e.g. PNRR)",
                 "location": "Projects at exactly this place",
                 "sort": "newest (default), updated, title or stage; another value means the default"})
def catalogue():
    filters, invalid = queries.filters_from_args(request.args)
    if invalid:
        raise ValidationFailed(fields=_messages(invalid))
    rows, total = queries.catalogue(filters)
    return {"items": [summary_json(card) for card in rows], "total": total, "page": filters.page,
            "per_page": filters.per_page}
