"""Pure rules about accounts: addresses, passwords, organisations. No database, no Flask app."""
from __future__ import annotations

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


def email_key(address: str) -> str:
    """The form of an address used for comparison: trimmed and lower-cased."""
    return address.strip().lower()


def email_problem(address: str) -> str | None:
    """Why an address cannot be used, in English (callers translate), or None."""
    try:
        validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError:
        return "invalid"
    return None


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """'too_short', 'too_long', 'common' or 'personal' when a password is weak; else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        return "common"
    local_part = email_key(email).split("@", 1)[0]
    if (local_part and len(local_part) >= 4 and local_part == lowered) or (name and lowered == name.strip().lower()):
        return "personal"
    return None


def organisation_key(organisation: str | None) -> str:
    """Organisations compare case-insensitively, ends trimmed and inner spaces collapsed."""
    return re.sub(r"\s+", " ", (organisation or "").strip()).casefold()
