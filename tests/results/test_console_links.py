"""The organiser reaches every results page from the challenge console and the judging console."""
from __future__ import annotations

import pytest

from tests.conftest import login, make_user
from tests.results.scenario import judged

RESULTS_PAGES = ("awards", "awards/funding", "publish", "vote/manage", "announcements", "audit", "archive.zip")


def test_the_console_of_a_judging_challenge_links_every_results_page_and_each_opens(app, db):
    world = judged(db)
    client = app.test_client()
    login(client, "olga@example.org")
    page = client.get(f"/challenges/{world.challenge.id}/console").get_data(as_text=True)
    for path in RESULTS_PAGES:
        href = f"/challenges/{world.challenge.id}/{path}"
        assert f'href="{href}"' in page, href
        assert client.get(href).status_code == 200, href


def test_the_judging_console_links_awards_and_publication(app, db):
    world = judged(db)
    client = app.test_client()
    login(client, "olga@example.org")
    page = client.get(f"/challenges/{world.challenge.id}/judging").get_data(as_text=True)
    assert f'href="/challenges/{world.challenge.id}/awards"' in page
    assert f'href="/challenges/{world.challenge.id}/publish"' in page


@pytest.mark.parametrize("status", ["open", "published"])
def test_publication_is_offered_only_while_judging(app, db, status):
    world = judged(db)
    world.challenge.status = status
    db.session.commit()
    client = app.test_client()
    login(client, "olga@example.org")
    page = client.get(f"/challenges/{world.challenge.id}/console").get_data(as_text=True)
    assert f'href="/challenges/{world.challenge.id}/publish"' not in page
    assert (f'href="/challenges/{world.challenge.id}/results"' in page) == (status == "published")


def test_administrators_find_the_archive_import_next_to_creating_a_challenge(app, db):
    make_user("admin@example.org", admin=True)
    make_user("person@example.org")
    admin, person = app.test_client(), app.test_client()
    login(admin, "admin@example.org")
    login(person, "person@example.org")
    assert 'href="/admin/archives/import"' in admin.get("/challenges").get_data(as_text=True)
    assert 'href="/admin/archives/import"' not in person.get("/challenges").get_data(as_text=True)
