"""POST /challenges/{id}/publish-results and GET /challenges/{id}/results: every code of the contract,
the digest recomputed from the answer, and who sees what before and after publication."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from app.extensions import db as database
from app.judging.models import SafetyFlag
from app.results.models import Award
from tests.conftest import api_token, bearer, make_user
from tests.factories import make_challenge
from tests.results.scenario import judged

ORDER = ["Idea Alpha", "Idea Beta", "Idea Gamma", "Idea Delta"]
PEOPLE = {"organiser": "olga@example.org", "participant": "a1@example.org", "juror": "juror1@example.org",
          "outsider": "out@example.org"}


def digest_of(answer) -> str:
    payload = json.dumps({"awards": answer["awards"], "ranking": answer["ranking"]}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@pytest.fixture
def world(app, frozen_clock):
    """The judged scenario with two awards, built outside any request; ids only are handed out."""
    with app.app_context():
        made = judged(visibility="full")
        for position, (idea, name, amount) in enumerate([("Alpha", "Premiul I „Iași”", "5000.00"),
                                                         ("Gamma", "Citizens' prize", None)]):
            database.session.add(Award(challenge_id=made.challenge.id, idea_id=made.ideas[idea].id, name=name,
                                       amount=Decimal(amount) if amount else None, position=position))
        database.session.commit()
        return {"challenge": made.challenge.id, "ideas": {k: v.id for k, v in made.ideas.items()}}


def headers(client, role: str | None) -> dict[str, str]:
    return bearer(api_token(client, PEOPLE[role])) if role else {}


def publish(client, world, role="organiser", **kwargs):
    return client.post(f"/api/v1/challenges/{world['challenge']}/publish-results", headers=headers(client, role),
                       **kwargs)


def test_publishing_answers_the_results_whose_digest_recomputes(client, world, frozen_clock):
    response = publish(client, world)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["published_at"] == frozen_clock.now().isoformat()
    assert [row["title"] for row in answer["ranking"]] == ORDER
    assert answer["awards"][0] == {"idea_id": world["ideas"]["Alpha"], "title": "Idea Alpha", "team": "Team Alpha",
                                   "name": "Premiul I „Iași”", "amount": 5000.0}
    assert answer["awards"][1]["amount"] is None
    assert answer["digest"] == digest_of(answer)
    read = client.get(f"/api/v1/challenges/{world['challenge']}/results").get_json()
    assert read == answer
    assert digest_of(read) == read["digest"]


def test_no_body_and_no_content_type_is_a_valid_publication(client, world):
    response = client.post(f"/api/v1/challenges/{world['challenge']}/publish-results",
                           headers=headers(client, "organiser"), data=b"")
    assert response.status_code == 200


def test_visibility_in_the_body_shows_only_the_awards(client, world):
    answer = publish(client, world, json={"visibility": "awards"}).get_json()
    assert answer["ranking"] == [] and answer["visibility"] == "awards" and len(answer["awards"]) == 2
    assert answer["digest"] == digest_of(answer)
    anonymous = client.get(f"/api/v1/challenges/{world['challenge']}/results").get_json()
    assert anonymous["ranking"] == []


def test_a_wrong_visibility_is_422(client, world):
    response = publish(client, world, json={"visibility": "secret"})
    assert response.status_code == 422 and "visibility" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("role, status", [(None, 401), ("participant", 403), ("juror", 403), ("outsider", 403)])
def test_only_organisers_publish(client, world, role, status):
    response = publish(client, world, role)
    assert response.status_code == status
    assert client.get(f"/api/v1/challenges/{world['challenge']}/results").status_code == 404


def test_an_absent_challenge_is_404(client, world):
    token = headers(client, "organiser")
    assert client.post("/api/v1/challenges/999999/publish-results", headers=token).status_code == 404
    assert client.get("/api/v1/challenges/999999/results", headers=token).status_code == 404


def test_publishing_twice_is_409_already_published(client, world):
    assert publish(client, world).status_code == 200
    response = publish(client, world)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "already_published"


def test_publishing_outside_judging_is_409_not_judging(app, client, frozen_clock):
    with app.app_context():
        organiser = make_user("olga@example.org")
        challenge_id = make_challenge(status="open", organisers=[organiser]).id
    response = client.post(f"/api/v1/challenges/{challenge_id}/publish-results",
                           headers=bearer(api_token(client, "olga@example.org")))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_judging"


def test_open_safety_flags_are_409(app, client, world):
    with app.app_context():
        database.session.add(SafetyFlag(challenge_id=world["challenge"], idea_id=world["ideas"]["Beta"],
                                        kind="data_protection", reason="Health data leaves the EU."))
        database.session.commit()
    response = publish(client, world)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "safety_flags_open"


def test_before_publication_organisers_preview_and_everyone_else_gets_404(client, world):
    url = f"/api/v1/challenges/{world['challenge']}/results"
    preview = client.get(url, headers=headers(client, "organiser"))
    assert preview.status_code == 200
    assert preview.get_json()["published_at"] is None and preview.get_json()["digest"] == digest_of(preview.get_json())
    for role in (None, "participant", "juror", "outsider"):
        response = client.get(url, headers=headers(client, role))
        assert response.status_code == 404, role
        assert response.get_json()["error"]["code"] == "not_found"


def test_after_publication_everyone_reads_the_same_results(client, world):
    published = publish(client, world).get_json()
    for role in (None, "participant", "juror", "outsider", "organiser"):
        response = client.get(f"/api/v1/challenges/{world['challenge']}/results", headers=headers(client, role))
        assert response.status_code == 200 and response.get_json() == published, role


def test_a_draft_challenge_has_no_results_for_others(app, client, frozen_clock):
    with app.app_context():
        organiser = make_user("olga@example.org")
        make_user("out@example.org")
        challenge_id = make_challenge(status="draft", organisers=[organiser]).id
    url = f"/api/v1/challenges/{challenge_id}/results"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=bearer(api_token(client, "out@example.org"))).status_code == 404
    assert client.get(url, headers=bearer(api_token(client, "olga@example.org"))).status_code == 200


def test_scores_are_refused_after_publication(app, client, world):
    token = headers(client, "juror")
    with app.app_context():
        from app.challenges.models import Criterion

        criteria = [c.id for c in database.session.query(Criterion).filter_by(challenge_id=world["challenge"])]
    body = {"scores": {str(c): 3 for c in criteria}}
    idea = world["ideas"]["Beta"]
    assert client.put(f"/api/v1/ideas/{idea}/score", headers=token, json=body).status_code == 200
    assert publish(client, world).status_code == 200
    response = client.put(f"/api/v1/ideas/{idea}/score", headers=token, json=body)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_judging"


def test_the_openapi_document_describes_both_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/challenges/{challenge_id}/publish-results"]
    assert "get" in paths["/api/v1/challenges/{challenge_id}/results"]
