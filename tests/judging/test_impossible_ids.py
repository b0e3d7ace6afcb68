"""Ids no row can have (past PostgreSQL's 32-bit integers) answer 404 on every judging and idea
address, as any unknown id does, rather than a database error."""
from __future__ import annotations

import pytest

from tests.conftest import api_token, bearer, login
from tests.judging.test_review_world import attach, build_world, full_scores

HUGE = [2**31, 99999999999, 2**63 + 5]


@pytest.fixture
def world(db):
    built = build_world()
    built.attachment = attach(built.idea)
    db.session.commit()
    return built


def scores(world) -> dict:
    return {"scores": {str(k): v for k, v in full_scores(world).items()}, "comment": ""}


@pytest.mark.parametrize("huge", HUGE)
def test_the_juror_api_answers_404(client, world, huge):
    headers = bearer(api_token(client, world.juror.email))
    idea = world.idea.id
    for method, path, body in (
            ("get", f"/api/v1/ideas/{huge}/score", None),
            ("put", f"/api/v1/ideas/{huge}/score", scores(world)),
            ("post", f"/api/v1/ideas/{huge}/conflict", {"reason": "x"}),
            ("post", f"/api/v1/ideas/{huge}/safety-flags", {"kind": "patient_safety", "reason": "x"}),
            ("get", f"/api/v1/ideas/{huge}", None),
            ("get", f"/api/v1/ideas/{huge}/attachments/{world.attachment.id}", None),
            ("get", f"/api/v1/ideas/{idea}/attachments/{huge}", None)):
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("huge", HUGE)
def test_the_juror_pages_answer_404(client, world, huge):
    login(client, world.juror.email)
    idea = world.idea.id
    for path in (f"/reviews/{huge}", f"/reviews/{huge}/conflict", f"/reviews/{huge}/safety-concern",
                 f"/reviews/{idea}/attachments/{huge}", f"/reviews/{huge}/attachments/{world.attachment.id}",
                 f"/ideas/{huge}", f"/ideas/{idea}/attachments/{huge}", f"/ideas/{huge}/submit",
                 f"/ideas/{huge}/withdraw"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("huge", HUGE)
def test_the_members_writes_answer_404(client, world, huge):
    headers = bearer(api_token(client, world.ana.email))
    for method, path in (("post", f"/api/v1/ideas/{huge}/submit"), ("post", f"/api/v1/ideas/{huge}/withdraw"),
                         ("delete", f"/api/v1/ideas/{world.idea.id}/attachments/{huge}"),
                         ("put", f"/api/v1/teams/{huge}/idea")):
        response = getattr(client, method)(path, json={"title": "x"}, headers=headers)
        assert response.status_code == 404, (method, path, response.status_code)


ABSENT = 2**31 - 1  # a possible id that no row has


@pytest.mark.parametrize("huge", HUGE)
def test_the_organisers_pages_and_api_answer_as_for_an_absent_id(client, world, huge):
    """The jury set-up answers an unknown entry or juror with 404, 422 on the field or a message;
    an impossible id gets the same answer as an absent one."""
    headers = bearer(api_token(client, world.organiser.email))
    challenge = world.challenge.id
    for method, path in (("get", "/api/v1/challenges/{x}/ranking"), ("get", "/api/v1/challenges/{x}/jurors"),
                         ("get", "/api/v1/challenges/{x}/assignments"),
                         ("put", f"/api/v1/challenges/{challenge}/assignments/{{x}}/{world.juror.id}"),
                         ("put", f"/api/v1/challenges/{challenge}/assignments/{world.idea.id}/{{x}}"),
                         ("delete", f"/api/v1/challenges/{challenge}/assignments/{{x}}/{{x}}"),
                         ("delete", f"/api/v1/challenges/{challenge}/jurors/{{x}}")):
        absent = getattr(client, method)(path.format(x=ABSENT), headers=headers)
        response = getattr(client, method)(path.format(x=huge), headers=headers)
        assert response.status_code == absent.status_code and response.status_code < 500, (method, path)
        assert response.get_json() == absent.get_json(), (method, path)
    login(client, world.organiser.email)
    for path in ("/challenges/{x}/judging", "/challenges/{x}/jury", "/challenges/{x}/judging/ranking.csv",
                 f"/challenges/{challenge}/judging/flags/{{x}}/clear",
                 f"/challenges/{challenge}/jury/jurors/{{x}}/remove", "/ideas/{x}"):
        absent = client.get(path.format(x=ABSENT))
        response = client.get(path.format(x=huge))
        assert response.status_code == absent.status_code and response.status_code in (302, 404), path
