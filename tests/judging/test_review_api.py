"""The juror's rows of the contract's Judging table, and the extra endpoints, over HTTP with tokens."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.judging.models import Assignment, Conflict, Review, SafetyFlag
from tests.conftest import api_token, bearer
from tests.factories import make_assignment, make_idea, make_juror, make_team
from tests.judging.test_review_world import MEMBER_NAMES, TEAM_NAMES, attach, build_world, full_scores

API = "/api/v1"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_user(client, world):
    tokens = {}

    def headers(name: str) -> dict[str, str]:
        if name not in tokens:
            tokens[name] = bearer(api_token(client, getattr(world, name).email))
        return tokens[name]

    return headers


def body(world, first=4, second=3, **extra):
    return {"scores": {str(k): v for k, v in full_scores(world, first, second).items()}, "comment": "Clear.", **extra}


def count(db, model) -> int:
    db.session.rollback()  # end the test's read transaction: the requests wrote after it began
    return db.session.scalar(select(func.count()).select_from(model))


def error(response, status: int, code: str):
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    return response.get_json()["error"]


# --- PUT /ideas/{id}/score --------------------------------------------------------------------

def test_put_score_saves_and_answers_total_and_version(client, world, as_user, db):
    url = f"{API}/ideas/{world.idea.id}/score"
    response = client.put(url, json=body(world, private_note="Ask about costs."), headers=as_user("juror"))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["total"] == pytest.approx(11 / 3, abs=1e-9) and answer["version"] == 1
    assert answer["scores"] == {str(k): v for k, v in full_scores(world).items()}
    again = client.put(url, json={**body(world, 5, 5), "version": 1}, headers=as_user("juror"))
    assert again.status_code == 200 and again.get_json()["version"] == 2 and again.get_json()["total"] == 5
    assert again.get_json()["private_note"] == "Ask about costs."  # left out: kept
    same = client.put(url, json=body(world, 5, 5), headers=as_user("juror"))
    assert same.status_code == 200 and same.get_json()["version"] == 3
    assert count(db, Review) == 1


@pytest.mark.parametrize("scores, bad", [
    ({"first": 6, "second": 3}, "first"), ({"first": 0, "second": 3}, "first"), ({"first": 3}, "second"),
    ({"first": 2.5, "second": 3}, "first"), ({"first": "4", "second": 3}, "first"),
])
def test_put_score_out_of_scale_or_missing_is_422(client, world, as_user, scores, bad):
    ids = {"first": str(world.criteria[0]), "second": str(world.criteria[1])}
    sent = {"scores": {ids[name]: value for name, value in scores.items()}, "comment": ""}
    found = error(client.put(f"{API}/ideas/{world.idea.id}/score", json=sent, headers=as_user("juror")),
                  422, "validation_failed")
    assert set(found["fields"]) == {f"scores.{ids[bad]}"}


@pytest.mark.parametrize("sent, field", [({}, "scores"), ({"scores": [4, 3]}, "scores"),
                                         ({"scores": {}, "comment": 5}, "comment")])
def test_put_score_with_a_body_of_the_wrong_shape_is_422(client, world, as_user, sent, field):
    found = error(client.put(f"{API}/ideas/{world.idea.id}/score", json=sent, headers=as_user("juror")),
                  422, "validation_failed")
    assert field in found["fields"]


def test_put_score_malformed_json_is_400(client, world, as_user):
    response = client.put(f"{API}/ideas/{world.idea.id}/score", data="{not json",
                          headers={**as_user("juror"), "Content-Type": "application/json"})
    assert response.status_code == 400


def test_put_score_stale_version_is_409_version_conflict(client, world, as_user, db):
    url = f"{API}/ideas/{world.idea.id}/score"
    assert client.put(url, json={**body(world), "version": 0}, headers=as_user("juror")).status_code == 200
    error(client.put(url, json={**body(world, 1, 1), "version": 0}, headers=as_user("juror")), 409,
          "version_conflict")
    assert client.get(url, headers=as_user("juror")).get_json()["scores"][str(world.criteria[0])] == 4


@pytest.mark.parametrize("status", ["open", "published"])
def test_put_score_outside_judging_is_409_not_judging(client, world, as_user, db, status):
    world.challenge.status = status
    db.session.commit()
    error(client.put(f"{API}/ideas/{world.idea.id}/score", json=body(world), headers=as_user("juror")), 409,
          "not_judging")


@pytest.mark.parametrize("who, which", [("conflicted", "idea"), ("unassigned", "idea"), ("outsider", "idea"),
                                        ("ana", "idea"), ("organiser", "idea"), ("juror", "draft"),
                                        ("juror", "other_idea")])
def test_put_score_by_anyone_not_assigned_is_404(client, world, as_user, who, which):
    error(client.put(f"{API}/ideas/{getattr(world, which).id}/score", json=body(world), headers=as_user(who)),
          404, "not_found")


def test_put_score_anonymous_is_401(client, world):
    error(client.put(f"{API}/ideas/{world.idea.id}/score", json=body(world)), 401, "unauthorised")


# --- GET /ideas/{id}/score --------------------------------------------------------------------

def test_get_score_is_the_callers_own_review_only(client, world, as_user):
    url = f"{API}/ideas/{world.idea.id}/score"
    error(client.get(url, headers=as_user("juror")), 404, "not_found")  # not yet scored
    client.put(url, json=body(world, private_note="Mine."), headers=as_user("juror"))
    mine = client.get(url, headers=as_user("juror")).get_json()
    assert (mine["version"], mine["comment"], mine["private_note"]) == (1, "Clear.", "Mine.")
    assert mine["total"] == pytest.approx(11 / 3, abs=1e-9)
    # Another juror of the same idea never sees it: their own is still missing.
    error(client.get(url, headers=as_user("colleague")), 404, "not_found")
    for who in ("conflicted", "unassigned", "ana", "outsider"):
        error(client.get(url, headers=as_user(who)), 404, "not_found")
    error(client.get(url), 401, "unauthorised")


# --- GET /me/assignments ----------------------------------------------------------------------

def test_my_assignments_is_a_page_of_the_callers_entries(client, world, as_user, db):
    client.put(f"{API}/ideas/{world.idea.id}/score", json=body(world), headers=as_user("juror"))
    answer = client.get(f"{API}/me/assignments", headers=as_user("juror")).get_json()
    assert answer["total"] == 2 and answer["page"] == 1 and answer["per_page"] == 20
    assert [{k: item[k] for k in ("idea_id", "challenge_id", "title", "scored")} for item in answer["items"]] == [
        {"idea_id": world.idea.id, "challenge_id": world.challenge.id, "title": "Heart failure care at home",
         "scored": True},
        {"idea_id": world.rival_idea.id, "challenge_id": world.challenge.id,
         "title": "Asthma coaching by text message", "scored": False}]
    second = client.get(f"{API}/me/assignments?page=2&per_page=1", headers=as_user("juror")).get_json()
    assert [i["idea_id"] for i in second["items"]] == [world.rival_idea.id] and second["total"] == 2
    assert client.get(f"{API}/me/assignments", headers=as_user("conflicted")).get_json()["items"] == []
    assert client.get(f"{API}/me/assignments", headers=as_user("ana")).get_json()["total"] == 0
    error(client.get(f"{API}/me/assignments?per_page=0", headers=as_user("juror")), 422, "validation_failed")
    error(client.get(f"{API}/me/assignments"), 401, "unauthorised")


# --- POST /ideas/{id}/conflict ----------------------------------------------------------------

def test_declaring_a_conflict_is_201_and_hides_the_idea(client, world, as_user, db):
    url = f"{API}/ideas/{world.idea.id}"
    assert client.get(url, headers=as_user("juror")).status_code == 200
    client.put(f"{url}/score", json=body(world), headers=as_user("juror"))
    response = client.post(f"{url}/conflict", json={"reason": "My sister is in this team."}, headers=as_user("juror"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["source"] == "declared" and response.get_json()["idea_id"] == world.idea.id
    for path in (url, f"{url}/score"):
        error(client.get(path, headers=as_user("juror")), 404, "not_found")
    error(client.put(f"{url}/score", json=body(world), headers=as_user("juror")), 404, "not_found")
    error(client.post(f"{url}/conflict", json={"reason": "Again"}, headers=as_user("juror")), 404, "not_found")
    items = client.get(f"{API}/me/assignments", headers=as_user("juror")).get_json()["items"]
    assert [i["idea_id"] for i in items] == [world.rival_idea.id]
    assert count(db, Conflict) == 1


def test_declaring_a_conflict_refusals(client, world, as_user, db):
    url = f"{API}/ideas/{world.idea.id}/conflict"
    assert "reason" in error(client.post(url, json={}, headers=as_user("juror")), 422, "validation_failed")["fields"]
    assert "reason" in error(client.post(url, json={"reason": " "}, headers=as_user("juror")), 422,
                             "validation_failed")["fields"]
    for who in ("unassigned", "conflicted", "ana", "outsider"):
        error(client.post(url, json={"reason": "x"}, headers=as_user(who)), 404, "not_found")
    error(client.post(url, json={"reason": "x"}), 401, "unauthorised")
    db.session.rollback()
    world.challenge.status = "published"
    db.session.commit()
    error(client.post(url, json={"reason": "x"}, headers=as_user("juror")), 409, "not_judging")
    assert count(db, Assignment) == 6


# --- POST /ideas/{id}/safety-flags ------------------------------------------------------------

def test_raising_a_safety_flag(client, world, as_user, db):
    url = f"{API}/ideas/{world.idea.id}/safety-flags"
    response = client.post(url, json={"kind": "data_protection", "reason": "Health data by SMS."},
                           headers=as_user("colleague"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["kind"] == "data_protection" and response.get_json()["cleared"] is False
    found = error(client.post(url, json={"kind": "gossip", "reason": ""}, headers=as_user("juror")), 422,
                  "validation_failed")
    assert set(found["fields"]) == {"kind", "reason"}
    error(client.post(url, json={"kind": "patient_safety", "reason": "x"}, headers=as_user("unassigned")), 404,
          "not_found")
    error(client.post(url, json={"kind": "patient_safety", "reason": "x"}), 401, "unauthorised")
    assert count(db, SafetyFlag) == 1


# --- GET /ideas/{id} and its attachments, as a juror --------------------------------------------

def test_an_assigned_juror_reads_the_idea_others_get_404(client, world, as_user, db):
    attachment = attach(world.idea)
    url = f"{API}/ideas/{world.idea.id}"
    assert client.get(url, headers=as_user("juror")).get_json()["title"] == "Heart failure care at home"
    assert client.get(f"{url}/attachments/{attachment.id}", headers=as_user("juror")).status_code == 200
    for who in ("conflicted", "unassigned", "outsider"):
        error(client.get(url, headers=as_user(who)), 404, "not_found")
        error(client.get(f"{url}/attachments/{attachment.id}", headers=as_user(who)), 404, "not_found")
    error(client.get(f"{API}/ideas/{world.draft.id}", headers=as_user("juror")), 404, "not_found")


def test_with_blind_review_a_juror_sees_no_team_or_member_name_in_the_api(client, world, as_user):
    attach(world.idea)
    text = client.get(f"{API}/ideas/{world.idea.id}", headers=as_user("juror")).get_data(as_text=True)
    for name in TEAM_NAMES + MEMBER_NAMES:
        assert name not in text


def test_the_openapi_document_describes_the_juror_endpoints(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert {"put", "get"} <= set(paths["/api/v1/ideas/{idea_id}/score"])
    assert "get" in paths["/api/v1/me/assignments"]
    assert "post" in paths["/api/v1/ideas/{idea_id}/conflict"]
    assert "post" in paths["/api/v1/ideas/{idea_id}/safety-flags"]


def test_a_juror_of_two_challenges_sees_both_in_one_list(client, world, as_user, db):
    make_juror(world.other, world.juror)
    make_assignment(world.other_idea, world.juror)
    extra = make_idea(make_team(world.other, world.mihai, name="Second team"), status="submitted", title="Third")
    make_assignment(extra, world.juror)
    items = client.get(f"{API}/me/assignments", headers=as_user("juror")).get_json()["items"]
    assert [i["challenge_id"] for i in items] == [world.challenge.id] * 2 + [world.other.id] * 2
