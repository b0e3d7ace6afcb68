"""PUT /api/v1/challenges/{id}/awards: the answer, and every refusal (401, 403, 404, 409, 422, 400)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.challenges.models import Challenge
from app.core.audit import AuditEvent
from tests.conftest import api_token, bearer, make_user
from tests.factories import make_challenge, make_idea, make_team
from tests.results.scenario import judged

API = "/api/v1"


@pytest.fixture
def setup(app, db, frozen_clock):
    world = judged(db)
    other = make_challenge(title="Elsewhere", status="judging", organisers=[world.organiser])
    foreign = make_idea(make_team(other, make_user("f1@example.org"), name="Foreign"), status="submitted")
    draft = make_challenge(title="Hidden draft", status="draft", organisers=[make_user("owner@example.org")])
    ids = SimpleNamespace(challenge=world.challenge.id, draft=draft.id, foreign=foreign.id,
                          **{name.lower(): idea.id for name, idea in world.ideas.items()})
    db.session.rollback()
    return ids


def put(client, challenge_id, body, email="olga@example.org", **kwargs):
    headers = bearer(api_token(client, email)) if email else {}
    return client.put(f"{API}/challenges/{challenge_id}/awards", json=body, headers=headers, **kwargs)


def error_of(response):
    return response.get_json()["error"]


def set_status(db, challenge_id, status):
    db.session.get(Challenge, challenge_id).status = status
    db.session.commit()


def test_put_replaces_the_list_and_answers_it_with_total_and_budget(client, db, setup):
    first = put(client, setup.challenge, {"awards": [{"idea_id": setup.beta, "name": "Second", "amount": 100}]})
    assert first.status_code == 200
    response = put(client, setup.challenge, {"awards": [
        {"idea_id": setup.alpha, "name": "First prize", "amount": 60000.5},
        {"idea_id": setup.gamma, "name": "Special mention"},
        {"idea_id": setup.alpha, "name": "People's favourite", "amount": "0", "extra": "ignored"}]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [{k: v for k, v in a.items() if k != "id"} for a in body["awards"]] == [
        {"idea_id": setup.alpha, "title": "Idea Alpha", "team": "Team Alpha", "name": "First prize",
         "amount": 60000.5, "source": "organiser"},
        {"idea_id": setup.gamma, "title": "Idea Gamma", "team": "Team Gamma", "name": "Special mention",
         "amount": None, "source": "organiser"},
        {"idea_id": setup.alpha, "title": "Idea Alpha", "team": "Team Alpha", "name": "People's favourite",
         "amount": 0.0, "source": "organiser"},
    ]
    assert all(isinstance(a["id"], int) for a in body["awards"])
    assert (body["total"], body["budget"], body["currency"]) == (60000.5, 100000.0, "EUR")
    assert put(client, setup.challenge, {"awards": []}).get_json()["awards"] == []
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.challenge_id == setup.challenge)).all()
    assert actions == ["awards.changed"] * 3


def test_an_administrator_may_set_the_awards(client, db, setup):
    make_user("admin@example.org", admin=True)
    assert put(client, setup.challenge, {"awards": []}, email="admin@example.org").status_code == 200


def test_without_a_valid_token_401(client, setup):
    response = put(client, setup.challenge, {"awards": []}, email=None)
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorised"
    response = client.put(f"{API}/challenges/{setup.challenge}/awards", json={"awards": []},
                          headers=bearer("not-a-token"))
    assert response.status_code == 401 and error_of(response)["code"] == "invalid_token"


@pytest.mark.parametrize("email", ["juror1@example.org", "a1@example.org", "out@example.org"])
def test_people_who_see_the_challenge_but_do_not_organise_it_403(client, setup, email):
    response = put(client, setup.challenge, {"awards": [{"idea_id": setup.alpha, "name": "Mine"}]}, email=email)
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


def test_unknown_or_hidden_challenges_404(client, setup):
    for challenge_id in (setup.draft, 999999, 2**31):
        response = put(client, challenge_id, {"awards": []})
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert put(client, setup.draft, {"awards": []}, email="owner@example.org").status_code == 409


@pytest.mark.parametrize("status, code", [("open", "not_judging"), ("draft", "not_judging"),
                                          ("published", "already_published"), ("archived", "already_published")])
def test_outside_judging_409(client, db, setup, status, code):
    set_status(db, setup.challenge, status)
    response = put(client, setup.challenge, {"awards": [{"idea_id": setup.alpha, "name": "First"}]})
    assert response.status_code == 409 and error_of(response)["code"] == code


def awarding(setup, **fields):
    return {"awards": [{"idea_id": setup.alpha, "name": "First", **fields}]}


@pytest.mark.parametrize("make_body, field", [
    (lambda s: awarding(s, idea_id=s.epsilon), "awards.0.idea_id"),  # a draft
    (lambda s: awarding(s, idea_id=s.withdrawn), "awards.0.idea_id"),
    (lambda s: awarding(s, idea_id=s.foreign), "awards.0.idea_id"),  # another challenge's entry
    (lambda s: awarding(s, idea_id=987654), "awards.0.idea_id"),
    (lambda s: awarding(s, idea_id=str(s.alpha)), "awards.0.idea_id"),
    (lambda s: awarding(s, idea_id=True), "awards.0.idea_id"),
    (lambda s: {"awards": [{"idea_id": s.alpha}]}, "awards.0.name"),
    (lambda s: awarding(s, name=""), "awards.0.name"),
    (lambda s: awarding(s, name="   "), "awards.0.name"),
    (lambda s: awarding(s, name="x" * 201), "awards.0.name"),
    (lambda s: awarding(s, name=["x"]), "awards.0.name"),
    (lambda s: awarding(s, amount=-1), "awards.0.amount"),
    (lambda s: awarding(s, amount=0.001), "awards.0.amount"),
    (lambda s: awarding(s, amount=1e12), "awards.0.amount"),
    (lambda s: awarding(s, amount=True), "awards.0.amount"),
    (lambda s: awarding(s, amount="lots"), "awards.0.amount"),
    (lambda s: awarding(s, amount={"value": 1}), "awards.0.amount"),
    (lambda s: {"awards": [{"idea_id": s.alpha, "name": "A", "amount": 60000},
                           {"idea_id": s.beta, "name": "B", "amount": 40000.01}]}, "awards"),
    (lambda s: {"awards": "all of them"}, "awards"),
    (lambda s: {"awards": [1]}, "awards.0"),
    (lambda s: {}, "awards"),
])
def test_invalid_awards_422_with_the_field_named(client, db, setup, make_body, field):
    response = put(client, setup.challenge, make_body(setup))
    assert response.status_code == 422, response.get_json()
    error = error_of(response)
    assert error["code"] == "validation_failed" and field in error["fields"], error
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "awards.changed")) is None


def test_the_budget_message_says_budget_exceeded(client, setup):
    response = put(client, setup.challenge, {"awards": [{"idea_id": setup.alpha, "name": "A", "amount": 100000.01}]})
    assert response.status_code == 422
    assert error_of(response)["fields"]["awards"].startswith("Budget exceeded")


def test_amounts_that_json_allows_but_money_does_not_422(client, setup):
    token = api_token(client, "olga@example.org")
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        raw = '{"awards": [{"idea_id": %d, "name": "First", "amount": %s}]}' % (setup.alpha, literal)
        response = client.put(f"{API}/challenges/{setup.challenge}/awards", data=raw,
                              headers={**bearer(token), "Content-Type": "application/json"})
        assert response.status_code == 422 and "awards.0.amount" in error_of(response)["fields"], literal


def test_a_body_that_is_not_a_json_object_400(client, setup):
    token = api_token(client, "olga@example.org")
    for raw in ("[]", "{not json", '"awards"'):
        response = client.put(f"{API}/challenges/{setup.challenge}/awards", data=raw,
                              headers={**bearer(token), "Content-Type": "application/json"})
        assert response.status_code == 400 and error_of(response)["code"] == "malformed_json", raw


def test_the_endpoint_is_in_the_openapi_document(client):
    document = client.get(f"{API}/openapi.json").get_json()
    operation = document["paths"]["/api/v1/challenges/{challenge_id}/awards"]["put"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    assert "requestBody" in operation
