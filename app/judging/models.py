"""Jurors, their invitations and conflicts, assignments, reviews with their scores, safety flags."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.extensions import db


class Juror(db.Model):
    """A person on a challenge's jury, optionally limited to some tracks."""

    __tablename__ = "jurors"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Track ids this juror judges; None: every track.
    track_ids: Mapped[list[int] | None] = mapped_column(JSON)
    added_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (UniqueConstraint("challenge_id", "user_id", name="uq_jurors_challenge_user"),)


class JurorInvitation(db.Model):
    """A juror invited by an address that has no account yet; the role applies on registration."""

    __tablename__ = "juror_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    email_key: Mapped[str] = mapped_column(String(320), index=True)
    track_ids: Mapped[list[int] | None] = mapped_column(JSON)
    invited_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("challenge_id", "email_key", name="uq_juror_invitations_address"),)


class Conflict(db.Model):
    """A conflict of interest declared by a juror or recorded by an organiser.

    Automatic conflicts (same organisation, membership of the team) are computed, never stored.
    """

    __tablename__ = "conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    juror_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("juror_user_id", "team_id", name="uq_conflicts_pair"),
        CheckConstraint("source IN ('declared', 'organiser')", name="source"),
    )


class Assignment(db.Model):
    """One juror asked to review one idea in one round."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    juror_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("idea_id", "juror_user_id", "round", name="uq_assignments_review"),)


class Review(db.Model):
    """A juror's scores for one idea in one round, with a comment for the team and a private note."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    juror_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    comment: Mapped[str] = mapped_column(Text, default="")
    private_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    scores: Mapped[list[CriterionScore]] = relationship(back_populates="review", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("idea_id", "juror_user_id", "round", name="uq_reviews_one_per_juror"),)


class CriterionScore(db.Model):
    __tablename__ = "criterion_scores"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="scores")


class SafetyFlag(db.Model):
    """A patient-safety or data-protection concern raised by a juror; blocks publication until cleared."""

    __tablename__ = "safety_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default="patient_safety")
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cleared_at: Mapped[dt.datetime | None]
    clearing_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("kind IN ('patient_safety', 'data_protection')", name="kind"),
        Index("ix_safety_flags_open", "challenge_id", "cleared"),
    )
