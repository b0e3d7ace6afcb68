"""Fixtures for the challenge tests: people in each role, and a SQL statement counter."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from tests.conftest import make_user

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Person:
    id: int
    email: str


@pytest.fixture
def people(app, frozen_clock):
    """An administrator, two organisers-to-be and a participant, made outside any request.

    Web and API tests must not hold an app context while they send requests (the request would
    share it, and with it the signed-in user), so only ids and addresses are handed out.
    """
    with app.app_context():
        made = {role: make_user(f"{role}@example.org", name=f"{role.title()} Person", admin=role == "admin")
                for role in ("admin", "organiser", "other", "participant")}
        return SimpleNamespace(**{role: Person(user.id, user.email) for role, user in made.items()})


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def counting_queries(engine):
    counter = QueryCounter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def challenge_body(**overrides):
    """A complete POST /challenges body relative to the frozen clock (2026-11-20 10:00 UTC)."""
    body = {
        "title": "Smart Health City Iași", "description": "Ideas for **better care** at home.",
        "kind": "hackathon", "tracks": ["Telemedicine", "Prevention"], "team_min_size": 2, "team_max_size": 5,
        "opens_at": "2026-11-20T12:00:00+02:00", "submission_deadline": "2026-11-22T12:00:00+02:00",
        "reviews_per_entry": 3, "blind_review": True, "ranking_method": "calibrated",
        "criteria": [{"name": "Relevance", "description": "Does it matter?", "weight": 2, "scale_min": 1,
                      "scale_max": 5},
                     {"name": "Feasibility", "description": "Can it be built?", "weight": 1, "scale_min": 0,
                      "scale_max": 10}],
    }
    body.update(overrides)
    return body
