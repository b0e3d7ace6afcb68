"""The juror's queue loads in a constant number of SQL statements: 2 assignments or 10, over one
challenge or several, with conflicts to filter out."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.accounts.models import User
from app.challenges.models import Challenge
from app.extensions import db as database
from tests.conftest import api_token, bearer, login, make_user
from tests.factories import make_assignment, make_challenge, make_idea, make_juror, make_review, make_team


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_entries(app, juror_id: int, n: int, offset: int) -> None:
    """n more entries assigned to the juror, over two challenges, half of them scored, plus one
    conflicted entry each time (which the queue must leave out)."""
    with app.app_context():
        juror = database.session.get(User, juror_id)
        for i in range(offset, offset + n):
            challenge = database.session.scalar(
                database.select(Challenge).where(Challenge.title == f"Challenge {i % 2}"))
            if challenge is None:
                challenge = make_challenge(title=f"Challenge {i % 2}", status="judging")
                make_juror(challenge, juror)
            team = make_team(challenge, make_user(f"member{i}@example.org", name=f"Member {i}"), name=f"Team {i}")
            idea = make_idea(team, status="submitted", title=f"Idea {i}")
            if i % 2:
                make_review(idea, juror, {c.id: 3 for c in challenge.criteria})
            else:
                make_assignment(idea, juror)
        colleague_team = make_team(challenge, make_user(f"colleague{offset}@example.org", organisation="Same Org"),
                                   name=f"Colleagues {offset}")
        make_assignment(make_idea(colleague_team, status="submitted"), juror)


def statements(app, client, path, **kwargs) -> list[str]:
    with app.app_context():
        engine = database.engine
    client.get(path, **kwargs)  # once first: a session or token touched for the first time writes
    with counting(engine) as seen:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return seen


def test_the_queue_page_is_constant(app, client):
    with app.app_context():
        juror_id = make_user("juror@example.org", name="Juror", organisation="same org").id
    login(client, "juror@example.org")
    add_entries(app, juror_id, 2, 0)
    few = statements(app, client, "/reviews")
    add_entries(app, juror_id, 8, 2)
    many = statements(app, client, "/reviews")
    assert len(few) == len(many), (len(few), len(many))
    html = client.get("/reviews").get_data(as_text=True)
    assert html.count("<tr>") == 10 + 2  # ten entries and two header rows; the conflicted ones are left out


def test_the_assignment_list_is_constant(app, client):
    with app.app_context():
        juror_id = make_user("juror@example.org", name="Juror", organisation="same org").id
    headers = bearer(api_token(client, "juror@example.org"))
    add_entries(app, juror_id, 2, 0)
    few = statements(app, client, "/api/v1/me/assignments", headers=headers)
    add_entries(app, juror_id, 8, 2)
    many = statements(app, client, "/api/v1/me/assignments", headers=headers)
    assert len(few) == len(many), (len(few), len(many))
    assert client.get("/api/v1/me/assignments", headers=headers).get_json()["total"] == 10
