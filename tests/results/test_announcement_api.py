"""Announcements in the JSON API: send, list, count an audience; and the refusals."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.core.outbox import OutboxMail
from app.extensions import db as database
from app.results.models import Announcement
from tests.conftest import api_token, bearer, make_user
from tests.factories import make_challenge
from tests.results.test_announcements import world_with_audiences

BODY = {"audience": "submitted", "subject": "Rehearsal", "body": "Thursday at **18:00**."}


def path(world, suffix=""):
    return f"/api/v1/challenges/{world.challenge.id}/announcements{suffix}"


def test_an_organiser_sends_and_lists_announcements(app, db, client, frozen_clock):
    world = world_with_audiences(db)
    headers = bearer(api_token(client, world.organiser.email))
    response = client.post(path(world), json=BODY, headers=headers)
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()
    assert set(sent) == {"id", "audience", "track_id", "subject", "recipients", "sent_at", "sent_by"}
    assert (sent["audience"], sent["recipients"], sent["track_id"]) == ("submitted", 6, None)
    assert dt.datetime.fromisoformat(sent["sent_at"]) == frozen_clock.now()
    frozen_clock.advance(minutes=1)
    track = world.challenge.tracks[1]
    second = client.post(path(world), json={**BODY, "audience": "track", "track_id": track.id}, headers=headers)
    assert second.status_code == 201 and second.get_json()["recipients"] == 1
    listed = client.get(path(world) + "?per_page=1", headers=headers).get_json()
    assert listed["total"] == 2 and listed["page"] == 1 and listed["per_page"] == 1
    assert [item["id"] for item in listed["items"]] == [second.get_json()["id"]]  # newest first
    assert listed["items"][0]["sent_by"] == "Olga Organiser"
    database.session.rollback()
    assert database.session.scalar(select(func.count()).select_from(OutboxMail)) == 7


def test_the_audience_count_sends_nothing(app, db, client):
    world = world_with_audiences(db)
    headers = bearer(api_token(client, world.organiser.email))
    answer = client.get(path(world, "/audience?audience=registered"), headers=headers)
    assert answer.status_code == 200 and answer.get_json() == {"audience": "registered", "track_id": None,
                                                                "recipients": 9}
    empty = client.get(path(world, "/audience?audience=winners"), headers=headers).get_json()
    assert empty["recipients"] == 1
    unknown = client.get(path(world, "/audience?audience=nobody"), headers=headers)
    assert unknown.status_code == 422 and "audience" in unknown.get_json()["error"]["fields"]
    foreign = client.get(path(world, "/audience?audience=track&track_id=99999"), headers=headers)
    assert foreign.status_code == 422 and "track_id" in foreign.get_json()["error"]["fields"]
    database.session.rollback()
    assert database.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_invalid_bodies_answer_422_with_fields(app, db, client):
    world = world_with_audiences(db)
    other = make_challenge(title="Other", status="open")
    empty_world = make_challenge(title="Empty", status="open", organisers=[world.organiser])
    headers = bearer(api_token(client, world.organiser.email))
    cases = [
        ({**BODY, "audience": "all"}, "audience"),
        ({**BODY, "audience": "track"}, "track_id"),
        ({**BODY, "audience": "track", "track_id": other.tracks[0].id}, "track_id"),
        ({**BODY, "audience": "track", "track_id": "1"}, "track_id"),
        ({**BODY, "subject": "x" * 201}, "subject"),
        ({**BODY, "body": ""}, "body"),
        ({"audience": "submitted"}, "subject"),
    ]
    for body, field in cases:
        response = client.post(path(world), json=body, headers=headers)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["fields"], (body, response.get_json())
    nobody = client.post(path(world), json={**BODY, "audience": "pending_jurors", "subject": "x"}, headers=headers)
    database.session.rollback()
    # juror2 has an unscored entry in this world, so this one goes; a fresh challenge has nobody.
    assert nobody.status_code == 201
    empty = client.post(f"/api/v1/challenges/{empty_world.id}/announcements", json=BODY, headers=headers)
    assert empty.status_code == 422 and "Nobody is in this audience" in empty.get_json()["error"]["fields"]["audience"]
    assert client.post(path(world), data="[1]", headers={**headers, "Content-Type": "application/json"}
                       ).status_code == 400


def test_a_repeated_message_answers_409_already_sent(app, db, client, frozen_clock):
    world = world_with_audiences(db)
    headers = bearer(api_token(client, world.organiser.email))
    assert client.post(path(world), json=BODY, headers=headers).status_code == 201
    again = client.post(path(world), json=BODY, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_sent"


def test_only_organisers_use_the_announcement_api(app, db, client):
    world = world_with_audiences(db)
    owner = make_user("other.owner@example.org", name="Other Owner")
    draft = make_challenge(title="Hidden", status="draft", organisers=[owner])
    assert client.post(path(world), json=BODY).status_code == 401
    assert client.get(path(world)).status_code == 401
    for email in ("a1@example.org", world.jurors[0].email, owner.email):
        headers = bearer(api_token(client, email))
        assert client.post(path(world), json=BODY, headers=headers).status_code == 403, email
        assert client.get(path(world), headers=headers).status_code == 403, email
        assert client.get(path(world, "/audience?audience=registered"), headers=headers).status_code == 403
    headers = bearer(api_token(client, world.organiser.email))
    assert client.get(f"/api/v1/challenges/{draft.id}/announcements", headers=headers).status_code == 404
    assert client.post(f"/api/v1/challenges/{2**40}/announcements", json=BODY, headers=headers).status_code == 404
    database.session.rollback()
    assert database.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_the_openapi_document_describes_the_announcement_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/challenges/{challenge_id}/announcements"])
    assert "get" in paths["/api/v1/challenges/{challenge_id}/announcements/audience"]
