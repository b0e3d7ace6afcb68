"""The project page reads like a short story: what, the problem, who, where it comes from, progress,
timeline, and what citizens say; in a fixed number of queries."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import event

from app.core import clock
from app.extensions import db as database
from app.portfolio.models import (Assessment, Indicator, IndicatorValue, ProjectComment, ProjectContact,
                                  ProjectUpdate)
from tests.conftest import login, make_user
from tests.factories import make_challenge
from tests.portfolio.catalogue_data import make_project


def show(client, project_id: int) -> str:
    response = client.get(f"/portfolio/{project_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section_order(html: str, *markers: str) -> list[int]:
    return [html.index(marker) for marker in markers]


def test_a_promoted_project_tells_its_story(client, db):
    from tests.portfolio.scenario import portfolio

    world = portfolio()
    project = world.promoted
    html = show(client, project.id)
    assert f"<h1>{project.title}</h1>" in html
    assert project.reference in html and 'class="tag tag-yellow">Incubation<' in html
    # Where it comes from: the challenge (public, so linked), the entry, its award.
    assert f'href="/challenges/{world.challenge.id}">{world.challenge.title}</a>' in html
    assert "First prize" in html and "25,000" in html
    # The team as contacts: only the members who agreed to be named.
    assert "Ana Alpha" in html and "Andrei Alpha" not in html
    order = section_order(html, "<h1>", "The problem and the answer", "Who is behind it", "Where it comes from",
                          "Key facts", "Progress", "Timeline")
    assert order == sorted(order)


def test_a_local_initiative_shows_facts_contacts_and_place(client, db):
    from tests.portfolio.scenario import portfolio

    world = portfolio()
    project = world.local["Telemedicine for rural Iași"]
    html = show(client, project.id)
    assert 'class="tag tag-blue">Pilot<' in html
    assert "Village clinics consult city specialists by video." in html
    assert "<strong>rural</strong>" in html  # the description's Markdown
    assert "Direcția de Sănătate Publică Iași" in html and "Spitalul Județean Iași, UMF Iași" in html
    assert 'href="mailto:dana@dsp-iasi.example.org"' in html
    assert 'href="https://dsp-iasi.example.org/telemedicine" rel="noopener noreferrer external"' in html
    assert "47.1585, 27.6014" in html and 'href="/portfolio/map"' in html
    assert "€150,000.00" in html
    assert "Where it comes from" not in html


def test_a_stopped_project_says_why(client, db):
    project = make_project("Paper-free referrals", stage="stopped", stopped_reason="Replaced nationally.")
    html = show(client, project.id)
    assert "This project has stopped." in html and "Replaced nationally." in html


def test_description_markdown_is_sanitised(client, db):
    payloads = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "[click](javascript:alert(3))",
                "<a href=\"javascript:alert(4)\">x</a>", "<svg onload=alert(5)>", "<iframe src=//evil></iframe>"]
    project = make_project("Safe", description="**Problem**\n\n" + "\n\n".join(payloads))
    html = show(client, project.id)
    assert "<strong>Problem</strong>" in html
    # Shown as text at most, never as live markup.
    for needle in ("<script>alert", "<img src=x", "<svg onload", "<iframe"):
        assert needle not in html, needle
    assert not re.search(r"<a [^>]*href=\"javascript:", html)


def test_origin_of_an_unpublished_or_removed_challenge_is_not_linked(client, db):
    draft = make_challenge(title="Hidden draft", status="draft")
    origin = {"challenge_id": draft.id, "challenge_title": "Hidden draft", "idea_id": 1, "idea_title": "Entry",
              "team": "Team", "awards": [{"name": "Prize", "amount": None}]}
    project = make_project("From a draft", origin=origin, origin_challenge_id=draft.id)
    html = show(client, project.id)
    assert "started as an entry to the challenge Hidden draft." in html and f'/challenges/{draft.id}"' not in html
    gone = make_project("From nowhere", origin={**origin, "challenge_id": 99999, "challenge_title": "<b>Gone</b>"},
                        origin_challenge_id=99999)
    assert "the challenge &lt;b&gt;Gone&lt;/b&gt;." in show(client, gone.id)


def test_edit_links_for_editors_only(client, db):
    project = make_project("Editable")
    make_user("reader@example.org")
    make_user("admin@example.org", admin=True)
    assert "/edit" not in show(client, project.id)
    login(client, "reader@example.org")
    assert "/edit" not in show(client, project.id)
    client.post("/logout")
    other = client.application.test_client()
    login(other, "admin@example.org")
    html = show(other, project.id)
    assert f'href="/portfolio/{project.id}/edit"' in html
    assert f'href="/portfolio/{project.id}/manage"' in html


def test_unknown_project_is_404(client, db):
    assert client.get("/portfolio/999999").status_code == 404
    assert client.get("/portfolio/99999999999999999999999").status_code == 404


def test_page_includes_lifecycle_and_citizens_sections(client, db):
    project = make_project("Lived", milestones=(True, False))
    database.session.add(ProjectUpdate(project_id=project.id, title="Pilot started in Copou", body="First patients.",
                                       stage_from="incubation", stage_to="pilot", created_at=clock.now()))
    database.session.commit()
    html = show(client, project.id)
    assert "Step 1" in html and "Pilot started in Copou" in html
    assert '<progress max="100" value="50"' in html
    assert re.search(r"[Ff]ollow", html)


# --- a fixed number of queries ---------------------------------------------------------------------

def count_queries(client, url: str) -> int:
    statements = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        response = client.get(url)
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def rich_project(n: int, users: list) -> int:
    """A project with ``n`` of every related row."""
    project = make_project(f"Rich {n}", themes=[f"Theme {i}" for i in range(n)], milestones=(True, False) * (n // 2),
                           programmes=tuple(f"Programme {i}" for i in range(n)), followers=tuple(users[:n]),
                           origin={"challenge_id": 1, "challenge_title": "C", "idea_id": 1, "idea_title": "I",
                                   "team": "T", "awards": [{"name": f"Award {i}", "amount": 10.0} for i in range(n)]},
                           latitude=45.0, longitude=25.0, location="Iași")
    now = clock.now()
    for i in range(n):
        database.session.add(ProjectContact(project_id=project.id, name=f"Person {i}", role="Nurse", position=i))
        database.session.add(ProjectUpdate(project_id=project.id, title=f"Update {i}", body="Text", author_id=users[i].id,
                                           stage_from="idea", stage_to="pilot", created_at=now))
        database.session.add(ProjectComment(project_id=project.id, author_id=users[i].id, body=f"Comment *{i}*",
                                            created_at=now, hidden=i % 3 == 0, hidden_reason="Off topic"))
        database.session.add(Assessment(project_id=project.id, user_id=users[i].id, usefulness=4, progress_visible=3,
                                        reason="Useful", created_at=now, updated_at=now))
        indicator = Indicator(project_id=project.id, name=f"Indicator {i}", unit="%", baseline=1, target=10, current=5,
                              position=i)
        database.session.add(indicator)
        database.session.flush()
        for day in range(3):
            database.session.add(IndicatorValue(indicator_id=indicator.id, value=day, recorded_on=dt.date(2026, 1, 1 + day),
                                                created_at=now))
    database.session.commit()
    return project.id


def test_project_page_queries_do_not_depend_on_related_rows(app, client, db):
    users = [make_user(f"user{i}@example.org", name=f"User {i}") for i in range(10)]
    make_user("viewer@example.org")
    login(client, "viewer@example.org")
    counts = [count_queries(client, f"/portfolio/{rich_project(n, users)}") for n in (2, 10)]
    print(f"project page queries: {counts[0]} with 2 related rows of each kind, {counts[1]} with 10")
    assert counts[0] == counts[1], counts


def test_catalogue_pages_queries_do_not_depend_on_projects(app, client, db):
    users = [make_user(f"user{i}@example.org") for i in range(3)]
    counts: dict[str, list[int]] = {"/portfolio": [], "/api/v1/portfolio": [], "/portfolio/pipeline": [],
                                    "/portfolio/map": []}
    for n in (2, 10):
        for i in range(n):
            make_project(f"Project {n}-{i}", themes=["Care", f"T{i}"], programmes=("ESF", "PNRR"),
                         milestones=(True, False), followers=tuple(users), latitude=45.0, longitude=25.0)
        for url in counts:
            counts[url].append(count_queries(client, url))
        for table in reversed(database.metadata.sorted_tables):
            if table.name.startswith(("portfolio_", "project_", "milestones")):
                database.session.execute(table.delete())
        database.session.commit()
    print(f"catalogue queries for 2 vs 10 projects: {counts}")
    for url, (few, many) in counts.items():
        assert few == many, (url, few, many)
