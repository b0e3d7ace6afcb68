"""The Ideas table of the contract, row by row, with each error code."""
import datetime as dt
import io

import pytest
from sqlalchemy import event

from app.submissions.models import Attachment, Idea
from tests.conftest import api_token, bearer
from tests.factories import make_challenge, make_idea, make_team, make_user
from tests.submissions.helpers import COMPLETE, complete_data, pdf_bytes, png_bytes

API = "/api/v1"


@pytest.fixture
def tokens(client, world):
    return {name: bearer(api_token(client, f"{name}@example.org"))
            for name in ("alice", "bob", "carol", "dave", "orga")}


def error_code(response):
    return response.get_json()["error"]["code"]


def test_put_creates_then_updates(client, db, world, tokens):
    url = f"{API}/teams/{world.team.id}/idea"
    response = client.put(url, json={"title": "Heart at home"}, headers=tokens["alice"])
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft" and body["version"] == 1 and body["title"] == "Heart at home"
    assert {"id", "status", "version", "title", "summary", "problem", "solution", "beneficiaries", "track_id",
            "budget_requested", "links", "submitted_at", "team_id", "challenge_id", "attachments"} <= set(body)
    assert body["team_id"] == world.team.id and body["challenge_id"] == world.challenge.id
    response = client.put(url, json={**complete_data(world.challenge), "links": ["https://example.org"],
                                     "version": 1}, headers=tokens["bob"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 2 and body["links"] == ["https://example.org"] and body["summary"] == COMPLETE["summary"]


def test_put_with_a_stale_version_is_a_conflict(client, db, world, tokens):
    url = f"{API}/teams/{world.team.id}/idea"
    client.put(url, json={"title": "One"}, headers=tokens["alice"])
    client.put(url, json={"title": "Two", "version": 1}, headers=tokens["bob"])
    response = client.put(url, json={"title": "Stale", "version": 1}, headers=tokens["alice"])
    assert response.status_code == 409 and error_code(response) == "version_conflict"
    assert client.get(f"{API}/ideas/{db.session.query(Idea).one().id}", headers=tokens["alice"]).get_json()["title"] == "Two"


@pytest.mark.parametrize("body, field", [
    ({"title": "x" * 201}, "title"),
    ({"solution": "x" * 20001}, "solution"),
    ({"links": ["javascript:alert(1)"]}, "links"),
    ({"links": [f"https://e.org/{i}" for i in range(11)]}, "links"),
    ({"track_id": 999999}, "track_id"),
    ({"track_id": "not a number"}, "track_id"),
    ({"budget_requested": 100}, "budget_requested"),
])
def test_put_validation(client, db, world, tokens, body, field):
    response = client.put(f"{API}/teams/{world.team.id}/idea", json=body, headers=tokens["alice"])
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert db.session.query(Idea).count() == 0


def test_put_budget_on_a_call(client, db, world):
    call = make_challenge(title="Call", kind="call", budget_total=100000, tracks=())
    team = make_team(call, world.alice)
    headers = bearer(api_token(client, "alice@example.org"))
    response = client.put(f"{API}/teams/{team.id}/idea", json={"budget_requested": 12500.5}, headers=headers)
    assert response.status_code == 201 and response.get_json()["budget_requested"] == 12500.5
    response = client.put(f"{API}/teams/{team.id}/idea", json={"budget_requested": -1}, headers=headers)
    assert response.status_code == 422 and "budget_requested" in response.get_json()["error"]["fields"]


def test_put_refusals(client, db, world, tokens):
    url = f"{API}/teams/{world.team.id}/idea"
    assert client.put(url, json={"title": "x"}).status_code == 401
    assert client.put(url, json={"title": "x"}, headers=tokens["carol"]).status_code == 404
    assert client.put(url, json={"title": "x"}, headers=tokens["dave"]).status_code == 404
    assert client.put(f"{API}/teams/999999/idea", json={"title": "x"}, headers=tokens["alice"]).status_code == 404
    assert client.put(url, json={"title": "x"}, headers=tokens["orga"]).status_code == 403
    response = client.put(url, data=b"{not json", headers={**tokens["alice"], "Content-Type": "application/json"})
    assert response.status_code == 400
    assert db.session.query(Idea).count() == 0


def test_put_not_retained(client, db, world, tokens):
    make_idea(world.team, status="not_retained")
    response = client.put(f"{API}/teams/{world.team.id}/idea", json={"title": "x"}, headers=tokens["alice"])
    assert response.status_code == 409 and error_code(response) == "not_retained"


def test_submit_and_withdraw(client, db, world, tokens):
    idea = make_idea(world.team)
    response = client.post(f"{API}/ideas/{idea.id}/submit", headers=tokens["alice"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "submitted" and body["submitted_at"].endswith("+00:00")
    response = client.post(f"{API}/ideas/{idea.id}/withdraw", headers=tokens["bob"])
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    response = client.post(f"{API}/ideas/{idea.id}/submit", headers=tokens["bob"])
    assert response.status_code == 200 and response.get_json()["status"] == "submitted"


def test_submit_refusals(client, db, world, tokens):
    idea = make_idea(world.team, complete=False, title="Only a title")
    response = client.post(f"{API}/ideas/{idea.id}/submit", headers=tokens["alice"])
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"summary", "problem", "solution", "beneficiaries",
                                                           "track_id"}
    for who, status in (("carol", 404), ("dave", 404), ("orga", 403)):
        assert client.post(f"{API}/ideas/{idea.id}/submit", headers=tokens[who]).status_code == status
    assert client.post(f"{API}/ideas/{idea.id}/submit").status_code == 401

    strict = make_challenge(title="Strict", team_min_size=2)
    small = make_idea(make_team(strict, world.alice))
    response = client.post(f"{API}/ideas/{small.id}/submit", headers=tokens["alice"])
    assert response.status_code == 409 and error_code(response) == "team_too_small"


def test_after_the_deadline_every_write_is_refused(client, db, frozen_clock):
    alice = make_user("late@example.org")
    challenge = make_challenge(deadline_in=dt.timedelta(hours=1))
    team = make_team(challenge, alice)
    idea = make_idea(team, status="submitted")
    headers = bearer(api_token(client, "late@example.org"))
    attachment_id = client.post(f"{API}/ideas/{idea.id}/attachments", headers=headers,
                                data={"file": (io.BytesIO(png_bytes()), "a.png")}).get_json()["id"]
    before = client.get(f"{API}/ideas/{idea.id}", headers=headers).get_json()
    frozen_clock.set(challenge.submission_deadline)
    for method, path, kwargs in (
            ("put", f"/teams/{team.id}/idea", {"json": {"title": "Late"}}),
            ("post", f"/ideas/{idea.id}/submit", {}),
            ("post", f"/ideas/{idea.id}/withdraw", {}),
            ("post", f"/ideas/{idea.id}/attachments", {"data": {"file": (io.BytesIO(pdf_bytes()), "late.pdf")}}),
            ("delete", f"/ideas/{idea.id}/attachments/{attachment_id}", {})):
        response = getattr(client, method)(API + path, headers=headers, **kwargs)
        assert response.status_code == 409 and error_code(response) == "submissions_closed", path
    assert client.get(f"{API}/ideas/{idea.id}", headers=headers).get_json() == before


def test_attachments(client, db, world, tokens):
    idea = make_idea(world.team)
    url = f"{API}/ideas/{idea.id}/attachments"
    response = client.post(url, headers=tokens["alice"], data={"file": (io.BytesIO(pdf_bytes()), "Evaluare_Iași.pdf")})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "filename": "Evaluare_Iași.pdf", "size": len(pdf_bytes()),
                    "content_type": "application/pdf"}
    idea_body = client.get(f"{API}/ideas/{idea.id}", headers=tokens["bob"]).get_json()
    assert idea_body["attachments"] == [body]

    download = client.get(f"{url}/{body['id']}", headers=tokens["orga"])
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Evaluare_Ia%C8%99i.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

    assert client.delete(f"{url}/{body['id']}", headers=tokens["orga"]).status_code == 403
    assert client.delete(f"{url}/{body['id']}", headers=tokens["carol"]).status_code == 404
    assert client.delete(f"{url}/{body['id']}", headers=tokens["bob"]).status_code == 204
    assert client.get(f"{url}/{body['id']}", headers=tokens["bob"]).status_code == 404
    assert client.delete(f"{url}/{body['id']}", headers=tokens["bob"]).status_code == 404


@pytest.mark.parametrize("data, name", [
    (b"<html><body><script>alert(1)</script></body></html>", "cv.pdf"),
    (pdf_bytes(), "cv.html"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg"),
    (b"plain text", "notes.txt"),
])
def test_attachment_415(client, db, world, tokens, data, name):
    idea = make_idea(world.team)
    response = client.post(f"{API}/ideas/{idea.id}/attachments", headers=tokens["alice"],
                           data={"file": (io.BytesIO(data), name)})
    assert response.status_code == 415 and error_code(response) == "unsupported_media_type"
    assert db.session.query(Attachment).count() == 0


def test_attachment_without_multipart_or_file(client, db, world, tokens):
    idea = make_idea(world.team)
    url = f"{API}/ideas/{idea.id}/attachments"
    assert client.post(url, headers=tokens["alice"], json={"file": "x"}).status_code == 415
    response = client.post(url, headers=tokens["alice"], data={"other": (io.BytesIO(pdf_bytes()), "a.pdf")})
    assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]


def test_attachment_413(app, client, db, world, tokens, monkeypatch):
    idea = make_idea(world.team)
    url = f"{API}/ideas/{idea.id}/attachments"
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    response = client.post(url, headers=tokens["alice"],
                           data={"file": (io.BytesIO(pdf_bytes() + b"0" * (1024 * 1024)), "big.pdf")})
    assert response.status_code == 413 and error_code(response) == "too_large"
    # The file alone is checked too, when the request limit is set higher than the file limit.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 3 * 1024 * 1024)
    response = client.post(url, headers=tokens["alice"],
                           data={"file": (io.BytesIO(pdf_bytes() + b"0" * (1024 * 1024)), "big.pdf")})
    assert response.status_code == 413 and error_code(response) == "too_large"
    assert db.session.query(Attachment).count() == 0


def test_get_idea_visibility(client, db, world, tokens):
    idea = make_idea(world.team)
    attachment = client.post(f"{API}/ideas/{idea.id}/attachments", headers=tokens["alice"],
                             data={"file": (io.BytesIO(png_bytes()), "a.png")}).get_json()
    for who in ("alice", "bob", "orga"):
        assert client.get(f"{API}/ideas/{idea.id}", headers=tokens[who]).status_code == 200
    for headers in (tokens["carol"], tokens["dave"], {}):
        assert client.get(f"{API}/ideas/{idea.id}", headers=headers).status_code == 404
        assert client.get(f"{API}/ideas/{idea.id}/attachments/{attachment['id']}", headers=headers).status_code == 404
    assert client.get(f"{API}/ideas/999999", headers=tokens["alice"]).status_code == 404
    other = make_idea(world.rival)
    assert client.get(f"{API}/ideas/{other.id}/attachments/{attachment['id']}",
                      headers=tokens["carol"]).status_code == 404


def test_challenge_ideas_for_organisers(client, db, world, tokens):
    make_idea(world.team, status="submitted")
    make_idea(world.rival)
    make_idea(world.elsewhere, status="submitted")
    url = f"{API}/challenges/{world.challenge.id}/ideas"
    body = client.get(url, headers=tokens["orga"]).get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    assert sorted(i["status"] for i in body["items"]) == ["draft", "submitted"]
    body = client.get(url, headers=tokens["orga"], query_string={"status": "submitted"}).get_json()
    assert [i["team_id"] for i in body["items"]] == [world.team.id]
    assert client.get(url, headers=tokens["orga"], query_string={"status": "bogus"}).status_code == 422
    assert client.get(url, headers=tokens["orga"], query_string={"per_page": 1}).get_json()["total"] == 2
    assert client.get(url, headers=tokens["alice"]).status_code == 403
    assert client.get(url).status_code == 401
    draft = make_challenge(title="Hidden draft", status="draft")
    assert client.get(f"{API}/challenges/{draft.id}/ideas", headers=tokens["alice"]).status_code == 404


def test_challenge_ideas_query_count_does_not_grow(client, db, world, tokens):
    url = f"{API}/challenges/{world.challenge.id}/ideas"
    counts = []
    for rows in (2, 10):
        while db.session.query(Idea).filter_by(challenge_id=world.challenge.id).count() < rows:
            team = make_team(world.challenge, make_user(f"p{db.session.query(Idea).count()}@example.org"))
            idea = make_idea(team)
            db.session.add(Attachment(idea_id=idea.id, filename="a.pdf", stored_name=f"{idea.id:032x}", size=1,
                                      content_type="application/pdf"))
            db.session.commit()
        client.get(url, headers=tokens["orga"])  # the token's first use is recorded once; not part of the list
        statements = []
        listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            response = client.get(url, headers=tokens["orga"])
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert response.get_json()["total"] == rows
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_openapi_document_describes_the_ideas(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert "put" in paths[f"{API}/teams/{{team_id}}/idea"]
    upload = paths[f"{API}/ideas/{{idea_id}}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "413", "415"} <= set(upload["responses"])
    assert "get" in paths[f"{API}/challenges/{{challenge_id}}/ideas"]
