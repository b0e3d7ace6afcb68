"""The public catalogue's queries: filters, full-text search, sorting, pagination, and the facts a
card shows, loaded for a whole page at once so that a page costs the same number of queries
whatever it holds."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from sqlalchemy import Select, and_, case, cast, exists, false, func, or_, select, Text

from app.extensions import db
from app.portfolio import rules
from app.portfolio.models import STAGES, Follow, FundingSource, Milestone, PortfolioProject

SORTS = ("newest", "updated", "title", "stage")
DEFAULT_SORT = "newest"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Longer search boxes and filter values than this are not a search anyone types: cut, not refused.
MAX_FILTER_LENGTH = 200


@dataclass(frozen=True)
class Filters:
    """What a visitor asked for; every field is optional and they combine with AND."""

    stage: str | None = None
    theme: str | None = None
    organisation: str | None = None
    funding: str | None = None
    location: str | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    # The page size a link may leave out (the view's own default).
    default_per_page: int = DEFAULT_PER_PAGE

    @property
    def active(self) -> bool:
        return any((self.stage, self.theme, self.organisation, self.funding, self.location, self.q.strip()))

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string values for a link to this view (defaults left out), with ``changes`` applied."""
        values = {"stage": self.stage, "theme": self.theme, "organisation": self.organisation,
                  "funding": self.funding, "location": self.location, "q": self.q.strip() or None,
                  "sort": self.sort if self.sort != DEFAULT_SORT else None,
                  "page": self.page if self.page != 1 else None,
                  "per_page": self.per_page if self.per_page != self.default_per_page else None}
        values.update(changes)
        return {name: value for name, value in values.items() if value not in (None, "")}

    def without_paging(self) -> Filters:
        return replace(self, page=1, per_page=self.default_per_page)


@dataclass
class Card:
    """A project as the catalogue shows it, with its progress, followers and funding programmes."""

    project: PortfolioProject
    progress: int | None = None
    followers: int = 0
    programmes: list[str] = field(default_factory=list)


def _clean(value: Any) -> str | None:
    text = " ".join(str(value or "").split())[:MAX_FILTER_LENGTH]
    return text or None


def _whole(value: Any, default: int, lower: int, upper: int) -> tuple[int, bool]:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default, False
    return (number, True) if lower <= number <= upper else (default, False)


def filters_from_args(args: Mapping[str, Any], *, per_page: int = DEFAULT_PER_PAGE
                      ) -> tuple[Filters, dict[str, str]]:
    """Read filters from a query string. Returns the filters and the values that were not valid
    (name -> value): an unknown stage or a bad page number is reported so that the API can answer
    422 while a page simply ignores it; an unknown sort is always the default, never SQL."""
    invalid: dict[str, str] = {}
    stage = _clean(args.get("stage"))
    if stage is not None and stage not in STAGES:
        invalid["stage"] = stage
        stage = None
    sort = _clean(args.get("sort"))
    if sort not in SORTS:
        sort = DEFAULT_SORT
    page, ok = _whole(args.get("page", 1), 1, 1, 1_000_000)
    if not ok:
        invalid["page"] = str(args.get("page"))
    size, ok = _whole(args.get("per_page", per_page), per_page, 1, MAX_PER_PAGE)
    if not ok:
        invalid["per_page"] = str(args.get("per_page"))
    filters = Filters(stage=stage, theme=_clean(args.get("theme")), organisation=_clean(args.get("organisation")),
                      funding=_clean(args.get("funding")), location=_clean(args.get("location")),
                      q=" ".join(str(args.get("q") or "").split())[:MAX_FILTER_LENGTH], sort=sort, page=page,
                      per_page=size, default_per_page=per_page)
    return filters, invalid


def theme_condition(theme: str):
    """The project's JSON list of themes holds exactly ``theme``. Portable: a LIKE on the list's JSON
    text for the quoted element, as JSON writes it with and without escaped non-ASCII letters."""
    text = cast(PortfolioProject.themes, Text)
    forms = {json.dumps(theme), json.dumps(theme, ensure_ascii=False)}
    return or_(*(text.contains(form, autoescape=True) for form in sorted(forms)))


def search_condition(query: str):
    """Every folded word of the search box appears in the folded search text (so "Iasi" finds
    "Iași" and "Iași" finds "Iasi"); LIKE wildcards typed by the visitor match themselves."""
    terms = rules.query_terms(query)
    return and_(*(PortfolioProject.search_text.contains(term, autoescape=True) for term in terms)) if terms else None


def filtered(filters: Filters) -> Select:
    """The projects matching ``filters``, unsorted."""
    stmt = select(PortfolioProject)
    conditions = []
    if filters.stage:
        conditions.append(PortfolioProject.stage == filters.stage)
    if filters.theme:
        conditions.append(theme_condition(filters.theme))
    if filters.organisation:
        conditions.append(PortfolioProject.organisation == filters.organisation)
    if filters.location:
        conditions.append(PortfolioProject.location == filters.location)
    if filters.funding:
        conditions.append(exists().where(FundingSource.project_id == PortfolioProject.id,
                                         FundingSource.programme == filters.funding))
    if filters.q.strip():
        condition = search_condition(filters.q)
        # A search of only spaces or marks folds to nothing: it matches nothing rather than everything.
        conditions.append(condition if condition is not None else false())
    return stmt.where(*conditions) if conditions else stmt


def _stage_order():
    return case({stage: index for index, stage in enumerate(STAGES)}, value=PortfolioProject.stage, else_=len(STAGES))


def ordered(stmt: Select, sort: str) -> Select:
    """Sort by one of SORTS; the id breaks ties so that pages never overlap or skip a project."""
    project = PortfolioProject
    orders = {
        "newest": (project.created_at.desc(), project.id.desc()),
        "updated": (project.updated_at.desc(), project.id.desc()),
        "title": (func.lower(project.title), project.title, project.id),
        "stage": (_stage_order(), func.lower(project.title), project.id),
    }
    return stmt.order_by(*orders.get(sort, orders[DEFAULT_SORT]))


def catalogue(filters: Filters) -> tuple[list[Card], int]:
    """One page of the catalogue and the number of matching projects: five queries in all."""
    stmt = filtered(filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    offset = (filters.page - 1) * filters.per_page
    projects = db.session.scalars(ordered(stmt, filters.sort).limit(filters.per_page).offset(offset)).all()
    return cards(projects), total


def cards(projects: list[PortfolioProject]) -> list[Card]:
    """Progress, followers and funding programmes of these projects, in three batch queries."""
    ids = [p.id for p in projects]
    if not ids:
        return []
    milestone_counts = {row[0]: (row[1], row[2] or 0) for row in db.session.execute(
        select(Milestone.project_id, func.count(), func.sum(case((Milestone.done.is_(True), 1), else_=0)))
        .where(Milestone.project_id.in_(ids)).group_by(Milestone.project_id))}
    followers = dict(db.session.execute(
        select(Follow.project_id, func.count()).where(Follow.project_id.in_(ids)).group_by(Follow.project_id)).all())
    programmes: dict[int, list[str]] = {}
    for project_id, programme in db.session.execute(
            select(FundingSource.project_id, FundingSource.programme).where(FundingSource.project_id.in_(ids))
            .order_by(FundingSource.project_id, FundingSource.id)):
        if programme not in programmes.setdefault(project_id, []):
            programmes[project_id].append(programme)
    result = []
    for project in projects:
        count, done = milestone_counts.get(project.id, (0, 0))
        states = [rules.MilestoneState(done=i < done) for i in range(count)]
        result.append(Card(project, rules.progress(states), followers.get(project.id, 0),
                           programmes.get(project.id, [])))
    return result


def _distinct(column) -> list[str]:
    values = db.session.scalars(select(column).where(column != "").distinct()).all()
    return sorted(values, key=lambda v: (rules.fold(v), v))


def filter_options() -> dict[str, list[str]]:
    """The values a visitor can pick in the filter form: those the catalogue holds (four queries)."""
    themes: dict[str, str] = {}
    for project_themes in db.session.scalars(select(PortfolioProject.themes)):
        for theme in project_themes or []:
            themes.setdefault(theme, theme)
    return {"themes": sorted(themes, key=lambda v: (rules.fold(v), v)),
            "organisations": _distinct(PortfolioProject.organisation),
            "locations": _distinct(PortfolioProject.location),
            "programmes": _distinct(FundingSource.programme)}


@dataclass
class Pipeline:
    """How many projects are at each stage, overall and by theme (a project counts once per theme)."""

    stages: tuple[str, ...]
    totals: dict[str, int]
    themes: list[tuple[str | None, dict[str, int]]]  # (theme, or None for "no theme"; counts per stage)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def pipeline(filters: Filters) -> Pipeline:
    """Counts by stage and theme of the projects matching ``filters`` (one query)."""
    totals = {stage: 0 for stage in STAGES}
    by_theme: dict[str, dict[str, int]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for stage, themes in db.session.execute(
            filtered(filters).with_only_columns(PortfolioProject.stage, PortfolioProject.themes)):
        if stage not in totals:
            continue
        totals[stage] += 1
        # Themes differing only in case or accents are one theme here.
        keys = {rules.fold(t): t for t in (themes or [])}
        for key, theme in (keys.items() if keys else [("", None)]):
            if theme is not None:
                spellings.setdefault(key, {}).setdefault(theme, 0)
                spellings[key][theme] += 1
            by_theme.setdefault(key, {s: 0 for s in STAGES})[stage] += 1
    rows = sorted(by_theme.items(), key=lambda item: (item[0] == "", -sum(item[1].values()), item[0]))
    return Pipeline(STAGES, totals, [(_theme_name(spellings.get(key)), counts) for key, counts in rows])


def _theme_name(spellings: dict[str, int] | None) -> str | None:
    """The name a theme is shown by, whatever order the rows came in: its most used spelling, and
    among equals one written with capitals or accents (the folded form is how nobody writes it)."""
    if not spellings:
        return None
    return max(spellings, key=lambda s: (spellings[s], s != rules.fold(s), s))


def located(filters: Filters) -> tuple[list[PortfolioProject], int]:
    """The matching projects that have coordinates, by place, and how many matching ones have none."""
    stmt = filtered(filters)
    has_point = and_(PortfolioProject.latitude.is_not(None), PortfolioProject.longitude.is_not(None))
    projects = db.session.scalars(stmt.where(has_point).order_by(
        func.lower(PortfolioProject.location), func.lower(PortfolioProject.title), PortfolioProject.id)).all()
    without = db.session.scalar(select(func.count()).select_from(stmt.where(~has_point).subquery())) or 0
    return list(projects), without
