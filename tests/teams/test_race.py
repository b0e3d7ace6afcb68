"""Many people acting on one team at the same moment: limits hold, nothing is lost or doubled.

Each thread has its own app context, so its own session and database connection, as
concurrent requests do. The test database is a file (SQLite) or a server (PostgreSQL).
"""
from __future__ import annotations

from collections import Counter

import pytest

from app.accounts.models import User
from app.challenges.models import Challenge
from app.extensions import db as database
from app.teams import services
from app.teams.models import Team, TeamMember
from tests.concurrency import run_together
from tests.conftest import make_user
from tests.factories import make_challenge, make_team
from tests.teams.conftest import count

pytestmark = pytest.mark.slow


def test_twenty_people_for_three_free_places(app, db):
    challenge = make_challenge(team_max_size=4)
    captain = make_user("captain@example.org", name="Captain")
    team = make_team(challenge, captain)
    code, team_id = team.invite_code, team.id
    user_ids = [make_user(f"p{i}@example.org", name=f"Person {i}").id for i in range(20)]
    db.session.remove()

    def join(user_id: int):
        return lambda: services.join_team(code, database.session.get(User, user_id))

    results = run_together(app, [join(uid) for uid in user_ids])
    assert Counter(results) == {"ok": 3, "team_full": 17}, results
    assert count(db, TeamMember, team_id=team_id) == 4
    assert count(db, TeamMember) == 4


def test_one_person_joining_ten_teams_at_once_ends_in_one(app, db):
    challenge = make_challenge(team_max_size=4)
    codes = [make_team(challenge, make_user(f"c{i}@example.org", name=f"Captain {i}")).invite_code
             for i in range(10)]
    user_id = make_user("eager@example.org", name="Eager").id
    db.session.remove()

    def join(code: str):
        return lambda: services.join_team(code, database.session.get(User, user_id))

    results = run_together(app, [join(code) for code in codes])
    assert Counter(results) == {"ok": 1, "already_in_team": 9}, results
    assert count(db, TeamMember, user_id=user_id) == 1


def test_everyone_leaving_at_once_dissolves_the_team_once(app, db):
    challenge = make_challenge(team_max_size=4)
    members = [make_user(f"m{i}@example.org", name=f"Member {i}") for i in range(4)]
    team_id = make_team(challenge, *members).id
    member_ids = [m.id for m in members]
    db.session.remove()

    def leave(user_id: int):
        def call():
            team = database.session.get(Team, team_id)
            if team is None:
                raise AssertionError("team gone before this member left")
            services.leave_team(team, database.session.get(User, user_id))
        return call

    results = run_together(app, [leave(uid) for uid in member_ids])
    # A member whose team was dissolved first finds nothing to leave; nobody is left behind.
    assert set(results) <= {"ok", "not_found"} and results.count("ok") >= 1, results
    assert count(db, Team) == 0 and count(db, TeamMember) == 0


def test_twenty_teams_racing_for_one_name(app, db):
    challenge_id = make_challenge().id
    user_ids = [make_user(f"n{i}@example.org", name=f"Name {i}").id for i in range(20)]
    db.session.remove()

    def create(user_id: int, index: int):
        spelling = ["Heart Beats", "heart beats", "HEART  BEATS"][index % 3]
        return lambda: services.create_team(database.session.get(Challenge, challenge_id),
                                            database.session.get(User, user_id), spelling)

    results = run_together(app, [create(uid, i) for i, uid in enumerate(user_ids)])
    assert Counter(results) == {"ok": 1, "team_name_taken": 19}, results
    assert count(db, Team) == 1
