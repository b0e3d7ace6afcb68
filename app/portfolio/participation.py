"""Who may take part in a project's public life, and who moderates it.

Following, commenting, reporting and assessing need a signed-in account with a confirmed e-mail
address (as for the People's choice vote): an address nobody confirmed could be anyone's.
Administrators moderate comments.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.core.errors import Forbidden, Unauthorised


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def participation_problem(user: Any) -> str | None:
    """Why this person may not follow, comment, report or assess: "unauthorised",
    "email_not_confirmed", or None."""
    if not signed_in(user):
        return "unauthorised"
    if not user.is_confirmed:
        return "email_not_confirmed"
    return None


def require_citizen(user: Any) -> None:
    """401 without an account, 403 email_not_confirmed for an address not yet confirmed."""
    problem = participation_problem(user)
    if problem == "unauthorised":
        raise Unauthorised()
    if problem == "email_not_confirmed":
        raise Forbidden(_("Confirm your e-mail address to take part: follow the link we sent you, "
                          "or ask for a new one."), code="email_not_confirmed")


def is_moderator(user: Any) -> bool:
    return signed_in(user) and bool(user.is_admin)


def require_moderator(user: Any) -> None:
    """401 without an account, 403 for anyone but an administrator."""
    if not signed_in(user):
        raise Unauthorised()
    if not user.is_admin:
        raise Forbidden(_("Only administrators moderate comments."))
