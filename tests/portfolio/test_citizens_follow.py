"""Following a project: the API's 204s from every side, the page's buttons, and the watermark a new
follower starts from (they are not mailed old news)."""
from __future__ import annotations

from app.extensions import db as database
from app.portfolio import citizens
from app.portfolio.models import Follow
from tests.conftest import csrf_from, login
from tests.portfolio.citizen_support import error_of, event, headers_for, person, project, unconfirm


def path(row, suffix: str = "follow") -> str:
    return f"/api/v1/portfolio/{row.id}/{suffix}"


def follow_rows(row) -> list[tuple[int, int]]:
    database.session.commit()  # a fresh snapshot: the requests wrote in their own sessions
    return [(f.user_id, f.notified_event_id) for f in database.session.scalars(
        database.select(Follow).where(Follow.project_id == row.id).order_by(Follow.user_id))]


def test_follow_and_unfollow_answer_204_and_are_idempotent(client, db):
    row = project()
    ana = person("Ana Pop")
    headers = headers_for(client, ana)
    for _ in range(2):  # following twice is still following once
        response = client.post(path(row), headers=headers)
        assert response.status_code == 204 and response.data == b""
    assert follow_rows(row) == [(ana.id, 0)]
    assert client.get(f"/api/v1/portfolio/{row.id}/comments").status_code == 200
    for _ in range(2):  # stopping twice is still stopped
        assert client.delete(path(row), headers=headers).status_code == 204
    assert follow_rows(row) == []


def test_refusals(client, db):
    row = project()
    ana = person("Ana Pop")
    headers = headers_for(client, ana)
    assert error_of(client.post(path(row))) == (401, "unauthorised")
    assert error_of(client.delete(path(row))) == (401, "unauthorised")
    assert error_of(client.post(path(row), headers={"Authorization": "Bearer nope"})) == (401, "invalid_token")
    for unknown in ("/api/v1/portfolio/999999/follow", "/api/v1/portfolio/99999999999/follow"):
        assert error_of(client.post(unknown, headers=headers)) == (404, "not_found")
        assert error_of(client.delete(unknown, headers=headers)) == (404, "not_found")
    unconfirm(ana)
    response = client.post(path(row), headers=headers)
    assert error_of(response) == (403, "email_not_confirmed")
    assert "Confirm your e-mail address" in response.get_json()["error"]["message"]
    assert follow_rows(row) == []


def test_an_unconfirmed_follower_may_still_stop(client, db):
    row = project()
    ana = person("Ana Pop")
    headers = headers_for(client, ana)
    assert client.post(path(row), headers=headers).status_code == 204
    unconfirm(ana)
    assert client.delete(path(row), headers=headers).status_code == 204
    assert follow_rows(row) == []


def test_a_new_follower_starts_after_the_latest_event(client, db):
    row, other = project(), project("Other")
    event(row, "update", title="Old news", update_id=1)
    latest = event(row, "stage", **{"from": "incubation", "to": "pilot"})
    event(other, "update", title="Elsewhere", update_id=2)
    ana = person("Ana Pop")
    assert client.post(path(row), headers=headers_for(client, ana)).status_code == 204
    assert follow_rows(row) == [(ana.id, latest)]
    quiet = project("Quiet")
    assert client.post(path(quiet), headers=headers_for(client, ana)).status_code == 204
    assert follow_rows(quiet) == [(ana.id, 0)]


def test_add_followers_for_a_team_keeps_existing_follows(db):
    row = project()
    mark = event(row, "update", title="Before", update_id=1)
    ana, bogdan = person("Ana Pop"), person("Bogdan Ion")
    assert citizens.follow(row, ana)
    database.session.execute(database.update(Follow).values(notified_event_id=0))
    database.session.commit()
    citizens.add_followers(row, [ana.id, bogdan.id, bogdan.id])
    database.session.commit()
    assert follow_rows(row) == [(ana.id, 0), (bogdan.id, mark)]
    assert citizens.followers_count(row.id) == 2


# --- the page's buttons ---------------------------------------------------------------------

def test_follow_and_unfollow_buttons(client, db):
    row = project()
    person("Ana Pop")
    login(client, "ana.pop@example.org")
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "0 people follow this project." in html
    assert f'action="/portfolio/{row.id}/follow"' in html
    response = client.post(f"/portfolio/{row.id}/follow", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/portfolio/{row.id}#citizens")
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "You follow this project" in html and "1 person follows this project." in html
    assert f'action="/portfolio/{row.id}/unfollow"' in html
    response = client.post(f"/portfolio/{row.id}/unfollow", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "You no longer follow this project" in html and "0 people follow this project." in html


def test_buttons_need_a_form_token_an_account_and_a_known_project(client, db):
    row = project()
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "Sign in to follow this project" in html and f'action="/portfolio/{row.id}/follow"' not in html
    response = client.post(f"/portfolio/{row.id}/follow", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303
    assert "/login?next=/portfolio/" in response.headers["Location"]
    person("Ana Pop")
    login(client, "ana.pop@example.org")
    assert client.post(f"/portfolio/{row.id}/follow").status_code == 400
    token = csrf_from(client.get(f"/portfolio/{row.id}").get_data(as_text=True))
    assert client.post("/portfolio/999999/follow", data={"csrf_token": token}).status_code == 404
    assert follow_rows(row) == []


def test_an_unconfirmed_account_is_told_to_confirm(client, db):
    row = project()
    ana = person("Ana Pop")
    login(client, "ana.pop@example.org")
    unconfirm(ana)
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "Confirm your e-mail address to follow this project" in html
    response = client.post(f"/portfolio/{row.id}/follow", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 403
    assert follow_rows(row) == []
