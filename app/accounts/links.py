"""Signed, expiring links sent by mail: address confirmation and password reset.

A reset link carries a fingerprint of the password hash it was made for, so it stops working
the moment the password changes: single use without storing anything.
"""
from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from app.core import clock

CONFIRM_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 3600


class _ClockSigner(TimestampSigner):
    """Signs and ages links with the application clock, so tests expire them without waiting."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"salus.{purpose}",
                                  signer=_ClockSigner)


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def make_confirm_token(user: Any) -> str:
    return _serializer("confirm").dumps({"uid": user.id, "email": user.email_key})


def make_reset_token(user: Any) -> str:
    return _serializer("reset").dumps({"uid": user.id, "fp": password_fingerprint(user.password_hash)})


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any] | None:
    """The payload of a valid, unexpired link, or None (tampered, expired, wrong purpose)."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None
