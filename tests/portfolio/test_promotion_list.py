"""The organiser finds every published entry in rank order, promoted or ready to promote."""
from __future__ import annotations

from sqlalchemy import event

from app.extensions import db as database
from tests.conftest import login, make_user
from tests.portfolio.scenario import portfolio, published


def test_the_console_leads_to_the_list_and_the_list_to_promotion_or_the_project(app, db):
    world = portfolio(db)
    challenge_id = world.world.challenge.id
    client = app.test_client()
    login(client, "olga@example.org")
    console = client.get(f"/challenges/{challenge_id}/console").get_data(as_text=True)
    assert f'href="/challenges/{challenge_id}/portfolio"' in console

    page = client.get(f"/challenges/{challenge_id}/portfolio").get_data(as_text=True)
    titles = ["Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]
    assert [page.index(t) for t in titles] == sorted(page.index(t) for t in titles)
    assert f'href="/portfolio/{world.promoted.id}"' in page
    for name in ("Beta", "Gamma", "Delta"):
        assert f'href="/ideas/{world.world.ideas[name].id}/promote"' in page
    assert f'href="/ideas/{world.world.ideas["Alpha"].id}/promote"' not in page
    assert "Idea Epsilon" not in page and "Idea Withdrawn" not in page


def test_only_organisers_see_it_and_only_after_publication(app, db):
    world, _admin = published(db)
    challenge_id = world.challenge.id
    make_user("other@example.org")
    for email, expected in (("a1@example.org", 403), ("juror1@example.org", 403), ("other@example.org", 403)):
        client = app.test_client()
        login(client, email)
        assert client.get(f"/challenges/{challenge_id}/portfolio").status_code == expected, email
    assert app.test_client().get(f"/challenges/{challenge_id}/portfolio").status_code == 302
    world.challenge.status = "judging"
    database.session.commit()
    client = app.test_client()
    login(client, "olga@example.org")
    assert client.get(f"/challenges/{challenge_id}/portfolio").status_code == 404


def test_the_list_needs_the_same_queries_whatever_the_number_of_projects(app, db):
    world = portfolio(db)
    client = app.test_client()
    login(client, "olga@example.org")
    counts = []
    for name in (None, "Beta", "Gamma"):
        if name:
            from app.portfolio.services import promote_idea
            promote_idea(world.world.ideas[name], world.world.organiser)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(database.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/challenges/{world.world.challenge.id}/portfolio").status_code == 200
        finally:
            event.remove(database.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert len(set(counts)) == 1, counts
