"""GET /api/v1/ideas/{id}/feedback: the contract's shape, anonymity, and every refusal."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.judging.models import Review
from tests.conftest import api_token, bearer
from tests.factories import make_user
from tests.results.scenario import judged
from tests.results.test_feedback import publish

CRITERION_KEYS = {"criterion_id", "name", "mean", "challenge_mean", "scale_min", "scale_max"}


def get(client, idea_id, email=None):
    headers = bearer(api_token(client, email)) if email else {}
    return client.get(f"/api/v1/ideas/{idea_id}/feedback", headers=headers)


def test_a_member_reads_the_contracts_feedback_after_publication(db, client):
    world = judged(db)
    publish(db, world)
    response = get(client, world.ideas["Alpha"].id, "a2@example.org")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"criteria", "comments", "reviews"}
    assert all(set(c) == CRITERION_KEYS for c in body["criteria"])
    relevance = body["criteria"][0]
    assert relevance["name"] == "Relevance"
    assert relevance["criterion_id"] == world.challenge.criteria[0].id
    assert relevance["mean"] == pytest.approx(14 / 3, abs=1e-9)
    assert relevance["challenge_mean"] == pytest.approx(37 / 11, abs=1e-9)
    assert sorted(body["comments"]) == [f"Comment from Juror {n} on Alpha." for n in (1, 2, 3)]
    assert get(client, world.ideas["Alpha"].id, "a2@example.org").get_json()["comments"] == body["comments"]


def test_no_private_note_juror_name_or_id_in_the_answer(db, client):
    world = judged(db)
    # Comments without names, so that a name found anywhere could only come from the juror.
    for n, review in enumerate(db.session.scalars(select(Review)), start=1):
        review.comment = f"Anonymous remark {n}."
    db.session.commit()
    publish(db, world)
    secrets = [review.private_note for review in db.session.scalars(select(Review))]
    secrets += [name for juror in world.jurors for name in (juror.name, juror.email, juror.organisation)]
    assert len(secrets) == 11 + 9
    for team, idea in world.ideas.items():
        if team in ("Epsilon", "Withdrawn"):
            continue
        for email in (world.members[team][0].email, world.organiser.email):
            body = get(client, idea.id, email).get_json()
            raw = json.dumps(body, ensure_ascii=False)
            assert not [secret for secret in secrets if secret in raw]
            assert "juror" not in raw.lower() and "private" not in raw.lower()


def test_without_a_token_401(db, client):
    world = judged(db)
    publish(db, world)
    response = client.get(f"/api/v1/ideas/{world.ideas['Alpha'].id}/feedback")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorised"


@pytest.mark.parametrize("email", ["out@example.org", "b1@example.org", "juror1@example.org", "juror2@example.org"])
def test_outsiders_other_teams_and_the_ideas_own_jurors_get_404(db, client, email):
    world = judged(db)
    publish(db, world)
    response = get(client, world.ideas["Alpha"].id, email)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_members_before_publication_404_organisers_preview_200(db, client):
    world = judged(db)
    make_user("admin@example.org", admin=True)
    alpha = world.ideas["Alpha"].id
    assert get(client, alpha, "a1@example.org").status_code == 404
    assert get(client, alpha, "olga@example.org").status_code == 200
    assert get(client, alpha, "admin@example.org").status_code == 200


def test_draft_withdrawn_and_unknown_ideas_404(db, client):
    world = judged(db)
    publish(db, world)
    assert get(client, world.ideas["Epsilon"].id, "e1@example.org").status_code == 404
    assert get(client, world.ideas["Withdrawn"].id, "w1@example.org").status_code == 404
    assert get(client, world.ideas["Withdrawn"].id, "olga@example.org").status_code == 404
    assert get(client, 2**31 + 5, "olga@example.org").status_code == 404


def test_the_endpoint_is_in_the_openapi_document(db, client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/ideas/{idea_id}/feedback"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/FeedbackOut")
