"""Teams, their members, and people looking for a team."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.extensions import db


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Names are unique per challenge whatever their case and spacing.
    name_key: Mapped[str] = mapped_column(String(200))
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    looking_for_members: Mapped[bool] = mapped_column(Boolean, default=False)
    looking_for: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    # A later personal deadline granted by an organiser (the reason is in the audit trail).
    deadline_exception: Mapped[dt.datetime | None]
    deadline_exception_reason: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan",
                                                     order_by="TeamMember.joined_at")

    __table_args__ = (UniqueConstraint("challenge_id", "name_key", name="uq_teams_challenge_name"),)

    def member(self, user: Any) -> TeamMember | None:
        user_id = getattr(user, "id", None)
        return next((m for m in self.members if m.user_id == user_id), None)

    def is_member(self, user: Any) -> bool:
        return self.member(user) is not None

    def is_captain(self, user: Any) -> bool:
        member = self.member(user)
        return member is not None and member.role == "captain"

    @property
    def captain(self) -> TeamMember | None:
        return next((m for m in self.members if m.role == "captain"), None)


class TeamMember(db.Model):
    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Repeated from the team so the database itself enforces one team per person per challenge.
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default="member")
    joined_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    # Whether the member agrees to be named publicly (results, portfolio contacts).
    show_name: Mapped[bool] = mapped_column(Boolean, default=True)

    team: Mapped[Team] = relationship(back_populates="members")
    user = relationship("User")

    __table_args__ = (
        UniqueConstraint("challenge_id", "user_id", name="uq_team_members_one_team_per_challenge"),
        CheckConstraint("role IN ('captain', 'member')", name="role"),
    )


class TeamSeeker(db.Model):
    """A participant without a team, saying what they bring and what they look for."""

    __tablename__ = "team_seekers"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skills: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    user = relationship("User")

    __table_args__ = (UniqueConstraint("challenge_id", "user_id", name="uq_team_seekers_pair"),)
