"""Reporting comments and moderating them: once per person, the administrators' queue (newest
reports first, with counts), hiding with a reason everyone reads, showing again, dismissing;
audited; refused to everyone else."""
from __future__ import annotations

import datetime as dt

from app.core.audit import AuditEvent
from app.extensions import db as database
from app.portfolio.models import CommentReport, ProjectComment
from tests.conftest import csrf_from, login
from tests.portfolio.citizen_support import (comment, counting_queries, error_of, headers_for, person, project,
                                             settle, sign_out, unconfirm)


def report_path(row, comment_id: int, action: str = "reports") -> str:
    return f"/api/v1/portfolio/{row.id}/comments/{comment_id}/{action}"


def audit_rows(action: str) -> list[AuditEvent]:
    settle()
    return list(database.session.scalars(database.select(AuditEvent).where(AuditEvent.action == action)
                                         .order_by(AuditEvent.id)))


def fresh(model, key):
    settle()
    return database.session.get(model, key)


def test_a_comment_is_reported_once_per_person(client, db):
    row, other = project(), project("Other")
    ana, bogdan = person("Ana Pop"), person("Bogdan Ion")
    target = comment(row, ana, "Buy cheap pills at example.com")
    headers = headers_for(client, bogdan)
    response = client.post(report_path(row, target.id), json={"reason": "Advertising"}, headers=headers)
    assert response.status_code == 201
    assert response.get_json() == {**response.get_json(), "comment_id": target.id, "reason": "Advertising"}
    assert error_of(client.post(report_path(row, target.id), json={}, headers=headers)) == (409, "already_reported")
    # No body at all is a valid report too.
    assert client.post(report_path(row, target.id), headers=headers_for(client, ana)).status_code == 201
    assert error_of(client.post(report_path(other, target.id), headers=headers)) == (404, "not_found")
    assert error_of(client.post(report_path(row, 999999), headers=headers)) == (404, "not_found")
    assert error_of(client.post(f"/api/v1/portfolio/999999/comments/{target.id}/reports", headers=headers)) \
        == (404, "not_found")
    response = client.post(report_path(row, target.id), json={"reason": "x" * 1001}, headers=headers)
    assert error_of(response) == (422, "validation_failed") and "reason" in response.get_json()["error"]["fields"]
    assert error_of(client.post(report_path(row, target.id))) == (401, "unauthorised")
    carla = person("Carla Rossi")
    carla_headers = headers_for(client, carla)
    unconfirm(carla)
    assert error_of(client.post(report_path(row, target.id), headers=carla_headers)) == (403, "email_not_confirmed")
    settle()
    assert database.session.scalar(database.select(database.func.count()).select_from(CommentReport)) == 2


def test_reporting_from_the_page(client, db):
    row = project()
    ana = person("Ana Pop")
    target = comment(row, ana, "Rude words")
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert f"/comments/{target.id}/report" not in html  # visitors cannot report
    report_url = f"/portfolio/{row.id}/comments/{target.id}/report"
    response = client.get(report_url)
    assert response.status_code == 303 and "/login?next=" in response.headers["Location"]
    person("Bogdan Ion")
    login(client, "bogdan.ion@example.org")
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert f'href="{report_url}"' in html
    form = client.get(report_url).get_data(as_text=True)
    assert "Rude words" in form
    response = client.post(report_url, data={"reason": "Insults", "csrf_token": csrf_from(form)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#comment-{target.id}")
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "The moderators will look at this comment." in html and "You reported this comment." in html
    again = client.post(report_url, data={"reason": "Again", "csrf_token": csrf_from(form)})
    assert again.status_code == 303
    assert "already reported" in client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    too_long = client.post(report_url, data={"reason": "x" * 1001, "csrf_token": csrf_from(form)})
    assert too_long.status_code == 422
    assert client.get(f"/portfolio/{row.id}/comments/999999/report").status_code == 404


def reported_world(frozen_clock):
    row = project("Heart failure at home")
    ana, bogdan, carla, dan = (person(n) for n in ("Ana Pop", "Bogdan Ion", "Carla Rossi", "Dan Mihai"))
    older = comment(row, ana, "Older problem")
    newer = comment(row, ana, "Newer problem")
    calm = comment(row, ana, "Nothing wrong")
    start = frozen_clock.now()
    for who, target, minutes, reason in ((bogdan, older, 1, "Spam"), (carla, older, 2, ""),
                                         (dan, newer, 5, "Personal data")):
        database.session.add(CommentReport(comment_id=target.id, reporter_id=who.id, reason=reason,
                                           created_at=start + dt.timedelta(minutes=minutes)))
    database.session.commit()
    return row, older, newer, calm


def test_the_queue_lists_reported_comments_newest_reports_first(client, db, frozen_clock):
    row, older, newer, calm = reported_world(frozen_clock)
    person("Admin", admin=True)
    login(client, "admin@example.org")
    html = client.get("/admin/moderation").get_data(as_text=True)
    assert html.index("Newer problem") < html.index("Older problem") and "Nothing wrong" not in html
    assert "2 comments wait for a decision" in html
    assert "2 reports" in html and "1 report<" in html and "Spam" in html and "Personal data" in html
    body = client.get("/api/v1/portfolio/moderation", headers=headers_for(client, fresh_admin())).get_json()
    assert [(i["comment"]["id"], i["open_reports"]) for i in body["items"]] == [(newer.id, 1), (older.id, 2)]
    assert body["items"][1]["reasons"] == ["Spam"] and body["total"] == 2


def fresh_admin():
    settle()
    from app.accounts.models import User

    return database.session.scalar(database.select(User).where(User.email == "admin@example.org"))


def test_hiding_needs_a_reason_that_everyone_then_reads(client, db, frozen_clock):
    row, older, newer, calm = reported_world(frozen_clock)
    admin = person("Admin", admin=True)
    login(client, admin.email)
    page = client.get(f"/admin/moderation/comments/{older.id}").get_data(as_text=True)
    assert "Older problem" in page and "Spam" in page
    token = csrf_from(page)
    response = client.post(f"/admin/moderation/comments/{older.id}/hide", data={"reason": " ", "csrf_token": token})
    assert response.status_code == 422 and "Say why the comment is hidden" in response.get_data(as_text=True)
    assert fresh(ProjectComment, older.id).hidden is False
    response = client.post(f"/admin/moderation/comments/{older.id}/hide",
                           data={"reason": "Advertising", "csrf_token": token, "back": "queue"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/moderation")
    hidden = fresh(ProjectComment, older.id)
    assert hidden.hidden and hidden.hidden_reason == "Advertising" and hidden.hidden_by_id == admin.id
    assert hidden.body == "Older problem"  # kept for the record
    sign_out(client)
    public = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "Hidden by a moderator: Advertising" in public and "Older problem" not in public
    (entry,) = audit_rows("comment.hidden")
    assert entry.actor_id == admin.id and entry.subject_id == older.id
    assert entry.details["reason"] == "Advertising" and entry.details["reports"] == 2
    settle()
    assert all(r.resolved_at is not None for r in database.session.scalars(
        database.select(CommentReport).where(CommentReport.comment_id == older.id)))


def test_showing_again_and_dismissing_reports(client, db, frozen_clock):
    row, older, newer, calm = reported_world(frozen_clock)
    admin = person("Admin", admin=True)
    headers = headers_for(client, admin)
    response = client.post(report_path(row, older.id, "hide"), json={"reason": "Spam"}, headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert data["hidden"] is True and data["hidden_reason"] == "Spam" and data["body"] == "" and data["html"] == ""
    assert error_of(client.post(report_path(row, older.id, "hide"), json={"reason": "Again"}, headers=headers)) \
        == (409, "already_hidden")
    for body in ({}, {"reason": ""}, {"reason": "x" * 1001}, {"reason": 3}):
        response = client.post(report_path(row, calm.id, "hide"), json=body, headers=headers)
        assert error_of(response) == (422, "validation_failed") and "reason" in response.get_json()["error"]["fields"]
    hidden_list = client.get("/api/v1/portfolio/moderation?state=hidden", headers=headers).get_json()
    assert [(i["comment"]["id"], i["comment_body"]) for i in hidden_list["items"]] == [(older.id, "Older problem")]
    response = client.post(report_path(row, older.id, "unhide"), headers=headers)
    assert response.status_code == 200 and response.get_json()["hidden"] is False
    assert response.get_json()["body"] == "Older problem"
    assert error_of(client.post(report_path(row, older.id, "unhide"), headers=headers)) == (409, "not_hidden")
    (entry,) = audit_rows("comment.unhidden")
    assert entry.details["reason"] == "Spam" and entry.actor_id == admin.id
    login(client, admin.email)
    token = csrf_from(client.get("/admin/moderation").get_data(as_text=True))
    assert client.post(f"/admin/moderation/comments/{newer.id}/dismiss", data={"csrf_token": token}).status_code == 303
    assert fresh(ProjectComment, newer.id).hidden is False
    queue = client.get("/admin/moderation").get_data(as_text=True)
    assert "Newer problem" not in queue and "Nothing to moderate" in queue
    (entry,) = audit_rows("comment.reports_dismissed")
    assert entry.details["reports"] == 1
    assert client.post(f"/admin/moderation/comments/{older.id}/unhide", data={"csrf_token": token}).status_code == 303
    assert "This comment is not hidden." in client.get("/admin/moderation").get_data(as_text=True)


def test_only_administrators_moderate(client, db, frozen_clock):
    row, older, newer, calm = reported_world(frozen_clock)
    other = project("Other")
    admin = person("Admin", admin=True)
    ana = person("Ana Moderator-Wannabe")
    user_headers, admin_headers = headers_for(client, ana), headers_for(client, admin)
    assert error_of(client.get("/api/v1/portfolio/moderation")) == (401, "unauthorised")
    assert error_of(client.get("/api/v1/portfolio/moderation", headers=user_headers)) == (403, "forbidden")
    for action, body in (("hide", {"reason": "Mine now"}), ("unhide", None)):
        assert error_of(client.post(report_path(row, older.id, action), json=body)) == (401, "unauthorised")
        assert error_of(client.post(report_path(row, older.id, action), json=body, headers=user_headers)) \
            == (403, "forbidden")
        assert error_of(client.post(report_path(other, older.id, action), json=body, headers=admin_headers)) \
            == (404, "not_found")
        assert error_of(client.post(report_path(row, 999999, action), json=body, headers=admin_headers)) \
            == (404, "not_found")
    response = client.get("/admin/moderation")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, ana.email)
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert "/admin/moderation" not in html and ">Moderate<" not in html
    assert client.get("/admin/moderation").status_code == 403
    assert client.get(f"/admin/moderation/comments/{older.id}").status_code == 403
    token = csrf_from(html)
    for action in ("hide", "unhide", "dismiss"):
        response = client.post(f"/admin/moderation/comments/{older.id}/{action}",
                               data={"reason": "Mine now", "csrf_token": token})
        assert response.status_code == 403, action
    assert fresh(ProjectComment, older.id).hidden is False
    assert audit_rows("comment.hidden") == []
    sign_out(client)
    login(client, admin.email)
    html = client.get(f"/portfolio/{row.id}").get_data(as_text=True)
    assert 'href="/admin/moderation"' in html and f'href="/admin/moderation/comments/{older.id}"' in html
    assert client.get("/admin/moderation/comments/999999").status_code == 404


def test_the_queue_reads_in_a_fixed_number_of_queries(client, db):
    admin = person("Admin", admin=True)
    login(client, admin.email)
    settle()
    counts = []
    for n in (2, 10):
        row = project(f"Project {n}")
        for i in range(n):
            author = person(f"Author {n} {i}")
            target = comment(row, author, f"Comment {i}", hidden=i % 4 == 0, hidden_reason="Off topic",
                             hidden_by_id=admin.id)
            for j in range(2):
                database.session.add(CommentReport(comment_id=target.id, reporter_id=author.id if j else admin.id,
                                                   reason=f"Reason {j}"))
        database.session.commit()
        for url in ("/admin/moderation", "/admin/moderation?state=hidden"):
            client.get(url)
            with counting_queries() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
    print(f"moderation queries (reported, hidden) with 2 comments: {counts[:2]}, with 10: {counts[2:]}")
    assert counts[:2] == counts[2:], counts
