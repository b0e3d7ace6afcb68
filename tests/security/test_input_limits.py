"""Input limits: a body past UPLOAD_MAX_MB is a 413, wherever it is sent; a name or title of 201
characters (or a long text of 20,001) is a 422 naming the field, for every entity the API writes;
and neither writes anything."""
from __future__ import annotations

import io
from typing import Any, Callable

import pytest

from tests.conftest import api_token, bearer, csrf_from, login
from tests.security.fuzz_world import FuzzWorld, all_rows, row_counts

API = "/api/v1"
LONG_NAME = "x" * 201
LONG_TEXT = "x" * 20_001


# --- the request size limit ---------------------------------------------------------------------

def test_a_form_post_past_the_limit_is_a_413_and_writes_nothing(app, world, monkeypatch):
    client = app.test_client()
    login(client, world.participant)
    token = csrf_from(client.get(f"/teams/{world.open_team}/idea").get_data(as_text=True))
    with app.app_context():
        before = all_rows()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = client.post(f"/teams/{world.open_team}/idea", data={"csrf_token": token, "title": "New title",
                                                                     "summary": "x" * 8192})
    assert response.status_code == 413
    assert '<p class="lead">' in response.get_data(as_text=True)  # the error page, in her language
    with app.app_context():
        assert all_rows() == before


def test_an_api_body_past_the_limit_is_a_413_and_writes_nothing(app, world, monkeypatch):
    client = app.test_client()
    headers = bearer(api_token(client, world.participant))
    with app.app_context():
        before = all_rows()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = client.put(f"{API}/teams/{world.open_team}/idea", json={"title": "New", "summary": "x" * 8192},
                          headers=headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    with app.app_context():
        assert all_rows() == before


def test_the_limit_also_holds_for_a_body_sent_without_its_length(app, world, monkeypatch):
    """A chunked body announces no Content-Length (the server marks its end). Read up to the limit,
    it would pass for whole when cut at a harmless place: it is refused instead."""
    client = app.test_client()
    headers = {**bearer(api_token(client, world.participant)), "Content-Type": "application/json",
               "Transfer-Encoding": "chunked"}
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    body = ('{"title": "New", "summary": "' + "x" * 8192 + '"}').encode()
    response = client.put(f"{API}/teams/{world.open_team}/idea", input_stream=io.BytesIO(body), headers=headers,
                          environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413


# --- field length limits in the API -------------------------------------------------------------

# entity -> (who, method, path, body with one over-long field, the field named in the answer)
Case = tuple[str | None, str, Callable[[FuzzWorld], str], Callable[[FuzzWorld], dict[str, Any]], str]
OVER_LONG: dict[str, Case] = {
    "account name": (None, "post", lambda w: "/auth/register", lambda w: {
        "email": "new@example.org", "password": "a long enough passphrase", "name": LONG_NAME,
        "accept_privacy": True}, "name"),
    "challenge title": ("admin", "post", lambda w: "/challenges", lambda w: {"title": LONG_NAME}, "title"),
    "challenge title, edited": ("admin", "patch", lambda w: f"/challenges/{w.draft_challenge}",
                                lambda w: {"title": LONG_NAME}, "title"),
    "challenge description": ("admin", "patch", lambda w: f"/challenges/{w.draft_challenge}",
                              lambda w: {"description": LONG_TEXT}, "description"),
    "track name": ("admin", "patch", lambda w: f"/challenges/{w.draft_challenge}",
                   lambda w: {"tracks": [LONG_NAME]}, "tracks.0.name"),
    "criterion name": ("admin", "patch", lambda w: f"/challenges/{w.draft_challenge}", lambda w: {
        "criteria": [{"name": LONG_NAME, "weight": 1}]}, "criteria.0.name"),
    "team name": ("outsider", "post", lambda w: f"/challenges/{w.open_challenge}/teams",
                  lambda w: {"name": LONG_NAME}, "name"),
    "idea title": ("participant", "put", lambda w: f"/teams/{w.open_team}/idea", lambda w: {"title": LONG_NAME},
                   "title"),
    "idea summary": ("participant", "put", lambda w: f"/teams/{w.open_team}/idea",
                     lambda w: {"title": "Fine", "summary": LONG_TEXT}, "summary"),
    "award name": ("organiser", "put", lambda w: f"/challenges/{w.judging_challenge}/awards", lambda w: {
        "awards": [{"idea_id": w.judged_idea, "name": LONG_NAME}]}, "awards.0.name"),
    "announcement subject": ("organiser", "post", lambda w: f"/challenges/{w.judging_challenge}/announcements",
                             lambda w: {"audience": "submitted", "subject": LONG_NAME, "body": "Hello"}, "subject"),
    "project title": ("admin", "post", lambda w: "/portfolio", lambda w: {"title": LONG_NAME}, "title"),
    "project title, edited": ("admin", "patch", lambda w: f"/portfolio/{w.project}", lambda w: {"title": LONG_NAME},
                              "title"),
    "project description": ("admin", "patch", lambda w: f"/portfolio/{w.project}",
                            lambda w: {"description": LONG_TEXT}, "description"),
    "project update title": ("admin", "post", lambda w: f"/portfolio/{w.project}/updates",
                             lambda w: {"title": LONG_NAME, "body": "Ten patients enrolled."}, "title"),
    "milestone title": ("admin", "post", lambda w: f"/portfolio/{w.project}/milestones",
                        lambda w: {"title": LONG_NAME}, "title"),
    "indicator name": ("admin", "post", lambda w: f"/portfolio/{w.project}/indicators",
                       lambda w: {"name": LONG_NAME}, "name"),
    "funding programme": ("admin", "post", lambda w: f"/portfolio/{w.project}/funding",
                          lambda w: {"programme": LONG_NAME}, "programme"),
}


@pytest.mark.parametrize("entity", OVER_LONG)
def test_an_over_long_field_is_a_422_naming_it(app, world, entity):
    who, method, path, body, field = OVER_LONG[entity]
    client = app.test_client()
    headers = bearer(api_token(client, getattr(world, who))) if who else {}
    with app.app_context():
        before = row_counts()
    response = getattr(client, method)(API + path(world), json=body(world), headers=headers)
    assert response.status_code == 422, (entity, response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"].get(field), (entity, error["fields"])
    with app.app_context():
        assert row_counts() == before
