"""From the refused side: a participant, a juror of another challenge, a juror not assigned and a
conflicted juror get 404 for the scoring page, its forms, the idea and its attachments, and the
scores. And with blind review a juror sees no team or member name on the scoring page."""
from __future__ import annotations

import pytest

from tests.conftest import api_token, bearer, login
from tests.judging.test_review_world import MEMBER_NAMES, TEAM_NAMES, attach, build_world, full_scores

# elena: a participant of the same challenge, in another team.
REFUSED = ["elena", "outsider", "unassigned", "conflicted"]


@pytest.fixture
def world(db):
    built = build_world()
    built.attachment = attach(built.idea)
    db.session.commit()
    return built


def paths(world) -> list[str]:
    idea, attachment = world.idea.id, world.attachment.id
    return [f"/reviews/{idea}", f"/reviews/{idea}/conflict", f"/reviews/{idea}/safety-concern",
            f"/reviews/{idea}/attachments/{attachment}", f"/ideas/{idea}/attachments/{attachment}",
            f"/api/v1/ideas/{idea}", f"/api/v1/ideas/{idea}/attachments/{attachment}", f"/api/v1/ideas/{idea}/score"]


@pytest.mark.parametrize("who", REFUSED)
def test_the_refused_get_404_everywhere(client, world, who):
    person = getattr(world, who)
    headers = bearer(api_token(client, person.email))
    login(client, person.email)
    for path in paths(world):
        response = client.get(path, headers=headers if path.startswith("/api/") else {})
        assert response.status_code == 404, (who, path, response.status_code)
    assert client.get(f"/ideas/{world.idea.id}").status_code == 404
    for method, path, body in (("put", f"/api/v1/ideas/{world.idea.id}/score",
                                {"scores": {str(k): v for k, v in full_scores(world).items()}, "comment": ""}),
                               ("post", f"/api/v1/ideas/{world.idea.id}/conflict", {"reason": "x"}),
                               ("post", f"/api/v1/ideas/{world.idea.id}/safety-flags",
                                {"kind": "patient_safety", "reason": "x"})):
        assert getattr(client, method)(path, json=body, headers=headers).status_code == 404, (who, path)


@pytest.mark.parametrize("who", REFUSED)
def test_the_refused_cannot_post_the_scoring_form(client, world, who):
    login(client, getattr(world, who).email)
    # A token from a page they can open, so only the permission can refuse the post.
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/reviews").get_data(as_text=True))
    data = {f"score-{cid}": "3" for cid in world.criteria} | {"csrf_token": token, "version": "0"}
    for path in (f"/reviews/{world.idea.id}", f"/reviews/{world.idea.id}/conflict",
                 f"/reviews/{world.idea.id}/safety-concern"):
        assert client.post(path, data={**data, "reason": "x", "kind": "patient_safety"}).status_code == 404


def test_the_assigned_juror_gets_every_one_of_them(client, world):
    headers = bearer(api_token(client, world.juror.email))
    login(client, world.juror.email)
    for path in paths(world)[:-1]:
        response = client.get(path, headers=headers if path.startswith("/api/") else {})
        assert response.status_code == 200, (path, response.status_code)
    assert client.get(f"/ideas/{world.idea.id}").status_code == 200


def test_an_impossible_idea_id_is_404(client, world):
    login(client, world.juror.email)
    for path in ("/reviews/99999999999", "/reviews/0", "/reviews/99999999999/conflict"):
        assert client.get(path).status_code == 404


# --- blind review -----------------------------------------------------------------------------

def test_the_scoring_page_names_no_team_member_or_file_with_blind_review(client, world):
    login(client, world.juror.email)
    html = client.get(f"/reviews/{world.idea.id}").get_data(as_text=True)
    for name in TEAM_NAMES + MEMBER_NAMES + ("Popescu", "Heart at Home - budget"):
        assert name not in html, name
    assert "Attachment 1 (PDF," in html and "Blind review" in html
    download = client.get(f"/reviews/{world.idea.id}/attachments/{world.attachment.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    disposition = download.headers["Content-Disposition"]
    assert disposition.replace('"', "") == "attachment; filename=attachment-1.pdf" and "Popescu" not in disposition
    for name in TEAM_NAMES + MEMBER_NAMES:
        assert name not in client.get("/reviews").get_data(as_text=True)


def test_without_blind_review_files_keep_their_names(client, world, db):
    world.challenge.blind_review = False
    db.session.commit()
    login(client, world.juror.email)
    html = client.get(f"/reviews/{world.idea.id}").get_data(as_text=True)
    assert "Heart at Home - budget (Ana Popescu).pdf (PDF," in html
    disposition = client.get(f"/reviews/{world.idea.id}/attachments/{world.attachment.id}").headers[
        "Content-Disposition"]
    assert "budget" in disposition


def test_the_idea_page_names_no_team_or_member_for_a_blind_juror(client, world):
    login(client, world.juror.email)
    html = client.get(f"/ideas/{world.idea.id}").get_data(as_text=True)
    for name in TEAM_NAMES + MEMBER_NAMES:
        assert name not in html, name
