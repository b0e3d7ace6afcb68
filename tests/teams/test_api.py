"""Teams in the JSON API: every row of the contract and each of its error codes."""
from __future__ import annotations

import datetime as dt

import pytest

from app.teams.models import Team, TeamMember
from tests.conftest import api_token, bearer
from tests.teams.conftest import count, new_challenge, new_person, new_team


@pytest.fixture
def tokens(client, cast):
    return {p.name.split()[0].lower(): bearer(api_token(client, p.email)) for p in cast}


def error_code(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def test_create_a_team(client, open_challenge, cast, tokens):
    response = client.post(f"/api/v1/challenges/{open_challenge}/teams", json={"name": "Heart Beats"},
                           headers=tokens["ana"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "Heart Beats" and body["challenge_id"] == open_challenge
    assert body["invite_code"] and body["id"] and body["created_at"]
    assert body["members"] == [{"user_id": cast[0].id, "name": "Ana Pop", "role": "captain",
                                "joined_at": body["members"][0]["joined_at"]}]


def test_create_errors(app, client, open_challenge, tokens):
    url = f"/api/v1/challenges/{open_challenge}/teams"
    assert error_code(client.post(url, json={"name": "Heart Beats"})) == (401, "unauthorised")
    assert client.post(url, json={"name": "Heart Beats"}, headers=tokens["ana"]).status_code == 201
    assert error_code(client.post(url, json={"name": "Other"}, headers=tokens["ana"])) == (409, "already_in_team")
    response = client.post(url, json={"name": " heart  BEATS"}, headers=tokens["bogdan"])
    assert error_code(response) == (409, "team_name_taken")
    for body in ({"name": "x" * 201}, {"name": "   "}, {}):
        response = client.post(url, json=body, headers=tokens["bogdan"])
        assert response.status_code == 422 and "name" in response.get_json()["error"]["fields"], body
    assert client.post(url, data="{", content_type="application/json", headers=tokens["bogdan"]).status_code == 400
    draft = new_challenge(app, status="draft")
    for missing in (draft, 9999):
        response = client.post(f"/api/v1/challenges/{missing}/teams", json={"name": "A"}, headers=tokens["bogdan"])
        assert error_code(response) == (404, "not_found")
    assert count(app, Team) == 1


def test_create_after_the_deadline(app, client, frozen_clock, tokens):
    challenge_id = new_challenge(app, deadline_in=dt.timedelta(minutes=1))
    frozen_clock.advance(minutes=1)
    response = client.post(f"/api/v1/challenges/{challenge_id}/teams", json={"name": "Late"}, headers=tokens["ana"])
    assert error_code(response) == (409, "submissions_closed")
    assert count(app, Team) == 0


def test_join_by_code(app, client, open_challenge, cast, tokens):
    team = new_team(app, open_challenge, cast[0])
    response = client.post("/api/v1/teams/join", json={"invite_code": team.code}, headers=tokens["bogdan"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == team.id
    assert [(m["name"], m["role"]) for m in body["members"]] == [("Ana Pop", "captain"), ("Bogdan Pop", "member")]


def test_join_errors(app, client, frozen_clock, cast, tokens):
    challenge_id = new_challenge(app, team_max_size=2, deadline_in=dt.timedelta(hours=1))
    team = new_team(app, challenge_id, cast[0])
    other = new_team(app, challenge_id, cast[2])

    def join(who: str, code: str):
        return client.post("/api/v1/teams/join", json={"invite_code": code}, headers=tokens[who])

    assert client.post("/api/v1/teams/join", json={"invite_code": team.code}).status_code == 401
    assert error_code(join("bogdan", "no-such-code")) == (404, "not_found")
    assert join("bogdan", team.code).status_code == 200
    assert error_code(join("dan", team.code)) == (409, "team_full")
    assert error_code(join("carla", team.code)) == (409, "already_in_team")
    assert error_code(join("bogdan", other.code)) == (409, "already_in_team")
    frozen_clock.advance(hours=1)
    assert error_code(join("dan", other.code)) == (409, "submissions_closed")
    assert count(app, TeamMember, team_id=other.id) == 1
    draft_team = new_team(app, new_challenge(app, status="draft"), cast[4])
    assert error_code(join("dan", draft_team.code)) == (404, "not_found")


def test_already_in_team_wins_over_a_full_team(app, client, cast, tokens):
    challenge_id = new_challenge(app, team_max_size=2)
    team = new_team(app, challenge_id, cast[0], cast[1])
    response = client.post("/api/v1/teams/join", json={"invite_code": team.code}, headers=tokens["bogdan"])
    assert error_code(response) == (409, "already_in_team")


def test_get_a_team(app, client, cast, tokens):
    organiser = new_person(app, "Olga")
    challenge_id = new_challenge(app, organisers=(organiser,))
    team = new_team(app, challenge_id, cast[0], cast[1])
    new_team(app, challenge_id, cast[2])
    new_team(app, new_challenge(app, title="Elsewhere"), cast[3])
    url = f"/api/v1/teams/{team.id}"
    for who in ("ana", "bogdan"):
        body = client.get(url, headers=tokens[who]).get_json()
        assert body["id"] == team.id and body["invite_code"] == team.code and len(body["members"]) == 2
    assert client.get(url, headers=bearer(api_token(client, organiser.email))).status_code == 200
    for who in ("carla", "dan", "elena"):  # another team, another challenge, no team at all
        response = client.get(url, headers=tokens[who])
        assert error_code(response) == (404, "not_found") and team.code not in response.get_data(as_text=True)
    assert error_code(client.get(url)) == (404, "not_found")  # anonymous
    assert client.get("/api/v1/teams/9999", headers=tokens["ana"]).status_code == 404
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_leave(app, client, open_challenge, cast, tokens):
    team = new_team(app, open_challenge, cast[0], cast[1])
    url = f"/api/v1/teams/{team.id}/leave"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=tokens["carla"]).status_code == 404
    response = client.post(url, headers=tokens["ana"])
    assert response.status_code == 204 and response.get_data() == b""
    body = client.get(f"/api/v1/teams/{team.id}", headers=tokens["bogdan"]).get_json()
    assert [(m["name"], m["role"]) for m in body["members"]] == [("Bogdan Pop", "captain")]
    assert client.post(url, headers=tokens["bogdan"]).status_code == 204
    assert count(app, Team) == 0
    assert client.get(f"/api/v1/teams/{team.id}", headers=tokens["bogdan"]).status_code == 404


def test_leave_after_the_deadline(app, client, frozen_clock, cast, tokens):
    team = new_team(app, new_challenge(app, deadline_in=dt.timedelta(hours=1)), cast[0], cast[1])
    frozen_clock.advance(hours=1)
    assert error_code(client.post(f"/api/v1/teams/{team.id}/leave", headers=tokens["bogdan"])) == \
        (409, "submissions_closed")
    assert count(app, TeamMember, team_id=team.id) == 2


def test_remove_a_member(app, client, open_challenge, cast, tokens):
    team = new_team(app, open_challenge, cast[0], cast[1], cast[2])
    url = f"/api/v1/teams/{team.id}/members/{cast[2].id}"
    assert client.delete(url).status_code == 401
    assert error_code(client.delete(url, headers=tokens["bogdan"])) == (403, "forbidden")
    assert client.delete(url, headers=tokens["dan"]).status_code == 404
    assert client.delete(f"/api/v1/teams/{team.id}/members/{cast[3].id}", headers=tokens["ana"]).status_code == 404
    response = client.delete(f"/api/v1/teams/{team.id}/members/{cast[0].id}", headers=tokens["ana"])
    assert error_code(response) == (409, "captain_cannot_remove_self")
    assert client.delete(url, headers=tokens["ana"]).status_code == 204
    assert count(app, TeamMember, team_id=team.id) == 2


def test_remove_after_the_deadline(app, client, frozen_clock, cast, tokens):
    team = new_team(app, new_challenge(app, deadline_in=dt.timedelta(hours=1)), cast[0], cast[1])
    frozen_clock.advance(hours=1)
    response = client.delete(f"/api/v1/teams/{team.id}/members/{cast[1].id}", headers=tokens["ana"])
    assert error_code(response) == (409, "submissions_closed")
    assert count(app, TeamMember, team_id=team.id) == 2


def test_hand_over_the_captain_role(app, client, open_challenge, cast, tokens):
    team = new_team(app, open_challenge, cast[0], cast[1])
    url = f"/api/v1/teams/{team.id}/captain"
    assert client.post(url, json={"user_id": cast[0].id}, headers=tokens["bogdan"]).status_code == 403
    assert client.post(url, json={"user_id": cast[2].id}, headers=tokens["ana"]).status_code == 404
    assert client.post(url, json={"user_id": "x"}, headers=tokens["ana"]).status_code == 422
    response = client.post(url, json={"user_id": cast[1].id}, headers=tokens["ana"])
    assert response.status_code == 200
    assert {m["name"]: m["role"] for m in response.get_json()["members"]} == {"Ana Pop": "member",
                                                                              "Bogdan Pop": "captain"}


def test_regenerate_the_code(app, client, open_challenge, cast, tokens):
    team = new_team(app, open_challenge, cast[0], cast[1])
    url = f"/api/v1/teams/{team.id}/invite-code"
    assert client.post(url, headers=tokens["bogdan"]).status_code == 403
    assert client.post(url, headers=tokens["carla"]).status_code == 404
    response = client.post(url, headers=tokens["ana"])
    new = response.get_json()["invite_code"]
    assert response.status_code == 200 and new != team.code
    assert client.post("/api/v1/teams/join", json={"invite_code": team.code}, headers=tokens["carla"]).status_code == 404
    assert client.post("/api/v1/teams/join", json={"invite_code": new}, headers=tokens["carla"]).status_code == 200


def test_invite_by_email(app, client, open_challenge, cast, tokens):
    team = new_team(app, open_challenge, cast[0], cast[1])
    url = f"/api/v1/teams/{team.id}/invitations"
    response = client.post(url, json={"email": "friend@example.org"}, headers=tokens["bogdan"])
    assert response.status_code == 202 and response.get_json() == {"status": "queued"}
    assert client.post(url, json={"email": "friend@example.org"}, headers=tokens["carla"]).status_code == 404
    response = client.post(url, json={"email": "nope"}, headers=tokens["ana"])
    assert response.status_code == 422 and "email" in response.get_json()["error"]["fields"]
    assert client.post(url, json={"email": "friend@example.org"}).status_code == 401


def test_the_openapi_document_describes_the_team_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [("/api/v1/challenges/{challenge_id}/teams", "post"), ("/api/v1/teams/join", "post"),
                         ("/api/v1/teams/{team_id}", "get"), ("/api/v1/teams/{team_id}/leave", "post"),
                         ("/api/v1/teams/{team_id}/members/{user_id}", "delete"),
                         ("/api/v1/teams/{team_id}/captain", "post"),
                         ("/api/v1/teams/{team_id}/invite-code", "post"),
                         ("/api/v1/teams/{team_id}/invitations", "post")]:
        assert method in paths[path], path
    assert "201" in paths["/api/v1/challenges/{challenge_id}/teams"]["post"]["responses"]
