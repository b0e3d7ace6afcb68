"""Retention: accounts whose address was never confirmed do not stay for ever."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete, func, or_, select

from app.accounts.models import User
from app.core import audit, clock
from app.core.outbox import OutboxMail
from app.extensions import db


def purge_unconfirmed() -> int:
    """Delete accounts never confirmed, created more than UNCONFIRMED_ACCOUNT_DAYS ago, with their mail.

    Only while confirmation is required: such accounts could never sign in, so nothing they wrote
    exists, and what others attached to them (a jury seat, say) goes with them. When confirmation
    is not required they may be in use, and 0 days keeps them all. Each deletion is audited
    without personal data, one transaction per account.
    """
    days = int(current_app.config.get("UNCONFIRMED_ACCOUNT_DAYS") or 0)
    if days <= 0 or not current_app.config["REQUIRE_EMAIL_CONFIRMATION"]:
        return 0
    cutoff = clock.now() - dt.timedelta(days=days)
    ids = db.session.scalars(select(User.id).where(User.confirmed_at.is_(None), User.erased_at.is_(None),
                                                   User.created_at < cutoff).order_by(User.id)).all()
    purged = 0
    for user_id in ids:
        user = db.session.get(User, user_id, with_for_update=True)
        if user is None or user.confirmed_at is not None:  # confirmed meanwhile
            db.session.rollback()
            continue
        db.session.execute(delete(OutboxMail).where(or_(OutboxMail.user_id == user_id,
                                                        func.lower(OutboxMail.to_address) == user.email_key)))
        audit.record("account.purged_unconfirmed", actor=None, subject_type="user", subject_id=user_id, days=days)
        db.session.delete(user)
        db.session.commit()
        purged += 1
    return purged
