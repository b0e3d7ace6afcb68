"""A challenge, its tracks and weighted criteria, and who organises it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, CheckConstraint, Float, ForeignKey, Numeric, String, Text, select)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.challenges import rules
from app.core import clock
from app.extensions import db

KINDS = ("hackathon", "call")
STATUSES = ("draft", "open", "judging", "published", "archived")
RANKING_METHODS = ("calibrated", "normalized", "raw")


class Challenge(db.Model):
    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="hackathon")
    description: Mapped[str] = mapped_column(Text, default="")
    rules_text: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    prizes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    round: Mapped[int] = mapped_column(default=1)
    team_min_size: Mapped[int] = mapped_column(default=1)
    team_max_size: Mapped[int] = mapped_column(default=5)
    opens_at: Mapped[dt.datetime | None]
    submission_deadline: Mapped[dt.datetime | None]
    reviews_per_entry: Mapped[int] = mapped_column(default=3)
    blind_review: Mapped[bool] = mapped_column(Boolean, default=False)
    ranking_method: Mapped[str] = mapped_column(String(20), default="calibrated")
    budget_total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    programme_id: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    opened_at: Mapped[dt.datetime | None]
    judging_started_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    # "full": the published results show the whole ranking; "awards": only the awards.
    results_visibility: Mapped[str] = mapped_column(String(10), default="full")
    version: Mapped[int] = mapped_column(default=1)

    tracks: Mapped[list[Track]] = relationship(back_populates="challenge", order_by="Track.position",
                                               cascade="all, delete-orphan")
    criteria: Mapped[list[Criterion]] = relationship(back_populates="challenge", order_by="Criterion.position",
                                                     cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
        CheckConstraint(f"ranking_method IN {RANKING_METHODS}", name="ranking_method"),
        CheckConstraint("team_min_size >= 1 AND team_max_size >= team_min_size", name="team_sizes"),
        CheckConstraint("reviews_per_entry >= 1", name="reviews_per_entry"),
        CheckConstraint("results_visibility IN ('full', 'awards')", name="results_visibility"),
    )

    def phase(self, now: dt.datetime | None = None) -> str:
        return rules.phase(self.status, self.opens_at, self.submission_deadline, now or clock.now())

    def is_organiser(self, user: Any) -> bool:
        """Administrators organise every challenge; others when listed as its organisers."""
        if not getattr(user, "is_authenticated", False):
            return False
        if user.is_admin:
            return True
        return db.session.scalar(select(ChallengeOrganiser.user_id).where(
            ChallengeOrganiser.challenge_id == self.id, ChallengeOrganiser.user_id == user.id)) is not None

    def can_view(self, user: Any) -> bool:
        """Drafts are seen only by their organisers; every other status is public."""
        return self.status != "draft" or self.is_organiser(user)


class Track(db.Model):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    challenge: Mapped[Challenge] = relationship(back_populates="tracks")


class Criterion(db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=5)
    # One descriptive anchor per level, lowest first (may be empty).
    anchors: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    challenge: Mapped[Challenge] = relationship(back_populates="criteria")

    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("scale_max > scale_min", name="scale"),
    )


class ChallengeOrganiser(db.Model):
    __tablename__ = "challenge_organisers"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
