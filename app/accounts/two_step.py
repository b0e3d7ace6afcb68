"""Two-step sign-in: after the password, a code from an authenticator app (TOTP, RFC 6238) or one
of ten one-time recovery codes.

A password accepted for such an account opens no session: it leaves a pending sign-in, kept on
the server, valid five minutes and consumed by the first right code. Wrong codes count as failed
sign-ins for the account, so the same lock protects the password and the code.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

import pyotp
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts import rules
from app.accounts.models import ApiToken, LoginSession, PendingSignIn, RecoveryCode, TwoStepCredential, User
from app.accounts.passwords import verify_password
from app.accounts.services import (authenticate, check_account_not_locked, count_failed_sign_in,
                                   create_api_token)
from app.accounts.site_settings import role_requires_two_step, two_step_setup_required
from app.core import audit, clock
from app.core.errors import Conflict, Forbidden, NotFound, Unauthorised, ValidationFailed
from app.core.outbox import external_url, queue_mail_to_user
from app.extensions import db

ISSUER = "Salus"
PENDING_LIFETIME = dt.timedelta(minutes=5)
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are copied from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_RE = re.compile(r"[a-z0-9]{10}")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()[:40]


def _wrong_code_message() -> str:
    return _("This code is not right. Enter the newest code from your authenticator app, "
             "or one of your recovery codes.")


# --- set-up ---------------------------------------------------------------------------------

def begin_setup(user: User) -> TwoStepCredential:
    """The secret of a set-up in progress: kept until confirmed, so reloading the page keeps it."""
    credential = user.two_step
    if credential is not None and credential.enabled_at is not None:
        raise Conflict(_("Two-step sign-in is already on."), code="two_factor_already_enabled")
    if credential is None:
        credential = TwoStepCredential(user_id=user.id, secret=pyotp.random_base32(), created_at=clock.now())
        db.session.add(credential)
        try:
            db.session.commit()
        except IntegrityError:  # the same page opened twice at once: keep the first key
            db.session.rollback()
            credential = db.session.get(TwoStepCredential, user.id)
    return credential


def provisioning_uri(user: User, credential: TwoStepCredential) -> str:
    """The otpauth:// address authenticator apps read (from a link or a QR code)."""
    return pyotp.TOTP(credential.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _accept_totp(credential: TwoStepCredential, code: str) -> bool:
    """A six-digit code of the previous, current or next 30 seconds, never one already used.

    The step is recorded with a conditional update, so two requests racing with one code cannot
    both succeed.
    """
    if not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(credential.secret)
    current = totp.timecode(clock.now())
    for step in (current - 1, current, current + 1):
        if credential.last_step is not None and step <= credential.last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            taken = db.session.execute(
                update(TwoStepCredential)
                .where(TwoStepCredential.user_id == credential.user_id,
                       or_(TwoStepCredential.last_step.is_(None), TwoStepCredential.last_step < step))
                .values(last_step=step).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                set_committed_value(credential, "last_step", step)
                return True
            return False
    return False


def _accept_recovery_code(user: User, code: str) -> bool:
    if not _RECOVERY_RE.fullmatch(code):
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(f"{user.id}:{code}"),
               RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now()).execution_options(synchronize_session=False))
    return used.rowcount == 1


def accept_code(user: User, code: str) -> str | None:
    """'totp' or 'recovery' when ``code`` is right for an account with two-step sign-in on; else None."""
    credential = user.two_step
    if credential is None or credential.enabled_at is None:
        return None
    code = _normalised(code)
    if _accept_totp(credential, code):
        return "totp"
    if _accept_recovery_code(user, code):
        audit.record("account.recovery_code_used", actor=user, subject_type="user", subject_id=user.id)
        return "recovery"
    return None


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    now = clock.now()
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _char in range(10))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(f"{user.id}:{raw}"), created_at=now))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def confirm_setup(user: User, code: str) -> list[str]:
    """Turn two-step sign-in on once a code proves the app holds the secret.

    Returns ten recovery codes: only their hashes are kept, so they are shown this once.
    """
    credential = user.two_step
    if credential is None or credential.enabled_at is not None:
        raise Conflict(_("Start the set-up again from your account page."), code="two_factor_not_pending")
    if not _accept_totp(credential, _normalised(code)):
        raise ValidationFailed(fields={"code": _("This code is not right. Check that the time on your "
                                                 "phone is right, and enter the newest code.")})
    credential.enabled_at = clock.now()
    codes = _new_recovery_codes(user)
    audit.record("account.two_step_enabled", actor=user, subject_type="user", subject_id=user.id)
    queue_mail_to_user(user, "two_step_changed", enabled=True, account_url=external_url("accounts.account"))
    db.session.commit()
    return codes


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """Replace every recovery code (the old ones stop working) after a right code; a wrong one
    counts as a failed sign-in."""
    _check_not_locked(user)
    if accept_code(user, code) is None:
        _count_failure(user)
        raise ValidationFailed(fields={"code": _wrong_code_message()})
    codes = _new_recovery_codes(user)
    audit.record("account.recovery_codes_replaced", actor=user, subject_type="user", subject_id=user.id)
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(PendingSignIn).where(PendingSignIn.user_id == user.id))
    db.session.execute(delete(TwoStepCredential).where(TwoStepCredential.user_id == user.id))
    db.session.expire(user, ["two_step"])


def disable(user: User, password: str, code: str) -> None:
    """Turn two-step sign-in off with the password and a right code; not while a role requires it.

    A wrong password or code counts as a failed sign-in for the account.
    """
    if role_requires_two_step(user):
        raise Forbidden(_("Your role requires two-step sign-in: it cannot be turned off."),
                        code="two_factor_required")
    _check_not_locked(user)
    fields: dict[str, str] = {}
    if not verify_password(user.password_hash, password):
        fields["password"] = _("Your password is not right.")
    elif accept_code(user, code) is None:
        fields["code"] = _wrong_code_message()
    if fields:
        _count_failure(user)
        raise ValidationFailed(fields=fields)
    _remove(user)
    audit.record("account.two_step_disabled", actor=user, subject_type="user", subject_id=user.id)
    queue_mail_to_user(user, "two_step_changed", enabled=False, account_url=external_url("accounts.account"))
    db.session.commit()


def reset_for_operator(email: str) -> User:
    """For someone who lost both phone and recovery codes: two-step sign-in off, every session ended."""
    user = db.session.scalar(select(User).where(User.email_key == rules.email_key(email), User.erased_at.is_(None)))
    if user is None:
        raise NotFound()
    _remove(user)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    audit.record("account.two_step_reset", actor=None, subject_type="user", subject_id=user.id)
    queue_mail_to_user(user, "two_step_changed", enabled=False, account_url=external_url("accounts.account"))
    db.session.commit()
    return user


# --- signing in -----------------------------------------------------------------------------

def _check_not_locked(user: User) -> None:
    check_account_not_locked(user.email_key)


def _count_failure(user: User) -> None:
    """A refused step writes nothing, and counts towards the same lock as a wrong password."""
    db.session.rollback()
    count_failed_sign_in(user.email_key)


def _sign_in_expired() -> Unauthorised:
    return Unauthorised(_("Your sign-in took too long or was already used. Please sign in again."),
                        code="sign_in_expired")


def start_pending_sign_in(user: User, *, remember: bool) -> str:
    """Record that the password was right; the returned token leads to the code page only."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.execute(delete(PendingSignIn).where(PendingSignIn.user_id == user.id,
                                                   PendingSignIn.expires_at <= now))
    db.session.add(PendingSignIn(user_id=user.id, token_hash=_digest(token), remember=remember,
                                 created_at=now, expires_at=now + PENDING_LIFETIME))
    db.session.commit()
    return token


def pending_sign_in(token: str | None) -> tuple[PendingSignIn, User] | None:
    """The pending sign-in of this token while it lasts, else None."""
    if not token:
        return None
    row = db.session.execute(
        select(PendingSignIn, User).join(User, User.id == PendingSignIn.user_id)
        .where(PendingSignIn.token_hash == _digest(token), PendingSignIn.expires_at > clock.now(),
               User.erased_at.is_(None))).first()
    return (row[0], row[1]) if row else None


def complete_sign_in(token: str | None, code: str) -> tuple[User, bool]:
    """The user and their "remember me" choice once the code is right; the pending step is spent.

    A locked account answers 429; a wrong code counts as a failed sign-in.
    """
    found = pending_sign_in(token)
    if found is None:
        raise _sign_in_expired()
    pending, user = found
    _check_not_locked(user)
    if accept_code(user, code) is None:
        _count_failure(user)
        raise ValidationFailed(fields={"code": _wrong_code_message()})
    spent = db.session.execute(delete(PendingSignIn).where(PendingSignIn.id == pending.id))
    if spent.rowcount != 1:  # a parallel request with the same pending sign-in won
        db.session.rollback()
        raise _sign_in_expired()
    remember = pending.remember
    db.session.commit()
    return user, remember


def issue_token_for_credentials(email: str, password: str, client_address: str,
                                code: str | None = None) -> tuple[str, ApiToken]:
    """A bearer token for the password, plus the current code when two-step sign-in is on.

    A role that requires two-step sign-in gets no token until it is set up.
    """
    user = authenticate(email, password, client_address)
    if two_step_setup_required(user):
        raise Forbidden(_("Your role requires two-step sign-in. Set it up on your account page first."),
                        code="two_factor_setup_required")
    if user.two_step_enabled:
        if not (code or "").strip():
            raise Unauthorised(_("This account uses two-step sign-in: send the code from the "
                                 "authenticator app as \"code\"."), code="two_factor_code_required")
        if accept_code(user, code or "") is None:
            _count_failure(user)
            raise Unauthorised(_wrong_code_message(), code="invalid_two_factor_code")
    return create_api_token(user, label="API")
