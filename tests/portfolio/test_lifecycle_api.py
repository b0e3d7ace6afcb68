"""The lifecycle in the JSON API: POST /portfolio/{id}/updates as the contract says, and the
milestone, funding, indicator and evaluation endpoints, each refused from every side."""
from __future__ import annotations

import pytest

from app.portfolio.models import Indicator, Milestone, ProjectUpdate
from tests.conftest import api_token, bearer
from tests.portfolio.lifecycle_support import XSS_PAYLOADS, assert_no_live_markup, lifecycle_world, make_project


@pytest.fixture
def world(db, frozen_clock):
    return lifecycle_world()


@pytest.fixture
def tokens(client, world):
    return {who: bearer(api_token(client, getattr(world, who).email))
            for who in ("admin", "organiser", "participant", "other_organiser")}


def base(world) -> str:
    return f"/api/v1/portfolio/{world.project.id}"


# --- POST /portfolio/{id}/updates -----------------------------------------------------------------

def test_an_editor_posts_an_update_that_changes_the_stage(client, world, tokens, frozen_clock):
    response = client.post(f"{base(world)}/updates", headers=tokens["organiser"],
                           json={"title": "Deployed", "body": "In **all** practices.", "stage": "deployed"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "title", "body", "html", "stage_from", "stage_to", "created_at", "author"}
    assert (body["title"], body["body"], body["stage_from"], body["stage_to"], body["author"]) == \
        ("Deployed", "In **all** practices.", "pilot", "deployed", "Olga Organiser")
    assert body["html"] == "<p>In <strong>all</strong> practices.</p>\n"
    assert body["created_at"] == "2026-11-20T10:00:00+00:00"
    shown = client.get(base(world)).get_json()
    assert shown["stage"] == "deployed" and shown["updates"][0]["id"] == body["id"]
    listed = client.get(f"{base(world)}/updates").get_json()
    assert listed["total"] == 1 and listed["items"][0]["author"] == "Olga Organiser"


def test_an_update_without_a_stage_needs_no_stage_field(client, world, tokens):
    response = client.post(f"{base(world)}/updates", headers=tokens["admin"], json={"title": "News", "body": ""})
    assert response.status_code == 201
    assert response.get_json()["stage_from"] is None and response.get_json()["stage_to"] is None


@pytest.mark.parametrize("payload, fields", [
    ({"body": "no title"}, {"title"}),
    ({"title": "No body"}, {"body"}),
    ({"title": "", "body": ""}, {"title"}),
    ({"title": "x" * 201, "body": ""}, {"title"}),
    ({"title": "Ok", "body": "b" * 20_001}, {"body"}),
    ({"title": "Ok", "body": "", "stage": "done"}, {"stage"}),
    ({"title": "Ok", "body": "", "stage": "stopped"}, {"stopped_reason"}),
    ({"title": "Ok", "body": "", "stage": 3}, {"stage"}),
    ({"title": ["Ok"], "body": ""}, {"title"}),
])
def test_bad_updates_answer_422_with_fields(client, world, tokens, payload, fields):
    response = client.post(f"{base(world)}/updates", headers=tokens["admin"], json=payload)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and set(error["fields"]) == fields


def test_a_malformed_body_answers_400(client, world, tokens):
    response = client.post(f"{base(world)}/updates", headers={**tokens["admin"], "Content-Type": "application/json"},
                           data="{not json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"


def test_updates_are_refused_from_every_side(client, db, world, tokens):
    payload = {"title": "Hello", "body": ""}
    assert client.post(f"{base(world)}/updates", json=payload).status_code == 401
    assert client.post(f"{base(world)}/updates", json=payload,
                       headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    for who in ("participant", "other_organiser"):
        response = client.post(f"{base(world)}/updates", json=payload, headers=tokens[who])
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    for missing in ("/api/v1/portfolio/999999/updates", "/api/v1/portfolio/99999999999/updates"):
        assert client.post(missing, json=payload, headers=tokens["admin"]).status_code == 404
    db.session.rollback()
    assert ProjectUpdate.query.count() == 0


def test_a_local_initiative_is_not_the_organisers_to_update(client, db, world, tokens):
    db.session.rollback()  # end the test's read snapshot before writing beside the requests
    local = make_project(title="Local initiative")
    payload = {"title": "Hello", "body": ""}
    assert client.post(f"/api/v1/portfolio/{local.id}/updates", json=payload,
                       headers=tokens["organiser"]).status_code == 403
    assert client.post(f"/api/v1/portfolio/{local.id}/updates", json=payload,
                       headers=tokens["admin"]).status_code == 201


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_update_bodies_are_sanitised_in_the_api(client, world, tokens, payload):
    response = client.post(f"{base(world)}/updates", headers=tokens["admin"],
                           json={"title": "XSS", "body": f"Before\n\n{payload}\n\nAfter"})
    assert response.status_code == 201
    body = response.get_json()
    assert payload in body["body"]  # stored as written
    assert_no_live_markup(body["html"])


# --- milestones -----------------------------------------------------------------------------------

def test_milestones_through_the_api(client, db, world, tokens, frozen_clock):
    created = client.post(f"{base(world)}/milestones", headers=tokens["organiser"],
                          json={"title": "Ethics approval", "planned_on": "2026-11-01"})
    assert created.status_code == 201, created.get_json()
    milestone = created.get_json()
    assert milestone["done"] is False and milestone["overdue"] is True and milestone["project_progress"] == 0
    done = client.patch(f"{base(world)}/milestones/{milestone['id']}", headers=tokens["organiser"],
                        json={"done": True})
    assert done.status_code == 200
    assert done.get_json()["done_on"] == "2026-11-20" and done.get_json()["project_progress"] == 100
    assert client.get(base(world)).get_json()["progress"] == 100
    second = client.post(f"{base(world)}/milestones", headers=tokens["organiser"], json={"title": "Enrolment"})
    assert second.get_json()["project_progress"] == 50
    listed = client.get(f"{base(world)}/milestones").get_json()
    assert [m["title"] for m in listed["items"]] == ["Ethics approval", "Enrolment"] and listed["total"] == 2
    reopened = client.patch(f"{base(world)}/milestones/{milestone['id']}", headers=tokens["admin"],
                            json={"done": False})
    assert reopened.get_json()["done_on"] is None and reopened.get_json()["project_progress"] == 0
    removed = client.delete(f"{base(world)}/milestones/{milestone['id']}", headers=tokens["admin"])
    assert removed.status_code == 204 and removed.data == b""
    db.session.rollback()
    assert Milestone.query.count() == 1


def test_milestone_errors(client, db, world, tokens):
    db.session.rollback()
    other = make_project(title="Other", origin_challenge=world.challenge)
    foreign = client.post(f"/api/v1/portfolio/{other.id}/milestones", headers=tokens["admin"],
                          json={"title": "Theirs"}).get_json()["id"]
    url = f"{base(world)}/milestones"
    assert client.post(url, json={"title": "x"}).status_code == 401
    assert client.post(url, json={"title": "x"}, headers=tokens["participant"]).status_code == 403
    assert client.post(url, json={"title": "x"}, headers=tokens["other_organiser"]).status_code == 403
    assert client.post("/api/v1/portfolio/999999/milestones", json={"title": "x"},
                       headers=tokens["admin"]).status_code == 404
    assert client.patch(f"{url}/{foreign}", json={"title": "Mine"}, headers=tokens["admin"]).status_code == 404
    assert client.delete(f"{url}/{foreign}", headers=tokens["admin"]).status_code == 404
    assert client.delete(f"{url}/{foreign}", headers=tokens["participant"]).status_code == 403
    response = client.post(url, json={"title": "", "planned_on": "tomorrow", "done": "yes"}, headers=tokens["admin"])
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"title", "planned_on", "done"}
    response = client.post(url, json={"title": "Ok", "done": True, "done_on": "2027-01-01"}, headers=tokens["admin"])
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"done_on"}


# --- funding --------------------------------------------------------------------------------------

def test_funding_sources_through_the_api(client, world, tokens):
    url = f"{base(world)}/funding"
    first = client.post(url, headers=tokens["admin"], json={"programme": "PNRR", "amount": 300000,
                                                            "starts_on": "2026-01-01", "ends_on": "2027-06-30"})
    assert first.status_code == 201
    assert first.get_json() | {"id": 0} == {"id": 0, "programme": "PNRR", "amount": 300000.0, "currency": "EUR",
                                            "starts_on": "2026-01-01", "ends_on": "2027-06-30", "share": 100.0}
    second = client.post(url, headers=tokens["organiser"], json={"programme": "Municipal budget", "amount": "100000"})
    assert second.get_json()["share"] == 25.0
    changed = client.patch(f"{url}/{second.get_json()['id']}", headers=tokens["organiser"],
                           json={"currency": "ron"})
    assert changed.status_code == 200 and changed.get_json()["currency"] == "RON"
    assert changed.get_json()["share"] == 100.0
    programmes = [s["programme"] for s in client.get(base(world)).get_json()["funding_sources"]]
    assert programmes == ["PNRR", "Municipal budget"]
    bad = client.patch(f"{url}/{first.get_json()['id']}", headers=tokens["admin"], json={"ends_on": "2025-01-01"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"ends_on"}
    bad = client.post(url, headers=tokens["admin"], json={"amount": -5, "currency": "EURO"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"programme", "amount", "currency"}
    assert client.post(url, json={"programme": "x"}, headers=tokens["participant"]).status_code == 403
    assert client.delete(f"{url}/{first.get_json()['id']}", headers=tokens["admin"]).status_code == 204
    assert client.delete(f"{url}/{first.get_json()['id']}", headers=tokens["admin"]).status_code == 404


# --- indicators -----------------------------------------------------------------------------------

def test_indicator_values_through_the_api(client, world, tokens):
    created = client.post(f"{base(world)}/indicators", headers=tokens["organiser"],
                          json={"name": "Waiting time", "unit": "days", "baseline": 30, "target": 7})
    assert created.status_code == 201
    indicator = created.get_json()
    assert indicator["current"] == 30.0 and indicator["history"] == []
    url = f"{base(world)}/indicators/{indicator['id']}/values"
    first = client.post(url, headers=tokens["organiser"], json={"value": 21, "recorded_on": "2026-10-01"})
    assert first.status_code == 201
    second = client.post(url, headers=tokens["organiser"], json={"value": 14.5})
    assert second.get_json()["current"] == 14.5
    assert second.get_json()["history"] == [{"recorded_on": "2026-10-01", "value": 21.0},
                                            {"recorded_on": "2026-11-20", "value": 14.5}]
    listed = client.get(f"{base(world)}/indicators").get_json()
    assert listed["total"] == 1 and len(listed["items"][0]["history"]) == 2
    changed = client.patch(f"{base(world)}/indicators/{indicator['id']}", headers=tokens["admin"],
                           json={"target": 5, "unit": "working days"})
    assert changed.status_code == 200 and changed.get_json()["target"] == 5.0
    assert len(changed.get_json()["history"]) == 2
    refused = client.patch(f"{base(world)}/indicators/{indicator['id']}", headers=tokens["admin"], json={"baseline": 1})
    assert refused.status_code == 422 and set(refused.get_json()["error"]["fields"]) == {"baseline"}
    kept = client.delete(f"{base(world)}/indicators/{indicator['id']}", headers=tokens["admin"])
    assert kept.status_code == 409 and kept.get_json()["error"]["code"] == "indicator_has_history"


def test_indicator_value_errors(client, db, world, tokens):
    indicator = client.post(f"{base(world)}/indicators", headers=tokens["admin"], json={"name": "Reach"}).get_json()
    url = f"{base(world)}/indicators/{indicator['id']}/values"
    assert client.post(url, json={"value": 1}).status_code == 401
    assert client.post(url, json={"value": 1}, headers=tokens["participant"]).status_code == 403
    assert client.post(url, json={"value": 1}, headers=tokens["other_organiser"]).status_code == 403
    assert client.post(f"{base(world)}/indicators/999999/values", json={"value": 1},
                       headers=tokens["admin"]).status_code == 404
    assert client.post(f"/api/v1/portfolio/999999/indicators/{indicator['id']}/values", json={"value": 1},
                       headers=tokens["admin"]).status_code == 404
    bad = client.post(url, json={"value": "lots", "recorded_on": "2030-01-01"}, headers=tokens["admin"])
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"value", "recorded_on"}
    assert client.post(url, headers=tokens["admin"]).status_code == 422
    db.session.rollback()
    assert Indicator.query.one().current is None


# --- evaluation -----------------------------------------------------------------------------------

def test_the_evaluation_through_the_api(client, world, tokens):
    url = f"{base(world)}/evaluation"
    assert client.get(url).status_code == 404
    saved = client.put(url, headers=tokens["organiser"],
                       json={"domains": {"safety": {"finding": "No incident in 6 months.", "rating": 4}},
                             "transferability": "Any county.", "evaluator": "UMF Iași", "evaluated_on": "2026-10-01"})
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["domains"]["safety"] == {"finding": "No incident in 6 months.", "rating": 4}
    assert body["domains"]["economic_aspects"] == {"finding": "", "rating": None} and len(body["domains"]) == 7
    assert client.get(url).get_json() == body
    bad = client.put(url, headers=tokens["organiser"], json={"domains": {"safety": {"rating": 9}, "fun": {}}})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"domains.safety.rating", "domains.fun"}
    assert client.put(url, json={}).status_code == 401
    assert client.put(url, json={}, headers=tokens["participant"]).status_code == 403
    assert client.put("/api/v1/portfolio/999999/evaluation", json={}, headers=tokens["admin"]).status_code == 404


def test_the_openapi_document_describes_the_lifecycle(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, methods in {"/portfolio/{project_id}/updates": {"post", "get"},
                          "/portfolio/{project_id}/milestones": {"post", "get"},
                          "/portfolio/{project_id}/milestones/{milestone_id}": {"patch", "delete"},
                          "/portfolio/{project_id}/funding": {"post"},
                          "/portfolio/{project_id}/indicators/{indicator_id}/values": {"post"},
                          "/portfolio/{project_id}/evaluation": {"put", "get"}}.items():
        key = next(k for k in paths if k.endswith(path))
        assert methods <= set(paths[key]), (path, paths[key].keys())
