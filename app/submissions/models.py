"""Ideas (one per team per challenge), their revisions and attachments."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.extensions import db

IDEA_STATUSES = ("draft", "submitted", "withdrawn", "not_retained")


class Idea(db.Model):
    __tablename__ = "ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    beneficiaries: Mapped[str] = mapped_column(Text, default="")
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    budget_requested: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    round: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    submitted_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]

    team = relationship("Team")
    track = relationship("Track")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="idea", cascade="all, delete-orphan",
                                                         order_by="Attachment.id")

    __table_args__ = (
        UniqueConstraint("team_id", name="uq_ideas_one_per_team"),
        CheckConstraint(f"status IN {IDEA_STATUSES}", name="status"),
        CheckConstraint("version >= 1", name="version"),
    )

    def content(self) -> dict[str, Any]:
        """The fields a revision keeps."""
        return {"title": self.title, "summary": self.summary, "problem": self.problem,
                "solution": self.solution, "beneficiaries": self.beneficiaries, "track_id": self.track_id,
                "budget_requested": str(self.budget_requested) if self.budget_requested is not None else None,
                "links": list(self.links or [])}


class IdeaRevision(db.Model):
    """The idea as it was after each save: nothing a team writes is ever lost."""

    __tablename__ = "idea_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    __table_args__ = (UniqueConstraint("idea_id", "version", name="uq_idea_revisions_version"),)


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    # A random name under UPLOAD_DIR; the uploaded name is never used on disk.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(50))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    idea: Mapped[Idea] = relationship(back_populates="attachments")
