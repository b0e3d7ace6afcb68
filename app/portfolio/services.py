"""Projects of the portfolio: entering a local initiative, editing a project, and the project as
the API answers it. Promotion of a challenge's entry lives in ``promotion.py`` and is reached
through :func:`promote_idea` here, so every feature calls one module.

Rules every write keeps:
- a project's reference code (``SH-<year>-<NNN>``) is given once, in order within its year, under
  a lock taken before the highest code is read, so two projects entered at the same moment never
  share or skip a number (the unique column is the last line of defence: one retry);
- ``search_text`` is rebuilt from the searchable fields on every write;
- ``origin`` and the ``origin_*`` ids are written once, at promotion, and no edit touches them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Mapping

from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.core import audit, clock
from app.core.db import begin_write
from app.core.errors import Conflict, DomainError
from app.extensions import db
from app.portfolio import rules
from app.portfolio.access import require_admin, require_editor
from app.portfolio.models import Follow, FundingSource, PortfolioProject, ProjectUpdate
from app.portfolio.project_rules import clean_project

# Any constant works: it names the one advisory lock that serialises reference numbering on PostgreSQL.
REFERENCE_LOCK_KEY = 7_420_014
SCALARS = ("title", "summary", "description", "organisation", "stage", "stopped_reason", "themes", "partners",
           "budget", "currency", "starts_on", "ends_on", "contact_name", "contact_email", "website", "programme_id")
LOCATION = ("location", "latitude", "longitude")
SUBJECT = "portfolio_project"  # how the audit trail names a project, as every portfolio write does


# --- reference codes and search text --------------------------------------------------------

def lock_numbering() -> None:
    """Open the write transaction in which a new reference code is chosen and stored.

    SQLite's BEGIN IMMEDIATE already admits one writer at a time; PostgreSQL gets a transaction
    advisory lock, released at commit or rollback, because there is no row yet to lock.
    """
    begin_write(db.session)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFERENCE_LOCK_KEY})


def next_reference(year: int) -> str:
    """The next code of ``year``; call it under :func:`lock_numbering`."""
    prefix = f"{rules.REFERENCE_PREFIX}-{year:04d}-"
    codes = db.session.scalars(select(PortfolioProject.reference)
                               .where(PortfolioProject.reference.like(prefix + "%"))).all()
    return rules.reference(year, rules.next_reference_number(codes, year))


def refresh_search_text(project: PortfolioProject) -> None:
    """Fold the searchable fields into ``search_text`` (diacritics removed, lower case)."""
    project.search_text = rules.search_text(
        project.title, project.summary, project.description, project.organisation, project.themes or [],
        project.partners or [], project.location, project.reference, [f.programme for f in project.funding])


def insert_project(build: Callable[[], PortfolioProject], after: Callable[[PortfolioProject], None],
                   duplicate: Callable[[], DomainError | None] | None = None) -> PortfolioProject:
    """Store a new project with the next reference code, in one transaction.

    ``build`` makes the project (and may refuse) once the numbering lock is held; ``after`` adds
    what needs its id (audit, contacts, follows). When the unique columns still refuse the row,
    ``duplicate`` says whether that is a refusal to report (e.g. an entry promoted twice);
    otherwise the code was taken by a writer that slipped past the lock and the insert is tried once more.
    """
    for attempt in (1, 2):
        lock_numbering()
        try:
            project = build()
        except DomainError:
            db.session.rollback()  # a refusal releases the lock at once
            raise
        project.reference = next_reference(project.created_at.year)
        refresh_search_text(project)
        db.session.add(project)
        try:
            db.session.flush()
            after(project)
            db.session.commit()
            return project
        except IntegrityError:
            db.session.rollback()
            if duplicate is not None and (error := duplicate()) is not None:
                raise error from None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --- writing fields -------------------------------------------------------------------------

def _funding_rows(project: PortfolioProject) -> list[dict[str, Any]]:
    return [{"programme": f.programme, "amount": f.amount, "currency": f.currency, "starts_on": f.starts_on,
             "ends_on": f.ends_on} for f in project.funding]


def current_values(project: PortfolioProject) -> dict[str, Any]:
    """The stored values the cross-field rules judge a change against."""
    return {name: getattr(project, name) for name in SCALARS}


def _apply(project: PortfolioProject, clean: Mapping[str, Any]) -> list[str]:
    """Write the cleaned values; answer the names (as the API spells them) of what changed."""
    changed: list[str] = []
    for name in SCALARS:
        if name in clean and getattr(project, name) != clean[name]:
            setattr(project, name, clean[name])
            changed.append(name)
    if any(name in clean for name in LOCATION):
        before = tuple(getattr(project, name) for name in LOCATION)
        for name in LOCATION:
            setattr(project, name, clean.get(name))
        if tuple(getattr(project, name) for name in LOCATION) != before:
            changed.append("location")
    if "funding_sources" in clean and clean["funding_sources"] != _funding_rows(project):
        project.funding = [FundingSource(**source) for source in clean["funding_sources"]]
        changed.append("funding_sources")
    return changed


def create_project(actor: Any, data: Mapping[str, Any]) -> PortfolioProject:
    """Enter a local initiative (administrators only: 401/403); 422 with ``fields`` for bad values."""
    require_admin(actor)
    clean = clean_project(data)

    def build() -> PortfolioProject:
        now = clock.now()
        project = PortfolioProject(created_at=now, updated_at=now, created_by_id=actor.id, version=1,
                                   themes=[], partners=[], stopped_reason="", currency="EUR")
        _apply(project, clean)
        return project

    def after(project: PortfolioProject) -> None:
        audit.record("project.created", actor=actor, subject_type=SUBJECT, subject_id=project.id,
                     reference=project.reference, title=project.title, stage=project.stage)

    return insert_project(build, after)


def locked_project(project: PortfolioProject) -> PortfolioProject:
    """Start the write transaction and re-read the project under its row lock."""
    project_id = project.id
    begin_write(db.session)
    return db.session.scalars(select(PortfolioProject).where(PortfolioProject.id == project_id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def update_project(project: PortfolioProject, actor: Any, data: Mapping[str, Any],
                   version: int | None = None) -> PortfolioProject:
    """Change a project's fields (editors only: 401/403). A stale ``version`` answers 409
    ``version_conflict`` and changes nothing; bad values 422. A change of stage is told on the
    timeline as an update and to followers as an event; stopping needs a reason. The origin is
    never touched. Only a real change counts: it raises the version and is audited with its fields."""
    require_editor(project, actor)
    project = locked_project(project)
    try:
        if version is not None and version != project.version:
            raise Conflict(_("Someone else changed this project since you opened it. Reload it to see their "
                             "changes."), code="version_conflict")
        clean = dict(clean_project(data, current_values(project)))
    except DomainError:
        db.session.rollback()  # a refusal releases the row lock at once
        raise
    old_stage, old_version = project.stage, project.version
    new_stage = clean.pop("stage", old_stage)
    reason = clean.pop("stopped_reason", None)
    changed = _apply(project, clean)
    if new_stage != old_stage:
        _change_stage(project, actor, new_stage, project.stopped_reason if reason is None else reason)
        changed.append("stage")
    elif new_stage == "stopped" and reason is not None and reason != project.stopped_reason:
        project.stopped_reason = reason
        changed.append("stopped_reason")
    if changed:
        project.version = old_version + 1
        project.updated_at = clock.now()
        refresh_search_text(project)
        audit.record("project.updated", actor=actor, subject_type=SUBJECT, subject_id=project.id,
                     challenge_id=project.origin_challenge_id, changed=changed, version=project.version)
    db.session.commit()
    return project


def _change_stage(project: PortfolioProject, actor: Any, new_stage: str, reason: str) -> None:
    """A stage changed by editing takes the same path as an update that changes it: a timeline
    entry "Stage changed" and the events followers hear about (the lifecycle's rule)."""
    from app.portfolio.lifecycle import record_stage_change

    record_stage_change(project, actor, new_stage, reason)


def promote_idea(idea: Any, actor: Any, stage: str | None = None) -> PortfolioProject:
    """Promote a published challenge's entry into the portfolio (see ``promotion.promote``)."""
    from app.portfolio.promotion import promote

    return promote(idea, actor, stage)


# --- reading --------------------------------------------------------------------------------

def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Any) -> float | None:
    return None if value is None else float(value)


def project_progress(project: PortfolioProject) -> int | None:
    return rules.progress([rules.MilestoneState(m.done, m.planned_on) for m in project.milestones])


def project_json(project: PortfolioProject) -> dict[str, Any]:
    """The project as the contract answers it (public: contacts are names only)."""
    return {
        "id": project.id, "reference": project.reference, "title": project.title, "summary": project.summary,
        "description": project.description, "organisation": project.organisation, "stage": project.stage,
        "stopped_reason": project.stopped_reason or None, "themes": list(project.themes or []),
        "partners": list(project.partners or []),
        "funding_sources": [{"programme": f.programme, "amount": _money(f.amount), "currency": f.currency,
                             "starts_on": _day(f.starts_on), "ends_on": _day(f.ends_on)} for f in project.funding],
        "budget": _money(project.budget), "currency": project.currency,
        "location": {"name": project.location, "latitude": project.latitude, "longitude": project.longitude},
        "starts_on": _day(project.starts_on), "ends_on": _day(project.ends_on),
        "contact": {"name": project.contact_name, "email": project.contact_email},
        "contacts": [{"name": c.name, "role": c.role} for c in project.contacts],
        "website": project.website, "programme_id": project.programme_id,
        "origin": dict(project.origin) if project.origin else None,
        "progress": project_progress(project),
        "created_at": project.created_at.isoformat(), "updated_at": project.updated_at.isoformat(),
        "version": project.version,
    }


def followers_count(project: PortfolioProject) -> int:
    return db.session.scalar(select(func.count()).select_from(Follow).where(Follow.project_id == project.id)) or 0


def updates_json(project: PortfolioProject) -> list[dict[str, Any]]:
    """The project's timeline, newest first."""
    rows = db.session.scalars(select(ProjectUpdate).where(ProjectUpdate.project_id == project.id)
                              .order_by(ProjectUpdate.created_at.desc(), ProjectUpdate.id.desc()))
    return [{"id": u.id, "title": u.title, "body": u.body, "stage_from": u.stage_from, "stage_to": u.stage_to,
             "created_at": u.created_at.isoformat()} for u in rows]
