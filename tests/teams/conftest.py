"""Team fixtures: an open challenge and a few people, and helpers to read what changed.

Service tests work inside one app context (``db``). Web and API tests must not: a request
reuses an app context that is already pushed, and with it ``g`` and the database session,
which would hide what a real browser sees (a CSRF token cached in ``g``, say). They build
their data with the ``new_*`` helpers, each in a short app context of its own, and keep ids.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from tests.conftest import make_user
from tests.factories import make_challenge, make_team


@pytest.fixture
def challenge(db):
    return make_challenge(team_max_size=4)


@pytest.fixture
def people(db):
    """Ana, Bogdan, Carla, Dan and Elena, created in that order."""
    names = ["Ana", "Bogdan", "Carla", "Dan", "Elena"]
    return [make_user(f"{name.lower()}@example.org", name=f"{name} Pop") for name in names]


def count(db_or_app: Any, model: Any, **where: Any) -> int:
    """Rows of ``model`` matching ``where``, read in the test's context or a fresh one."""
    def read() -> int:
        from app.extensions import db

        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return db.session.scalar(stmt)

    return within(db_or_app, read) if hasattr(db_or_app, "app_context") else read()


def audit_actions(db: Any, team_id: int) -> list[str]:
    from app.core.audit import AuditEvent

    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "team",
                                                                   AuditEvent.subject_id == team_id)
                                   .order_by(AuditEvent.id)))


# --- for web and API tests: data made in short app contexts --------------------------------------

def within(app: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with app.app_context():
        return fn(*args, **kwargs)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str


@dataclass(frozen=True)
class TeamRef:
    id: int
    code: str


def new_person(app: Any, first_name: str, **kwargs: Any) -> Person:
    def make() -> Person:
        user = make_user(f"{first_name.lower()}@example.org", name=f"{first_name} Pop", **kwargs)
        return Person(user.id, user.email, user.name)
    return within(app, make)


def new_challenge(app: Any, *, organisers: tuple[Person, ...] = (), **kwargs: Any) -> int:
    def make() -> int:
        from app.accounts.models import User
        from app.extensions import db

        users = [db.session.get(User, p.id) for p in organisers]
        return make_challenge(organisers=users, **kwargs).id
    return within(app, make)


def new_team(app: Any, challenge_id: int, *members: Person, name: str | None = None) -> TeamRef:
    def make() -> TeamRef:
        from app.accounts.models import User
        from app.challenges.models import Challenge
        from app.extensions import db

        team = make_team(db.session.get(Challenge, challenge_id), *[db.session.get(User, p.id) for p in members],
                         name=name)
        return TeamRef(team.id, team.invite_code)
    return within(app, make)


@pytest.fixture
def cast(app):
    """Ana, Bogdan, Carla, Dan and Elena, for web and API tests."""
    return [new_person(app, name) for name in ("Ana", "Bogdan", "Carla", "Dan", "Elena")]


@pytest.fixture
def open_challenge(app):
    """The id of an open challenge whose teams have at most four members."""
    return new_challenge(app, team_max_size=4)
