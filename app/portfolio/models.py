"""The public portfolio of health projects: the project and everything that tracks it, and what
citizens add to it (follows, comments with their reports, assessments)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.extensions import db

STAGES = ("idea", "incubation", "pilot", "deployed", "scaled", "stopped")
MAST_DOMAINS = ("health_problem", "safety", "clinical_effectiveness", "patient_perspectives", "economic_aspects",
                "organisational_aspects", "socio_cultural_ethical_legal")


class PortfolioProject(db.Model):
    """A health project in the city's catalogue: promoted from a challenge's entry or entered directly."""

    __tablename__ = "portfolio_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(20), default="idea")
    stopped_reason: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    location: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    programme_id: Mapped[int | None]
    # Provenance: ids stay even if the challenge is later removed, and the frozen ``origin`` keeps
    # what the entry was when it was promoted (challenge, idea, awards), whatever is edited later.
    origin_challenge_id: Mapped[int | None] = mapped_column(index=True)
    origin_idea_id: Mapped[int | None] = mapped_column(unique=True)
    origin: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Lower-case text without diacritics of the searchable fields, so "Iasi" finds "Iași".
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    version: Mapped[int] = mapped_column(default=1)

    contacts: Mapped[list[ProjectContact]] = relationship(order_by="ProjectContact.position",
                                                          cascade="all, delete-orphan")
    funding: Mapped[list[FundingSource]] = relationship(order_by="FundingSource.id", cascade="all, delete-orphan")
    milestones: Mapped[list[Milestone]] = relationship(order_by="(Milestone.planned_on, Milestone.id)",
                                                       cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"stage IN {STAGES}", name="stage"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude"),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget"),
        Index("ix_portfolio_projects_stage", "stage"),
    )


class ProjectContact(db.Model):
    """A person to contact about a project; a promoted project starts with the team members who
    agreed to be named."""

    __tablename__ = "project_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)


class FundingSource(db.Model):
    """One source of a project's money (ESF, PNRR, EU4Health, a municipal budget, …)."""

    __tablename__ = "project_funding"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"), index=True)
    programme: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (CheckConstraint("amount IS NULL OR amount >= 0", name="amount"),)


class Milestone(db.Model):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[dt.date | None] = mapped_column(Date)


class ProjectUpdate(db.Model):
    """A progress update on the project's public timeline, possibly changing its stage."""

    __tablename__ = "project_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    stage_from: Mapped[str | None] = mapped_column(String(20))
    stage_to: Mapped[str | None] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    __table_args__ = (Index("ix_project_updates_project_created", "project_id", "created_at"),)


class Indicator(db.Model):
    __tablename__ = "project_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50), default="")
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    current: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(default=0)


class IndicatorValue(db.Model):
    """Every value an indicator has had: the history is never overwritten."""

    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("project_indicators.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class Evaluation(db.Model):
    """A MAST assessment of a pilot: a finding and a rating (1–5) per domain, and transferability."""

    __tablename__ = "project_evaluations"

    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    # {domain: {"finding": str, "rating": int | None}} for the domains of MAST_DOMAINS.
    domains: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    transferability: Mapped[str] = mapped_column(Text, default="")
    evaluator: Mapped[str] = mapped_column(String(200), default="")
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ProjectEvent(db.Model):
    """A change followers hear about (stage, progress, milestone, update); digests are built from these."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)


class Follow(db.Model):
    __tablename__ = "project_follows"

    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    # The last event already mailed to this follower: each change reaches them once.
    notified_event_id: Mapped[int] = mapped_column(default=0)


class ProjectComment(db.Model):
    __tablename__ = "project_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_project_comments_project_created", "project_id", "created_at"),)


class CommentReport(db.Model):
    __tablename__ = "comment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("project_comments.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    resolved_at: Mapped[dt.datetime | None]

    __table_args__ = (UniqueConstraint("comment_id", "reporter_id", name="uq_comment_reports_once"),)


class Assessment(db.Model):
    """A citizen's short independent assessment: is it useful to me, is the progress visible (1–5)."""

    __tablename__ = "project_assessments"

    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    usefulness: Mapped[int]
    progress_visible: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    __table_args__ = (
        CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness"),
        CheckConstraint("progress_visible BETWEEN 1 AND 5", name="progress_visible"),
    )
