"""The public catalogue pages: cards with filters, the pipeline chart, the map and the project page."""
from __future__ import annotations

import math
from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.challenges.models import Challenge
from app.core.layout import NavItem, register_nav
from app.extensions import db
from app.portfolio import access, citizens, labels, lifecycle, pipeline_chart, queries
from app.portfolio.blueprint import bp

CARDS_PER_PAGE = 24

register_nav(NavItem(_l("Portfolio"), "portfolio.catalogue", None, order=15))

# App-wide so that any page (and the stage_tag macro imported without context) can name a stage.
bp.add_app_template_global(labels.stage_label, "portfolio_stage_label")
bp.add_app_template_global(labels.stage_colour, "portfolio_stage_colour")


def optional_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page of the portfolio that may not be installed in this build, or None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _day(value: Any) -> str:
    return format_date(value, "long") if value else ""


@bp.context_processor
def _portfolio_context() -> dict[str, Any]:
    return {"portfolio_url": optional_url, "portfolio_day": _day, "stage_labels": labels.STAGE_LABELS,
            "sort_labels": labels.SORT_LABELS, "no_theme": labels.NO_THEME}


def _filters() -> queries.Filters:
    # A page ignores what it cannot use (an unknown stage, a bad page number): links get shared,
    # and a stale one should still show the catalogue rather than an error.
    filters, _invalid = queries.filters_from_args(request.args, per_page=CARDS_PER_PAGE)
    return filters


@bp.get("/portfolio")
def catalogue():
    filters = _filters()
    rows, total = queries.catalogue(filters)
    pages = max(1, math.ceil(total / filters.per_page))
    first = (filters.page - 1) * filters.per_page + 1 if rows else 0
    return render_template("portfolio/catalogue.html", filters=filters, rows=rows, total=total, pages=pages,
                           first=first, last=first + len(rows) - 1 if rows else 0,
                           options=queries.filter_options(), sorts=queries.SORTS,
                           can_add=bool(current_user.is_authenticated and current_user.is_admin))


@bp.get("/portfolio/pipeline")
def pipeline():
    filters = _filters().without_paging()
    counts = queries.pipeline(filters)
    return render_template("portfolio/pipeline.html", filters=filters, pipeline=counts,
                           chart=pipeline_chart.render(counts), theme_name=pipeline_chart.theme_name)


@bp.get("/portfolio/map", endpoint="map")
def map_page():
    filters = _filters().without_paging()
    projects, without_point = queries.located(filters)
    return render_template("portfolio/map.html", filters=filters, projects=projects, without_point=without_point,
                           tile_url=current_app.config.get("MAP_TILE_URL") or "",
                           attribution=current_app.config.get("MAP_ATTRIBUTION") or "",
                           fills=labels.STAGE_FILLS)


@bp.get("/portfolio/<int:project_id>")
def project(project_id: int):
    item = access.project_or_404(project_id)
    origin_challenge = None
    if item.origin_challenge_id is not None:
        challenge = db.session.get(Challenge, item.origin_challenge_id)
        # The origin box links to the challenge only while its page is public.
        if challenge is not None and challenge.status in ("published", "archived"):
            origin_challenge = challenge
    return render_template("portfolio/project.html", project=item, origin_challenge=origin_challenge,
                           can_edit=access.can_edit(item, current_user),
                           lifecycle=lifecycle.page_context(item),
                           citizens=citizens.page_context(item, current_user))
