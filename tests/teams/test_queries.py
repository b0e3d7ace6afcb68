"""The team page and the team finder cost the same number of SQL statements for 2 or 10 rows."""
from __future__ import annotations

from sqlalchemy import event

from app.accounts.models import User
from app.challenges.models import Challenge
from app.extensions import db
from app.teams import finder
from app.teams.models import Team
from tests.conftest import login
from tests.teams.conftest import new_challenge, new_person, new_team, within


def statements(app, client, path: str) -> int:
    engine = within(app, lambda: db.engine)
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, path
    return len(seen)


def test_team_page_queries_do_not_grow_with_members(app, client):
    captain = new_person(app, "Captain")
    teams = {}
    for size in (2, 10):
        challenge_id = new_challenge(app, title=f"Size {size}", team_max_size=12)
        others = [new_person(app, f"Member{size}x{i}") for i in range(size - 1)]
        teams[size] = new_team(app, challenge_id, captain, *others).id
    login(client, captain.email)
    statements(app, client, f"/teams/{teams[2]}")  # warm-up: first-request work is not per row
    small, large = (statements(app, client, f"/teams/{teams[size]}") for size in (2, 10))
    print(f"statements: {small} for 2 rows, {large} for 10")
    assert small == large, (small, large)


def test_finder_queries_do_not_grow_with_seekers_and_teams(app, client):
    viewer = new_person(app, "Viewer")
    challenges = {}
    for size in (2, 10):
        challenge_id = new_challenge(app, title=f"Finder {size}", team_max_size=4)
        new_team(app, challenge_id, viewer)
        for i in range(size):
            seeker = new_person(app, f"Seeker{size}x{i}")
            within(app, lambda: finder.post_seeker_profile(db.session.get(Challenge, challenge_id),
                                                           db.session.get(User, seeker.id), "Design", "Apps"))
            captain = new_person(app, f"Captain{size}x{i}")
            team = new_team(app, challenge_id, captain, new_person(app, f"Mate{size}x{i}"))
            within(app, lambda: finder.set_team_looking(db.session.get(Team, team.id),
                                                        db.session.get(User, captain.id), True, "A nurse"))
        challenges[size] = challenge_id
    login(client, viewer.email)
    statements(app, client, f"/challenges/{challenges[2]}/team-finder")
    small, large = (statements(app, client, f"/challenges/{challenges[size]}/team-finder") for size in (2, 10))
    print(f"statements: {small} for 2 rows, {large} for 10")
    assert small == large, (small, large)
