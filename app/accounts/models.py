"""People and how they prove who they are: accounts, sign-in sessions and API tokens."""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.extensions import db

DELETED_NAME = "deleted user"


class User(UserMixin, db.Model):
    """An account. Global role: administrator; per-challenge roles live with their features."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    # Lower-cased, trimmed: the address compared for uniqueness and sign-in.
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    confirmed_at: Mapped[dt.datetime | None]
    privacy_accepted_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    erased_at: Mapped[dt.datetime | None]
    login_sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)
    two_step: Mapped[TwoStepCredential | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)

    # Set for the request by the session loader; Flask-Login stores it in the cookie.
    current_login = None  # the LoginSession of this request
    login_token = None  # the raw session token, known only during the request

    def get_id(self) -> str | None:
        return self.login_token

    @property
    def is_active(self) -> bool:
        return self.erased_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def two_step_enabled(self) -> bool:
        return self.two_step is not None and self.two_step.enabled_at is not None

    @property
    def display_name(self) -> str:
        """The name shown on pages; an erased account reads "deleted user" in the reader's language."""
        if self.erased_at is None:
            return self.name
        from flask_babel import gettext

        return gettext("deleted user")

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class LoginSession(db.Model):
    """One signed-in browser. Deleting or expiring the row ends that session on the server."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[dt.datetime]
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(back_populates="login_sessions")


class ApiToken(db.Model):
    """A bearer token for the JSON API, kept only as a SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    # The first characters, so people can tell their tokens apart on the account page.
    prefix: Mapped[str] = mapped_column(String(12), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="api_tokens")

    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class TwoStepCredential(db.Model):
    """The authenticator secret of an account that uses (or is setting up) two-step sign-in.

    The secret cannot be hashed (codes are computed from it), so it lives here and nowhere else:
    never exported, logged or shown again after set-up. Its own table keeps it off every page
    that loads a user. Without ``enabled_at`` the set-up is not yet confirmed.
    """

    __tablename__ = "two_step_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    enabled_at: Mapped[dt.datetime | None]
    # The last 30-second step whose code was accepted: each code works once.
    last_step: Mapped[int | None]

    def __repr__(self) -> str:
        return f"<TwoStepCredential of user {self.user_id}>"


class RecoveryCode(db.Model):
    """A one-time code that replaces the authenticator once; kept only as a SHA-256 hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    used_at: Mapped[dt.datetime | None]


class PendingSignIn(db.Model):
    """A password accepted, the second step not yet: it opens no session and serves once."""

    __tablename__ = "pending_sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[dt.datetime]


class SiteSetting(db.Model):
    """A setting administrators change on a page rather than in the configuration."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
