"""Awards, the published results, public votes and announcements."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.extensions import db

AWARD_SOURCES = ("organiser", "funding", "peoples_choice")
VISIBILITIES = ("full", "awards")
VOTE_STATUSES = ("open", "closed")
AUDIENCES = ("registered", "without_team", "not_submitted", "submitted", "track", "winners", "pending_jurors")


class Award(db.Model):
    """A named prize (optionally with an amount) given to one entry; an entry may win several."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    position: Mapped[int] = mapped_column(default=0)
    # Where the award came from: typed by an organiser, a funding proposal, or the public vote.
    source: Mapped[str] = mapped_column(String(20), default="organiser")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount"),
        CheckConstraint(f"source IN {AWARD_SOURCES}", name="source"),
    )


class Publication(db.Model):
    """The results as published, frozen: the page, the downloads and the digest always come from here,
    so what the city saw on the day can be checked later byte for byte."""

    __tablename__ = "publications"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    published_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(10), default="full")
    # The two arrays of the contract exactly as answered (``ranking`` is [] when only awards are shown).
    awards: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    digest: Mapped[str] = mapped_column(String(64))
    # Every ranked entry's rank and score, public or not: each team's own mail and feedback use it.
    full_ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (CheckConstraint(f"visibility IN {VISIBILITIES}", name="visibility"),)


class PeoplesChoice(db.Model):
    """The settings and state of a challenge's public vote."""

    __tablename__ = "peoples_choice"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    votes_per_person: Mapped[int] = mapped_column(default=3)
    # Lower-case e-mail domains allowed to vote (e.g. ["iasi.ro"]); empty: every confirmed account.
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    opened_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None]

    __table_args__ = (
        CheckConstraint(f"status IN {VOTE_STATUSES}", name="status"),
        CheckConstraint("votes_per_person >= 1", name="votes_per_person"),
    )


class Vote(db.Model):
    """One confirmed account's vote for one entry."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    __table_args__ = (
        UniqueConstraint("idea_id", "user_id", name="uq_votes_one_per_entry"),
        Index("ix_votes_challenge_user", "challenge_id", "user_id"),
    )


class Announcement(db.Model):
    """A message an organiser sent to an audience of a challenge (each recipient gets a mail)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (CheckConstraint(f"audience IN {AUDIENCES}", name="audience"),)
