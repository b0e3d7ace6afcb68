"""The public results page and its downloads: winners, the ranking when it is public, the digest to
verify, the preview for organisers, 404 for everyone else before publication, and a query count
that does not grow with the entries."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import event

from app.extensions import db as database
from app.results.models import Award
from app.results.publication import publish_results
from tests.conftest import login, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team
from tests.results.scenario import judged

PEOPLE = {"organiser": "olga@example.org", "participant": "a1@example.org", "juror": "juror1@example.org",
          "outsider": "out@example.org"}


@pytest.fixture
def world(app, frozen_clock):
    with app.app_context():
        made = judged()
        database.session.add_all([
            Award(challenge_id=made.challenge.id, idea_id=made.ideas["Alpha"].id, name="Grand prize",
                  amount=Decimal("5000"), position=0),
            Award(challenge_id=made.challenge.id, idea_id=made.ideas["Beta"].id, name="=HYPERLINK(\"x\")",
                  position=1)])
        made.ideas["Beta"].title = "-Beta, with a comma"
        database.session.commit()
        return {"challenge": made.challenge.id, "ideas": {k: v.id for k, v in made.ideas.items()},
                "organiser": made.organiser.id}


def publish(app, world, visibility=None):
    with app.app_context():
        from app.accounts.models import User
        from app.challenges.models import Challenge

        challenge = database.session.get(Challenge, world["challenge"])
        publish_results(challenge, database.session.get(User, world["organiser"]), visibility)


def page(client, world, suffix=""):
    return client.get(f"/challenges/{world['challenge']}/results{suffix}")


def test_the_published_page_shows_winners_ranking_and_the_digest(app, client, world):
    publish(app, world)
    response = page(client, world)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Results of “Smart Health City Iași 2026”" in html and "Published on" in html
    assert "Preview" not in html
    assert "Grand prize" in html and "€5,000.00" in html and "Summary of Alpha." in html and "Team Alpha" in html
    assert 'id="ranking"' in html and "Idea Delta" in html and "<table" in html
    answer = client.get(f"/api/v1/challenges/{world['challenge']}/results").get_json()
    assert answer["digest"] in html
    assert "Verify these results" in html and "hashlib.sha256" in html
    assert f"challenge-{world['challenge']}-results.json" in html


def test_awards_only_hides_the_ranking(app, client, world):
    publish(app, world, "awards")
    html = page(client, world).get_data(as_text=True)
    assert "Grand prize" in html and "<table" not in html and "Idea Delta" not in html
    assert json.loads(page(client, world, ".json").get_data(as_text=True))["ranking"] == []


@pytest.mark.parametrize("role", [None, "participant", "juror", "outsider"])
def test_before_publication_the_page_is_404_for_all_but_organisers(app, client, world, role):
    if role:
        login(client, PEOPLE[role])
    assert page(client, world).status_code == 404
    assert page(client, world, ".csv").status_code == 404
    assert page(client, world, ".json").status_code == 404


@pytest.mark.parametrize("role", [None, "participant", "juror", "outsider", "organiser"])
def test_after_publication_everyone_reads_the_page(app, client, world, role):
    publish(app, world)
    if role:
        login(client, PEOPLE[role])
    assert page(client, world).status_code == 200


def test_organisers_see_a_preview_banner_before_publication(client, world):
    login(client, PEOPLE["organiser"])
    html = page(client, world).get_data(as_text=True)
    assert "Preview — not yet published" in html and "Idea Alpha" in html
    assert f'href="/challenges/{world["challenge"]}/publish"' in html


def test_the_json_download_is_the_api_object_and_verifies(app, client, world):
    publish(app, world)
    response = page(client, world, ".json")
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="challenge-{world["challenge"]}-results.json"'
    data = json.loads(response.get_data(as_text=True))
    assert data == client.get(f"/api/v1/challenges/{world['challenge']}/results").get_json()
    # The one-liner shown on the page, applied to the download.
    canonical = json.dumps({"awards": data["awards"], "ranking": data["ranking"]}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == data["digest"]


def test_the_csv_download_neutralises_formulas(app, client, world):
    publish(app, world)
    response = page(client, world, ".csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Rank", "Idea id", "Idea", "Team", "Score", "Awards", "Amount awarded"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]
    assert rows[1][2:4] == ["Idea Alpha", "Team Alpha"] and rows[1][5:] == ["Grand prize", "5000.00"]
    assert rows[2][2] == "'-Beta, with a comma" and rows[2][5] == "'=HYPERLINK(\"x\")" and rows[2][6] == ""
    assert float(rows[1][4]) > float(rows[2][4])


def test_the_csv_of_an_awards_only_publication_lists_the_awarded_entries(app, client, world):
    publish(app, world, "awards")
    rows = list(csv.reader(io.StringIO(page(client, world, ".csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row[0], row[2], row[4]) for row in rows[1:]] == [("", "Idea Alpha", ""), ("", "'-Beta, with a comma", "")]


def test_the_challenge_page_links_to_the_results_once_published(app, client, world):
    show = f"/challenges/{world['challenge']}"
    link = f'href="/challenges/{world["challenge"]}/results"'
    assert link not in client.get(show).get_data(as_text=True)
    publish(app, world)
    assert link in client.get(show).get_data(as_text=True)


def build(entries: int) -> int:
    organiser = make_user("olga@example.org")
    challenge = make_challenge(status="judging", organisers=[organiser])
    jurors = [make_user(f"j{n}@example.org") for n in range(3)]
    for juror in jurors:
        make_juror(challenge, juror)
    for n in range(entries):
        idea = make_idea(make_team(challenge, make_user(f"t{n}@example.org")), status="submitted", title=f"Idea {n}")
        for k, juror in enumerate(jurors):
            make_review(idea, juror, {c.id: 1 + (n + k) % 5 for c in challenge.criteria})
        database.session.add(Award(challenge_id=challenge.id, idea_id=idea.id, name=f"Award {n}", position=n))
    database.session.commit()
    publish_results(challenge, organiser)
    return challenge.id


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


def test_the_results_page_needs_the_same_number_of_queries_for_2_or_10_entries(app, client, frozen_clock):
    counts = []
    for entries in (2, 10):
        with app.app_context():
            challenge_id = build(entries)
            login(client, f"t{entries - 1}@example.org")
            counts.append(count_queries(client, f"/challenges/{challenge_id}/results"))
            database.session.remove()
            for table in reversed(database.metadata.sorted_tables):
                database.session.execute(table.delete())
            database.session.commit()
    print(f"results page queries: {counts[0]} for 2 entries, {counts[1]} for 10")
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10
