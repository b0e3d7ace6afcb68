"""A person's own data: export (GDPR art. 15 and 20) and erasure (art. 17). Other packages
add their sections and erasers through ``app.core.privacy``."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete, func, or_, select

from app.accounts import services
from app.accounts.models import ApiToken, RecoveryCode, TwoStepCredential, User
from app.accounts.passwords import hash_password
from app.core import clock, privacy
from app.core.outbox import OutboxMail
from app.extensions import db


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything held about a person (GDPR art. 15 and 20), as plain JSON-ready data."""
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    data: dict[str, Any] = {
        "account": {"id": user.id, "email": user.email, "name": user.name, "organisation": user.organisation,
                    "locale": user.locale, "timezone": user.timezone, "is_admin": user.is_admin,
                    "created_at": iso(user.created_at), "confirmed_at": iso(user.confirmed_at),
                    "privacy_accepted_at": iso(user.privacy_accepted_at)},
        "sessions": [{"created_at": iso(s.created_at), "last_seen_at": iso(s.last_seen_at),
                      "expires_at": iso(s.expires_at), "user_agent": s.user_agent}
                     for s in user.login_sessions],
        "api_tokens": [{"label": t.label, "prefix": t.prefix, "created_at": iso(t.created_at),
                        "expires_at": iso(t.expires_at), "revoked_at": iso(t.revoked_at)}
                       for t in user.api_tokens],
        # Whether it is on, never the secret or the recovery codes.
        "two_step_sign_in": {"enabled_at": iso(user.two_step.enabled_at if user.two_step else None)},
        "mails": [{"subject": m.subject, "created_at": iso(m.created_at), "sent_at": iso(m.sent_at)}
                  for m in db.session.scalars(select(OutboxMail).where(OutboxMail.user_id == user.id)
                                              .order_by(OutboxMail.id))],
    }
    data.update(privacy.export_sections(user))
    return data


def erase_account(user: User) -> None:
    """Erase a person: personal data removed, what they wrote kept under "deleted user".

    Sessions, tokens and every mail addressed to them (sent or not) go; the row stays so that
    authored content keeps a stable, anonymous author.
    """
    old_address = user.email_key
    db.session.execute(delete(OutboxMail).where(or_(OutboxMail.user_id == user.id,
                                                    func.lower(OutboxMail.to_address) == old_address)))
    services.invalidate_credentials(user)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoStepCredential).where(TwoStepCredential.user_id == user.id))
    privacy.run_erasers(user)
    user.email = user.email_key = f"erased-{user.id}@invalid"
    user.name = "deleted user"
    user.organisation = ""
    user.timezone = None
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.erased_at = clock.now()
    user.is_admin = False
    db.session.commit()
