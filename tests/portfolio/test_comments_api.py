"""Comments in the API: the contract's shape, validation, pagination oldest first, erased authors,
hidden comments, who may write, and the limit of 30 an hour per account."""
from __future__ import annotations

import datetime as dt

from app.accounts.personal_data import erase_account
from app.extensions import db as database
from app.portfolio.models import ProjectComment
from tests.portfolio.citizen_support import comment, error_of, headers_for, person, project, settle, unconfirm


def path(row) -> str:
    return f"/api/v1/portfolio/{row.id}/comments"


def test_a_comment_is_created_as_written_and_rendered_safely(client, db):
    row = project()
    ana = person("Ana Pop")
    body = "Will it reach **Copou**?\n\n- yes\n- no <b>maybe</b>"
    response = client.post(path(row), json={"body": body}, headers=headers_for(client, ana))
    assert response.status_code == 201
    data = response.get_json()
    assert data["body"] == body and data["author"] == "Ana Pop" and data["hidden"] is False
    assert data["html"].startswith("<p>Will it reach <strong>Copou</strong>?</p>")
    assert "&lt;b&gt;maybe&lt;/b&gt;" in data["html"] and "<b>" not in data["html"]
    assert dt.datetime.fromisoformat(data["created_at"]).utcoffset() == dt.timedelta(0)
    assert set(data) >= {"id", "body", "html", "author", "created_at", "hidden"}
    settle()
    stored = database.session.get(ProjectComment, data["id"])
    assert stored.body == body and stored.author_id == ana.id and stored.project_id == row.id


def test_length_and_shape_are_checked(client, db):
    row = project()
    headers = headers_for(client, person("Ana Pop"))
    assert client.post(path(row), json={"body": "x"}, headers=headers).status_code == 201
    assert client.post(path(row), json={"body": "é" * 5000}, headers=headers).status_code == 201
    for body in ({}, {"body": ""}, {"body": "   \n "}, {"body": "x" * 5001}, {"body": 5}, {"body": None},
                 {"body": ["x"]}, {"body": "nul\x00"}):
        response = client.post(path(row), json=body, headers=headers)
        assert error_of(response) == (422, "validation_failed"), body
        assert "body" in response.get_json()["error"]["fields"], body
    assert error_of(client.post(path(row), data="{nope", headers={**headers, "Content-Type": "application/json"})) \
        == (400, "malformed_json")
    assert error_of(client.post(path(row), json=["x"], headers=headers)) == (400, "malformed_json")
    settle()
    assert database.session.scalar(database.select(database.func.count()).select_from(ProjectComment)) == 2


def test_who_may_comment(client, db):
    row = project()
    ana = person("Ana Pop")
    assert error_of(client.post(path(row), json={"body": "hi"})) == (401, "unauthorised")
    headers = headers_for(client, ana)
    assert error_of(client.post("/api/v1/portfolio/999999/comments", json={"body": "hi"}, headers=headers)) \
        == (404, "not_found")
    assert error_of(client.get("/api/v1/portfolio/999999/comments")) == (404, "not_found")
    unconfirm(ana)
    assert error_of(client.post(path(row), json={"body": "hi"}, headers=headers)) == (403, "email_not_confirmed")


def test_anyone_reads_the_comments_page_by_page_oldest_first(client, db, frozen_clock):
    row, other = project(), project("Other")
    ana, bogdan = person("Ana Pop"), person("Bogdan Ion")
    start = frozen_clock.now()
    for i in range(25):
        comment(row, ana if i % 2 else bogdan, f"Comment {i}", created_at=start + dt.timedelta(minutes=25 - i))
    comment(other, ana, "Elsewhere")
    first = client.get(path(row)).get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (25, 1, 20, 20)
    assert [c["body"] for c in first["items"]][:3] == ["Comment 24", "Comment 23", "Comment 22"]
    last = client.get(path(row) + "?page=2&per_page=20").get_json()
    assert [c["body"] for c in last["items"]] == [f"Comment {i}" for i in range(4, -1, -1)]
    assert client.get(path(row) + "?page=99").get_json()["items"] == []
    for bad in ("?page=0", "?per_page=101", "?page=x"):
        assert error_of(client.get(path(row) + bad)) == (422, "validation_failed")


def test_erased_authors_read_deleted_user(client, db):
    row = project()
    ana = person("Ana Pop")
    comment(row, ana, "Mine")
    comment(row, None, "Orphan")
    erase_account(ana)
    items = client.get(path(row)).get_json()["items"]
    assert [(c["body"], c["author"]) for c in items] == [("Mine", "deleted user"), ("Orphan", "deleted user")]
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "Ana Pop" not in html and html.count("deleted user") >= 2


def test_hidden_comments_show_only_the_reason(client, db):
    row = project()
    ana = person("Ana Pop")
    comment(row, ana, "Call me on 0722 000 000", hidden=True, hidden_reason="Personal data")
    (item,) = client.get(path(row)).get_json()["items"]
    assert item["hidden"] is True and item["body"] == "" and item["html"] == ""
    assert item["hidden_reason"] == "Personal data" and item["author"] == "Ana Pop"
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "Hidden by a moderator: Personal data" in html and "0722" not in html


def test_thirty_comments_an_hour_per_account(client, db):
    row = project()
    ana, bogdan = person("Ana Pop"), person("Bogdan Ion")
    headers = headers_for(client, ana)
    for i in range(30):
        assert client.post(path(row), json={"body": f"Comment {i}"}, headers=headers).status_code == 201
    response = client.post(path(row), json={"body": "One too many"}, headers=headers)
    assert error_of(response) == (429, "too_many_requests")
    assert 1 <= int(response.headers["Retry-After"]) <= 3601
    # Refused comments do not count, and another account (behind the same address) is not held back.
    assert client.post(path(row), json={"body": "Mine"}, headers=headers_for(client, bogdan)).status_code == 201
    assert client.get(path(row)).get_json()["total"] == 31


def test_refused_comments_do_not_use_up_the_limit(client, db):
    row = project()
    headers = headers_for(client, person("Ana Pop"))
    for _ in range(40):
        assert client.post(path(row), json={"body": ""}, headers=headers).status_code == 422
    assert client.post(path(row), json={"body": "Still welcome"}, headers=headers).status_code == 201
