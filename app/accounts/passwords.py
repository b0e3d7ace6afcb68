"""Password hashing with argon2id; parameters come from the configuration so they can be raised."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_DUMMY_PASSWORD = "salus-timing-equaliser"  # nosec B105 - hashed to spend the same time for unknown users


def _hasher() -> PasswordHasher:
    params = current_app.config.get("PASSWORD_HASH_PARAMS") or {}
    return PasswordHasher(**params)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; for an unknown account, spend the same time and answer False."""
    hasher = _hasher()
    if not stored_hash:
        hasher.hash(_DUMMY_PASSWORD)
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
