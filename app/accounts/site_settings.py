"""Settings administrators change on a page: which roles must use two-step sign-in."""
from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import SiteSetting
from app.core import audit, clock
from app.core.db import begin_write
from app.core.errors import Forbidden, ValidationFailed
from app.core.layout import roles_of
from app.extensions import db

TWO_STEP_ROLES = "two_step_roles"
# The roles that can be asked to use two-step sign-in; participants are never forced to.
REQUIRABLE_ROLES = ("organiser", "juror", "administrator")


def required_two_step_roles() -> frozenset[str]:
    """The roles whose members must use two-step sign-in; read once per request."""
    if "salus_two_step_roles" not in g:
        value = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == TWO_STEP_ROLES))
        g.salus_two_step_roles = frozenset(r for r in (value or []) if r in REQUIRABLE_ROLES)
    return g.salus_two_step_roles


def set_required_two_step_roles(actor: Any, roles: list[str]) -> None:
    """Only administrators choose; only organisers, jurors and administrators can be required."""
    if not getattr(actor, "is_admin", False):
        raise Forbidden()
    unknown = set(roles) - set(REQUIRABLE_ROLES)
    if unknown:
        raise ValidationFailed(fields={"roles": _("Choose among organisers, jurors and administrators.")})
    chosen = [r for r in REQUIRABLE_ROLES if r in roles]
    begin_write(db.session)
    setting = db.session.get(SiteSetting, TWO_STEP_ROLES)
    before = list(setting.value or []) if setting else []
    if setting is None:
        setting = SiteSetting(key=TWO_STEP_ROLES, value=chosen)
        db.session.add(setting)
    setting.value, setting.updated_at, setting.updated_by_id = chosen, clock.now(), actor.id
    audit.record("settings.two_step_roles", actor=actor, subject_type="setting", subject_id=None,
                 before=before, after=chosen)
    db.session.commit()
    g.pop("salus_two_step_roles", None)


def role_requires_two_step(user: Any) -> bool:
    """True when one of the user's roles must use two-step sign-in, set up or not."""
    roles = required_two_step_roles()
    return bool(roles and roles & roles_of(user))


def two_step_setup_required(user: Any) -> bool:
    """True when the user holds a role that must use two-step sign-in and has not set it up."""
    roles = required_two_step_roles()
    if not roles or user.two_step_enabled:
        return False
    return bool(roles & roles_of(user))
