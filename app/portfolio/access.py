"""Who may read and change a portfolio project.

Everybody reads every project. Administrators edit every project; the organisers of the challenge
a project was promoted from edit that project; nobody else edits (403 when signed in, 401 in the
API without a token, the sign-in page in the browser).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.challenges.access import valid_id
from app.challenges.models import ChallengeOrganiser
from app.core.errors import Forbidden, NotFound, Unauthorised
from app.extensions import db
from app.portfolio.models import PortfolioProject


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def project_or_404(project_id: Any) -> PortfolioProject:
    """The project, public to all; 404 for an id that is absent or cannot be one."""
    project = db.session.get(PortfolioProject, project_id) if valid_id(project_id) else None
    if project is None:
        raise NotFound()
    return project


def can_edit(project: PortfolioProject, user: Any) -> bool:
    """Administrators, and organisers of the origin challenge of a promoted project."""
    if not _signed_in(user):
        return False
    if user.is_admin:
        return True
    if project.origin_challenge_id is None:
        return False
    return db.session.scalar(select(ChallengeOrganiser.user_id).where(
        ChallengeOrganiser.challenge_id == project.origin_challenge_id,
        ChallengeOrganiser.user_id == user.id)) is not None


def require_editor(project: PortfolioProject, user: Any) -> None:
    """Refuse anyone who may not edit: 401 when nobody is signed in (the HTML error handler sends
    pages send visitors to sign in first), 403 for a signed-in reader."""
    if not _signed_in(user):
        raise Unauthorised()
    if not can_edit(project, user):
        raise Forbidden(_("Only administrators and the organisers of the challenge it came from can change "
                          "this project."))


def require_admin(user: Any) -> None:
    """Local initiatives are entered by administrators only (401 signed out, 403 otherwise)."""
    if not _signed_in(user):
        raise Unauthorised()
    if not user.is_admin:
        raise Forbidden(_("Only administrators can add a project to the portfolio."))
