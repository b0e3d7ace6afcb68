"""Races through the production server: several gunicorn worker processes, each with its own
connections, answer requests sent at the same instant over loopback.

The same races are also run inside one process against the services, where a failure is easier
to read: tests/teams/test_race.py (twenty people for three free places, one person joining ten
teams, everyone leaving, twenty teams for one name) and tests/judging/test_review_concurrency.py
(concurrent first saves of one review). Here they cross process boundaries, as in production.
"""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.accounts.services import create_api_token
from app.judging.models import CriterionScore, Review
from app.teams.models import TeamMember
from tests.conftest import make_user
from tests.factories import make_challenge, make_team
from tests.judging.test_review_world import build_world
from tests.reliability.server import fire_together

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def outcomes(answers) -> Counter:
    return Counter((a.status, a.code) for a in answers)


def count(db, model, **where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.mark.parametrize("attempt", range(2))
def test_twenty_people_for_three_free_places_leave_three_new_members(db, frozen_clock, gunicorn_server, attempt):
    challenge = make_challenge(team_max_size=4)
    team = make_team(challenge, make_user("captain@example.org", name="Captain"))
    people = [make_user(f"p{i}@example.org", name=f"Person {i}") for i in range(20)]
    tokens = {person.id: create_api_token(person)[0] for person in people}
    code, team_id = team.invite_code, team.id

    answers = fire_together(gunicorn_server, [
        {"method": "POST", "path": "/api/v1/teams/join", "token": token, "body": {"invite_code": code}}
        for token in tokens.values()])

    assert outcomes(answers) == {(200, None): 3, (409, "team_full"): 17}, [(a.status, a.body) for a in answers]
    joined = {user_id for user_id, answer in zip(tokens, answers) if answer.status == 200}
    db.session.rollback()
    members = set(db.session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))
    assert len(members) == 4 and joined < members
    assert count(db, TeamMember) == 4
    assert not gunicorn_server.crashes(), gunicorn_server.crashes()


def score_request(world, token: str, first: int, version: int | None) -> dict:
    body = {"scores": {str(world.criteria[0]): first, str(world.criteria[1]): 3}, "comment": f"Saved with {first}."}
    if version is not None:
        body["version"] = version
    return {"method": "PUT", "path": f"/api/v1/ideas/{world.idea.id}/score", "token": token, "body": body}


@pytest.mark.parametrize("attempt", range(2))
def test_two_concurrent_first_saves_of_a_score_leave_one_review(db, frozen_clock, gunicorn_server, attempt):
    """The same juror on two devices, neither sending a version: both saves count, one row."""
    world = build_world()
    laptop, tablet = create_api_token(world.juror)[0], create_api_token(world.juror)[0]

    answers = fire_together(gunicorn_server, [score_request(world, laptop, 5, None),
                                              score_request(world, tablet, 2, None)])

    assert [a.status for a in answers] == [200, 200], [a.body for a in answers]
    assert sorted(a.body["version"] for a in answers) == [1, 2]
    assert count(db, Review, idea_id=world.idea.id) == 1
    assert count(db, CriterionScore) == 2
    last = max(answers, key=lambda a: a.body["version"])
    review = db.session.scalars(select(Review)).one()
    assert (review.comment, review.version) == (last.body["comment"], 2)
    assert not gunicorn_server.crashes(), gunicorn_server.crashes()


@pytest.mark.parametrize("attempt", range(2))
def test_two_concurrent_saves_from_the_same_page_one_wins(db, frozen_clock, gunicorn_server, attempt):
    """Both pages were opened before any save (version 0): one saves, the other hears of it."""
    world = build_world()
    laptop, tablet = create_api_token(world.juror)[0], create_api_token(world.juror)[0]

    answers = fire_together(gunicorn_server, [score_request(world, laptop, 5, 0),
                                              score_request(world, tablet, 2, 0)])

    assert outcomes(answers) == {(200, None): 1, (409, "version_conflict"): 1}, [a.body for a in answers]
    winner = next(a for a in answers if a.status == 200)
    assert count(db, Review) == 1 and count(db, CriterionScore) == 2
    review = db.session.scalars(select(Review)).one()
    assert (review.comment, review.version) == (winner.body["comment"], 1)
    stored = {score.criterion_id: score.value for score in review.scores}
    assert stored == {int(k): v for k, v in winner.body["scores"].items()}
    assert not gunicorn_server.crashes(), gunicorn_server.crashes()
