"""Every write about accounts. Each function states the rule it enforces and commits once."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.accounts import rules
from app.accounts.links import (CONFIRM_MAX_AGE, RESET_MAX_AGE, make_confirm_token, make_reset_token,
                                password_fingerprint, read_token)
from app.accounts.models import ApiToken, LoginSession, PendingSignIn, User
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.signals import user_registered
from app.config import SUPPORTED_LOCALES
from app.core import clock, ratelimit
from app.core.db import begin_write
from app.core.errors import Forbidden, NotFound, Unauthorised, ValidationFailed
from app.core.outbox import external_url, queue_mail_to_user
from app.extensions import db

SESSION_IDLE = dt.timedelta(days=3)
SESSION_REMEMBER = dt.timedelta(days=30)
LOGIN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"
LOGIN_FAILURES_PER_ADDRESS = "100 per 15 minutes"
RESETS_PER_ACCOUNT = "5 per hour"
REGISTRATIONS_PER_ADDRESS = "200 per hour"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_error(password: str, email: str = "", name: str = "") -> str | None:
    problem = rules.password_problem(password, email=email, name=name)
    return {
        None: None,
        "too_short": _("Use at least %(n)d characters.", n=rules.MIN_PASSWORD_LENGTH),
        "too_long": _("Use at most %(n)d characters.", n=rules.MAX_PASSWORD_LENGTH),
        "common": _("This password is too common. Choose one that is harder to guess."),
        "personal": _("Do not use your name or e-mail address as a password."),
    }[problem]


def _check_registration(email: str, password: str, name: str, organisation: str,
                        locale: str, accept_privacy: bool) -> None:
    fields: dict[str, str] = {}
    if rules.email_problem(email):
        fields["email"] = _("Enter a valid e-mail address, like name@example.org.")
    if problem := password_error(password, email, name):
        fields["password"] = problem
    if not name.strip():
        fields["name"] = _("Enter your name.")
    elif len(name) > 200:
        fields["name"] = _("At most %(n)s characters.", n=200)
    if len(organisation) > 200:
        fields["organisation"] = _("At most %(n)s characters.", n=200)
    if locale not in SUPPORTED_LOCALES:
        fields["locale"] = _("Choose one of the offered languages.")
    if accept_privacy is not True:
        fields["accept_privacy"] = _("You need to accept the privacy notice to create an account.")
    if fields:
        raise ValidationFailed(fields=fields)


def register_user(*, email: str, password: str, name: str, organisation: str = "",
                  locale: str = "en", accept_privacy: bool = False, client_address: str | None = None) -> None:
    """Create an account, or mail the owner of an existing one; never reveal which happened.

    Addresses are compared case-insensitively. A new account must confirm its address when
    REQUIRE_EMAIL_CONFIRMATION is on. The password is hashed in both branches so the answer
    takes the same time. At most 200 requests an hour from one client address (429 beyond).
    """
    if client_address is not None:
        ratelimit.check(REGISTRATIONS_PER_ADDRESS, "register", client_address,
                        message=_("Too many accounts were registered from your network in the last hour. "
                                  "Please try again later."))
        ratelimit.hit(REGISTRATIONS_PER_ADDRESS, "register", client_address)
    organisation = organisation or ""
    _check_registration(email, password, name, organisation, locale, accept_privacy)
    password_hash = hash_password(password)
    key = rules.email_key(email)
    begin_write(db.session)
    existing = db.session.scalar(select(User).where(User.email_key == key))
    if existing is not None:
        if existing.is_active:
            queue_mail_to_user(existing, "already_registered",
                               login_url=external_url("accounts.login"),
                               reset_url=external_url("accounts.reset_request"))
        db.session.commit()
        return
    now = clock.now()
    user = User(email=email.strip(), email_key=key, password_hash=password_hash, name=name.strip(),
                organisation=organisation.strip(), locale=locale, privacy_accepted_at=now,
                created_at=now, password_changed_at=now)
    if not current_app.config["REQUIRE_EMAIL_CONFIRMATION"]:
        user.confirmed_at = now
    db.session.add(user)
    db.session.flush()
    if user.confirmed_at is None:
        _queue_confirmation(user)
    user_registered.send(current_app._get_current_object(), user=user)
    db.session.commit()


def _queue_confirmation(user: User) -> None:
    queue_mail_to_user(user, "confirm_email",
                       confirm_url=external_url("accounts.confirm", token=make_confirm_token(user)))


def resend_confirmation(email: str) -> None:
    """Send a new confirmation link to an unconfirmed account; silent for every other address."""
    user = db.session.scalar(select(User).where(User.email_key == rules.email_key(email)))
    if user is not None and user.is_active and not user.is_confirmed:
        _queue_confirmation(user)
        db.session.commit()


def confirm_email(token: str) -> User:
    """Confirm the address a link was sent to; an old, altered or foreign link is refused."""
    payload = read_token("confirm", token, CONFIRM_MAX_AGE)
    user = db.session.get(User, payload["uid"]) if payload else None
    if user is None or not user.is_active or user.email_key != payload.get("email"):
        raise NotFound(_("This confirmation link is not valid or has expired. Sign in to get a new one."))
    if user.confirmed_at is None:
        user.confirmed_at = clock.now()
        db.session.commit()
    return user


def check_account_not_locked(key: str) -> None:
    """Refuse (429) every sign-in step of an account with too many recent failures."""
    ratelimit.check(LOGIN_FAILURES_PER_ACCOUNT, "login-account", key,
                    message=_("Too many failed sign-ins for this account. Try again in 15 minutes."))


def count_failed_sign_in(key: str) -> None:
    """A wrong password or a wrong second-step code: both count towards the same account lock."""
    ratelimit.hit(LOGIN_FAILURES_PER_ACCOUNT, "login-account", key)


def authenticate(email: str, password: str, client_address: str) -> User:
    """The account for these credentials, counting failures.

    From the 11th failure for an account, or the 101st from one address, within 15 minutes,
    every attempt is refused (429) — the right password too. Successful sign-ins are never
    limited per address: a venue of 200 people shares one. Unknown addresses and wrong
    passwords get the same answer, after the same work.
    """
    key = rules.email_key(email)
    check_account_not_locked(key)
    ratelimit.check(LOGIN_FAILURES_PER_ADDRESS, "login-address", client_address,
                    message=_("Too many failed sign-ins from your network. Try again in 15 minutes."))
    user = db.session.scalar(select(User).where(User.email_key == key, User.erased_at.is_(None)))
    if not verify_password(user.password_hash if user else None, password):
        count_failed_sign_in(key)
        ratelimit.hit(LOGIN_FAILURES_PER_ADDRESS, "login-address", client_address)
        raise Unauthorised(_("The e-mail address or password is not right."), code="invalid_credentials")
    assert user is not None  # nosec B101 - narrows the type: no account never verifies
    if current_app.config["REQUIRE_EMAIL_CONFIRMATION"] and not user.is_confirmed:
        raise Forbidden(_("Confirm your e-mail address first: we sent you a link when you registered."),
                        code="email_not_confirmed")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def start_login_session(user: User, *, remember: bool, user_agent: str = "") -> str:
    """Open a server-side session for one browser; its token is what the cookie carries."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    # The header is whatever the client sent; a control character (NUL) cannot even be stored.
    user_agent = "".join(ch for ch in user_agent if ch.isprintable())[:200]
    db.session.add(LoginSession(user_id=user.id, token_hash=_digest(token), remember=remember,
                                created_at=now, last_seen_at=now, user_agent=user_agent,
                                expires_at=now + (SESSION_REMEMBER if remember else SESSION_IDLE)))
    db.session.commit()
    user.login_token = token
    return token


def _bookkeeping_write(statement: Any) -> None:
    """A small write made while loading the caller (last use of a token or session), in a write
    transaction of its own: on SQLite the request's read transaction cannot become a write one
    while others write (it fails at once, whatever the busy timeout), so under load every such
    request would answer 503. Starting afresh, it waits its turn like any other write."""
    begin_write(db.session)
    db.session.execute(statement)
    db.session.commit()


def load_login_session(token: str) -> User | None:
    """The user of a live session, or None once it was ended, expired or its account erased."""
    now = clock.now()
    row = db.session.execute(
        select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == _digest(token), LoginSession.expires_at > now,
               User.erased_at.is_(None))).first()
    if row is None:
        return None
    login, user = row
    if not login.remember and now - login.last_seen_at > dt.timedelta(minutes=10):
        # Idle sessions slide forward, at most one write per ten minutes.
        _bookkeeping_write(update(LoginSession).where(LoginSession.id == login.id)
                           .values(last_seen_at=now, expires_at=now + SESSION_IDLE))
    user.login_token = token
    user.current_login = login
    return user


def end_login_session(user: User) -> None:
    """Sign out this browser: its session row goes, so a replayed cookie is refused."""
    if user.login_token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(user.login_token)))
        db.session.commit()


def end_all_sessions(user: User) -> None:
    """Sign out every browser of this account, this one included (and sign-ins awaiting a code)."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(PendingSignIn).where(PendingSignIn.user_id == user.id))
    db.session.commit()


def invalidate_credentials(user: User) -> None:
    """End every way in but the password itself: sessions, pending second steps, API tokens
    (when the password changes, and at erasure). The caller commits."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(PendingSignIn).where(PendingSignIn.user_id == user.id))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password after checking the current one; ends every session and API token."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(fields={"current_password": _("Your current password is not right.")})
    if problem := password_error(new_password, user.email, user.name):
        raise ValidationFailed(fields={"new_password": problem})
    user.password_hash = hash_password(new_password)
    user.password_changed_at = clock.now()
    invalidate_credentials(user)
    queue_mail_to_user(user, "password_changed", reset_url=external_url("accounts.reset_request"))
    db.session.commit()


def request_password_reset(email: str) -> None:
    """Mail a one-hour, single-use reset link if the address has an account; at most 5 an hour.

    The answer is the same for every address, so nobody learns who has an account.
    """
    key = rules.email_key(email)
    ratelimit.check(RESETS_PER_ACCOUNT, "reset", key,
                    message=_("Too many reset requests for this address. Try again in an hour."))
    ratelimit.hit(RESETS_PER_ACCOUNT, "reset", key)
    user = db.session.scalar(select(User).where(User.email_key == key, User.erased_at.is_(None)))
    if user is not None:
        queue_mail_to_user(user, "reset_password",
                           reset_url=external_url("accounts.reset_password", token=make_reset_token(user)))
        db.session.commit()


def user_for_reset_token(token: str) -> User:
    payload = read_token("reset", token, RESET_MAX_AGE)
    user = db.session.get(User, payload["uid"]) if payload else None
    if user is None or not user.is_active or payload.get("fp") != password_fingerprint(user.password_hash):
        raise NotFound(_("This reset link is not valid any more. Links work once, for one hour."))
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a password from a reset link; the link dies with the old password, as do all sessions."""
    user = user_for_reset_token(token)
    if problem := password_error(new_password, user.email, user.name):
        raise ValidationFailed(fields={"password": problem})
    user.password_hash = hash_password(new_password)
    user.password_changed_at = clock.now()
    # Following the link proves the address too.
    user.confirmed_at = user.confirmed_at or clock.now()
    invalidate_credentials(user)
    db.session.commit()
    return user


def update_profile(user: User, *, name: str, organisation: str, locale: str, timezone: str | None) -> None:
    """Change what the account says about its owner; the address itself stays as confirmed."""
    from app.core.i18n import valid_timezone

    fields: dict[str, str] = {}
    if not name.strip():
        fields["name"] = _("Enter your name.")
    if locale not in SUPPORTED_LOCALES:
        fields["locale"] = _("Choose one of the offered languages.")
    if timezone and not valid_timezone(timezone):
        fields["timezone"] = _("Choose a time zone from the list.")
    if fields:
        raise ValidationFailed(fields=fields)
    user.name, user.organisation = name.strip(), organisation.strip()
    user.locale, user.timezone = locale, timezone or None
    db.session.commit()


def create_api_token(user: User, label: str = "", days: int | None = None) -> tuple[str, ApiToken]:
    """Issue a bearer token; only its hash is kept, so it is shown once."""
    raw = "sal_" + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=user.id, token_hash=_digest(raw), label=label.strip()[:100], prefix=raw[:10],
                     created_at=now,
                     expires_at=now + dt.timedelta(days=days or current_app.config["API_TOKEN_DAYS"]))
    db.session.add(token)
    db.session.commit()
    return raw, token


def user_for_token(raw: str) -> User | None:
    """The owner of a usable token (not expired, not revoked, account not erased), else None."""
    now = clock.now()
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(raw), User.erased_at.is_(None))).first()
    if row is None or not row[0].is_usable(now):
        return None
    token, user = row
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        _bookkeeping_write(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return user


def revoke_token(raw: str) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.token_hash == _digest(raw), ApiToken.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))
    db.session.commit()


def revoke_token_by_id(user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; someone else's token is 'not found'."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    token.revoked_at = token.revoked_at or clock.now()
    db.session.commit()


def create_admin(*, email: str, password: str, name: str) -> User:
    """Create an administrator, or make an existing account one (with this password)."""
    if rules.email_problem(email):
        raise ValidationFailed(fields={"email": _("Enter a valid e-mail address, like name@example.org.")})
    if problem := password_error(password, email, name):
        raise ValidationFailed(fields={"password": problem})
    key = rules.email_key(email)
    now = clock.now()
    user = db.session.scalar(select(User).where(User.email_key == key))
    if user is None:
        user = User(email=email.strip(), email_key=key, name=name.strip(), organisation="",
                    created_at=now, privacy_accepted_at=now, password_hash="")  # nosec B106 - set just below
        db.session.add(user)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.is_admin = True
    user.confirmed_at = user.confirmed_at or now
    db.session.commit()
    return user
