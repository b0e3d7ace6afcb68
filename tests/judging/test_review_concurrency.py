"""Two saves of one review at the same instant (a double click, two tabs, a retrying tablet):
one review row, whatever the database. Each thread has its own app context, so its own session
and connection, as concurrent requests do."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.errors import DomainError
from app.extensions import db as database
from app.judging import reviews
from app.judging.models import CriterionScore, Review
from tests.concurrency import run_together as together
from tests.judging.test_review_world import build_world, full_scores

pytestmark = pytest.mark.slow


def run_together(app, calls) -> list[str]:
    """Each save's outcome: "v<version>" when it went through, else its error code."""
    return together(app, calls, describe=lambda version: f"v{version}")


def save(user_id: int, idea_id: int, scores, version):
    def call():
        user = database.session.get(User, user_id)
        return reviews.save_review(idea_id, user, scores, "Same comment.", version=version).version
    return call


def rows(db):
    return db.session.scalar(select(func.count()).select_from(Review)), \
        db.session.scalar(select(func.count()).select_from(CriterionScore))


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_first_saves_without_version_leave_one_review(app, db, attempt):
    world = build_world()
    scores, juror_id, idea_id = full_scores(world), world.juror.id, world.idea.id
    db.session.remove()
    results = run_together(app, [save(juror_id, idea_id, scores, None) for _ in range(4)])
    # One creates version 1, the others update it in turn: all succeed, none is lost or doubled.
    assert sorted(results) == ["v1", "v2", "v3", "v4"], results
    assert rows(db) == (1, 2)


def test_concurrent_first_saves_from_two_fresh_pages_one_wins(app, db):
    world = build_world()
    juror_id, idea_id = world.juror.id, world.idea.id
    db.session.remove()
    results = run_together(app, [save(juror_id, idea_id, full_scores(world, 5, 5), 0),
                                 save(juror_id, idea_id, full_scores(world, 1, 1), 0)])
    assert Counter(results) == {"v1": 1, "version_conflict": 1}, results
    assert rows(db) == (1, 2)
    winner = [5, 5] if results[0] == "v1" else [1, 1]
    assert sorted(db.session.scalars(select(CriterionScore.value))) == winner


def test_an_insert_lost_to_another_save_becomes_an_update_or_a_conflict(db, monkeypatch):
    """Where no lock serialised them, the unique constraint catches the second insert."""
    from sqlalchemy.exc import IntegrityError

    world = build_world()
    real, calls = reviews._save_once, []

    def losing_once(*args):
        calls.append(args)
        if len(calls) % 2 == 1:
            raise IntegrityError("INSERT INTO reviews", {}, Exception("unique constraint"))
        return real(*args)

    monkeypatch.setattr(reviews, "_save_once", losing_once)
    assert reviews.save_review(world.idea.id, world.juror, full_scores(world), "").version == 1
    with pytest.raises(DomainError) as caught:
        reviews.save_review(world.idea.id, world.juror, full_scores(world), "", version=1)
    assert caught.value.code == "version_conflict"
    assert rows(db) == (1, 2)
