"""What the base layout needs: the user's roles, navigation by role, and small template helpers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask, g, request
from flask_login import current_user

from app.core import clock

RoleProvider = Callable[[Any], set[str]]


@dataclass(frozen=True)
class NavItem:
    label: Any
    endpoint: str
    role: str | None  # None: everyone; "user": signed in; else a role name
    order: int = 50


_role_providers: list[RoleProvider] = []
_nav: list[NavItem] = []


def register_role_provider(provider: RoleProvider) -> None:
    """Features add the roles they grant (organiser, juror, …) without core knowing them."""
    if provider not in _role_providers:
        _role_providers.append(provider)


def register_nav(item: NavItem) -> None:
    if item not in _nav:
        _nav.append(item)
        _nav.sort(key=lambda i: i.order)


def roles_of(user: Any) -> set[str]:
    """The user's roles for navigation, computed once per request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if "salus_roles" not in g:
        roles = {"user"}
        if user.is_admin:
            roles.add("administrator")
        for provider in _role_providers:
            roles |= provider(user)
        g.salus_roles = roles
    return g.salus_roles


def navigation() -> list[dict[str, Any]]:
    roles = roles_of(current_user)
    current = request.endpoint or ""
    items = []
    for item in _nav:
        if item.role is None or item.role in roles:
            section = item.endpoint.split(".", 1)[0]
            items.append({"label": item.label, "endpoint": item.endpoint,
                          "current": current == item.endpoint or (current.split(".", 1)[0] == section
                                                                  and section != "pages")})
    return items


def register_layout(app: Flask) -> None:
    @app.context_processor
    def _layout_context():
        return {"navigation": navigation, "now": clock.now()}
