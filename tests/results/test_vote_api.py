"""The People's choice in the JSON API: every refusal with its status and code, counts hidden until
the vote closes, and the organisers' switch."""
from __future__ import annotations

import pytest

from app.extensions import db as database
from app.results import votes
from tests.conftest import api_token, bearer
from tests.results.test_vote_world import settle, more_entries, open_world, other_challenge, vote_rows, voter


@pytest.fixture
def world(db):
    made = open_world(db)
    database.session.commit()
    return made


def path(world, suffix: str = "vote") -> str:
    return f"/api/v1/challenges/{world.challenge.id}/{suffix}"


def as_user(client, email: str) -> dict[str, str]:
    return bearer(api_token(client, email))


def ballot(client, world, idea_name: str, headers: dict[str, str] | None = None):
    return client.post(path(world, "votes"), json={"idea_id": world.ideas[idea_name].id}, headers=headers or {})


def error(response) -> tuple[int, str]:
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return response.status_code, body["error"]["code"]


def test_anyone_reads_the_open_vote_without_counts(client, world):
    body = client.get(path(world)).get_json()
    assert body["status"] == "open" and body["votes_per_person"] == 3 and body["allowed_domains"] == []
    assert sorted(e["title"] for e in body["entries"]) == ["Idea Alpha", "Idea Beta", "Idea Delta", "Idea Gamma"]
    assert body["my_votes"] == [] and body["votes_left"] is None
    assert body["counts"] is None and body["winner"] is None
    assert body["stats"] is None and body["bursts"] is None
    assert body["closed_at"] is None and body["opened_at"]


def test_a_voter_sees_their_votes_but_no_counts_and_the_organiser_only_totals(client, world):
    headers = as_user(client, voter(1).email)
    response = ballot(client, world, "Beta", headers)
    assert response.status_code == 201
    assert response.get_json() == {**response.get_json(), "idea_id": world.ideas["Beta"].id, "votes_left": 2}
    body = client.get(path(world), headers=headers).get_json()
    assert (body["my_votes"], body["votes_left"], body["counts"]) == ([world.ideas["Beta"].id], 2, None)
    organiser = client.get(path(world), headers=as_user(client, "olga@example.org")).get_json()
    assert organiser["counts"] is None and organiser["winner"] is None
    assert organiser["stats"] == {"votes": 1, "voters": 1} and organiser["bursts"] == []


def test_refusals_answer_with_their_status_and_code(client, world, db):
    assert error(ballot(client, world, "Beta")) == (401, "unauthorised")
    member = as_user(client, "a1@example.org")
    assert error(ballot(client, world, "Alpha", member)) == (403, "own_entry")
    assert error(ballot(client, world, "Epsilon", member)) == (404, "not_found")
    assert error(client.post(path(world, "votes"), json={"idea_id": 2**40}, headers=member)) == (404, "not_found")
    for body in ({}, {"idea_id": "x"}, {"idea_id": True}, {"idea_id": 1.5}):
        response = client.post(path(world, "votes"), json=body, headers=member)
        assert error(response) == (422, "validation_failed") and "idea_id" in response.get_json()["error"]["fields"]
    assert ballot(client, world, "Beta", member).status_code == 201
    assert error(ballot(client, world, "Beta", member)) == (409, "already_voted")
    assert ballot(client, world, "Gamma", member).status_code == 201
    assert ballot(client, world, "Delta", member).status_code == 201
    assert ballot(client, world, "Alpha", as_user(client, voter(2).email)).status_code == 201
    assert len(vote_rows(world.challenge.id)) == 4


def test_the_cap_and_taking_back(client, world):
    headers = as_user(client, voter(1).email)
    for name in ("Alpha", "Beta", "Gamma"):
        assert ballot(client, world, name, headers).status_code == 201
    assert error(ballot(client, world, "Delta", headers)) == (409, "vote_limit_reached")
    delete = client.delete(path(world, f"votes/{world.ideas['Alpha'].id}"), headers=headers)
    assert delete.status_code == 204 and delete.get_data() == b""
    assert error(client.delete(path(world, f"votes/{world.ideas['Alpha'].id}"), headers=headers)) == \
        (404, "not_found")
    assert ballot(client, world, "Delta", headers).status_code == 201
    assert error(client.delete(path(world, f"votes/{world.ideas['Alpha'].id}"))) == (401, "unauthorised")


def test_unconfirmed_and_outside_the_allowed_domains(client, world, db):
    person = voter(1)
    headers = as_user(client, person.email)
    settle()
    person.confirmed_at = None
    database.session.commit()
    response = ballot(client, world, "Beta", headers)
    assert error(response) == (403, "email_not_confirmed")
    assert "Confirm your e-mail address" in response.get_json()["error"]["message"]
    organiser = as_user(client, "olga@example.org")
    assert client.put(path(world), json={"status": "open", "allowed_domains": "iasi.ro"},
                      headers=organiser).status_code == 200
    response = ballot(client, world, "Beta", as_user(client, voter(2).email))
    assert error(response) == (403, "domain_not_allowed") and "iasi.ro" in response.get_json()["error"]["message"]
    assert ballot(client, world, "Beta", as_user(client, voter(3, "ana@spital.iasi.ro").email)).status_code == 201


def test_closed_vote_refuses_and_shows_counts_and_winner_to_everyone(client, world):
    headers = as_user(client, voter(1).email)
    ballot(client, world, "Gamma", headers)
    ballot(client, world, "Beta", as_user(client, voter(2).email))
    ballot(client, world, "Gamma", as_user(client, voter(3).email))
    organiser = as_user(client, "olga@example.org")
    response = client.put(path(world), json={"status": "closed"}, headers=organiser)
    assert response.status_code == 200 and response.get_json()["status"] == "closed"
    assert error(ballot(client, world, "Delta", headers)) == (409, "vote_closed")
    assert error(client.delete(path(world, f"votes/{world.ideas['Gamma'].id}"), headers=headers)) == \
        (409, "vote_closed")
    body = client.get(path(world)).get_json()
    assert body["closed_at"] and body["winner"] == world.ideas["Gamma"].id
    assert [(row["title"], row["votes"]) for row in body["counts"]][:2] == [("Idea Gamma", 2), ("Idea Beta", 1)]
    assert {row["title"] for row in body["counts"]} == {"Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"}


def test_the_organisers_switch(client, world, db):
    organiser = as_user(client, "olga@example.org")
    assert error(client.put(path(world), json={"status": "closed"})) == (401, "unauthorised")
    assert error(client.put(path(world), json={"status": "closed"}, headers=as_user(client, "a1@example.org"))) \
        == (403, "forbidden")
    response = client.put(path(world), json={"status": "open", "votes_per_person": 0, "allowed_domains": ["x"]},
                          headers=organiser)
    assert error(response) == (422, "validation_failed")
    assert set(response.get_json()["error"]["fields"]) == {"votes_per_person", "allowed_domains"}
    for body in ({}, {"status": "maybe"}, {"status": "open", "votes_per_person": "3"},
                 {"status": "open", "votes_per_person": 2**63}):
        assert error(client.put(path(world), json=body, headers=organiser)) == (422, "validation_failed")
    response = client.put(path(world), json={"status": "open", "votes_per_person": 5,
                                             "allowed_domains": ["Example.org", "iasi.ro"]}, headers=organiser)
    assert response.status_code == 200
    assert (response.get_json()["votes_per_person"], response.get_json()["allowed_domains"]) == \
        (5, ["example.org", "iasi.ro"])
    other, _idea = other_challenge(world)
    assert error(client.put(f"/api/v1/challenges/{other.id}/vote", json={"status": "closed"}, headers=organiser)) \
        == (409, "vote_closed")
    assert error(client.get(f"/api/v1/challenges/{other.id}/vote")) == (404, "not_found")
    settle()
    world.challenge.status = "published"
    database.session.commit()
    assert error(client.put(path(world), json={"status": "open"}, headers=organiser)) == (409, "already_published")
    assert client.get(path(world)).get_json()["status"] == "closed"


def test_a_draft_challenge_is_not_found(client, db, world):
    from tests.factories import make_challenge

    draft = make_challenge(status="draft", organisers=[world.organiser], title="Draft")
    organiser = as_user(client, "olga@example.org")
    assert error(client.put(f"/api/v1/challenges/{draft.id}/vote", json={"status": "open"},
                            headers=as_user(client, "a1@example.org"))) == (404, "not_found")
    assert error(client.put(f"/api/v1/challenges/{draft.id}/vote", json={"status": "open"}, headers=organiser)) \
        == (409, "not_open")
    assert error(client.get(f"/api/v1/challenges/{draft.id}/vote")) == (404, "not_found")
    assert error(client.get("/api/v1/challenges/99999999999/vote")) == (404, "not_found")


def test_the_vote_state_needs_the_same_number_of_queries_for_4_or_12_entries(app, client, world):
    from tests.results.test_vote_web import counting

    headers = as_user(client, voter(1).email)
    ballot(client, world, "Beta", headers)

    def statements() -> int:
        client.get(path(world), headers=headers)
        with counting(database.engine) as seen:
            assert client.get(path(world), headers=headers).status_code == 200
        return len(seen)

    few = statements()
    more_entries(world, 8)
    assert statements() == few
    votes.set_vote(world.challenge, world.organiser, status="closed")
    closed = statements()
    assert len(client.get(path(world)).get_json()["counts"]) == 12
    more_entries(world, 4)
    assert statements() == closed


def test_openapi_describes_the_vote(client):
    document = client.get("/api/v1/openapi.json").get_json()
    vote = document["paths"]["/api/v1/challenges/{challenge_id}/vote"]
    assert {"get", "put"} <= set(vote)
    assert {"200", "401", "403", "404", "409", "422"} <= set(vote["put"]["responses"])
    post = document["paths"]["/api/v1/challenges/{challenge_id}/votes"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(post["responses"])
    delete = document["paths"]["/api/v1/challenges/{challenge_id}/votes/{idea_id}"]["delete"]
    assert {"204", "401", "404", "409"} <= set(delete["responses"])
