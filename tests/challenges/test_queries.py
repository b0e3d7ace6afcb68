"""List pages load what they show in a constant number of SQL statements (2 rows or 10)."""
import pytest

from app.accounts.models import User
from app.challenges.models import Challenge
from tests.challenges.conftest import counting_queries
from tests.conftest import api_token, bearer, login, make_user
from tests.factories import make_challenge, make_idea, make_team


def add_challenges(app, people, n):
    from app.extensions import db

    with app.app_context():
        organiser = db.session.get(User, people.organiser.id)
        for i in range(n):
            make_challenge(title=f"Challenge {i}", organisers=[organiser],
                           status="draft" if i % 3 == 0 else "open",
                           tracks=tuple(f"Track {i}.{k}" for k in range(3)))


def add_teams(app, challenge_id, n, offset=0):
    from app.extensions import db

    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        for i in range(offset, offset + n):
            team = make_team(challenge, make_user(f"captain{i}@example.org", name=f"Captain {i}"),
                             make_user(f"member{i}@example.org"), name=f"Team {i}")
            if i % 2 == 0:
                make_idea(team, status="submitted" if i % 4 == 0 else "draft")


def statements(app, client, path, **kwargs):
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client.get(path, **kwargs)  # once first: a session or token touched for the first time writes
    with counting_queries(engine) as counter:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counter.count


@pytest.mark.parametrize("who", ["anonymous", "organiser", "participant"])
def test_challenge_list_page(app, people, who):
    client = app.test_client()
    if who != "anonymous":
        login(client, getattr(people, who).email)
    add_challenges(app, people, 2)
    few = statements(app, client, "/challenges")
    add_challenges(app, people, 8)
    many = statements(app, client, "/challenges")
    assert few == many, (few, many)


def test_challenge_list_api(app, client, people):
    headers = bearer(api_token(client, people.organiser.email))
    add_challenges(app, people, 2)
    few = statements(app, client, "/api/v1/challenges", headers=headers)
    anonymous_few = statements(app, client, "/api/v1/challenges")
    add_challenges(app, people, 8)
    assert statements(app, client, "/api/v1/challenges", headers=headers) == few
    assert statements(app, client, "/api/v1/challenges") == anonymous_few


@pytest.mark.parametrize("who", ["anonymous", "organiser"])
def test_challenge_page(app, people, who):
    from app.extensions import db

    client = app.test_client()
    if who != "anonymous":
        login(client, people.organiser.email)
    with app.app_context():
        organiser = db.session.get(User, people.organiser.id)
        small = make_challenge(organisers=[organiser]).id
        big = make_challenge(title="Big", organisers=[organiser], tracks=tuple(f"T{i}" for i in range(10)),
                             criteria=tuple((f"C{i}", 1.0) for i in range(10))).id
    assert statements(app, client, f"/challenges/{small}") == statements(app, client, f"/challenges/{big}")


@pytest.mark.parametrize("path", ["console", "console.csv", "console?status=submitted", "start-judging"])
def test_console(app, people, path):
    from app.extensions import db

    with app.app_context():
        challenge_id = make_challenge(organisers=[db.session.get(User, people.organiser.id)]).id
    client = app.test_client()
    login(client, people.organiser.email)
    add_teams(app, challenge_id, 2)
    few = statements(app, client, f"/challenges/{challenge_id}/{path}")
    add_teams(app, challenge_id, 8, offset=2)
    many = statements(app, client, f"/challenges/{challenge_id}/{path}")
    assert few == many, (few, many)
