"""What citizens add is part of their data: exported on request; on erasure follows end, while
comments, reports and assessments stay under "deleted user"."""
from __future__ import annotations

from app.extensions import db as database
from app.portfolio import citizens, comments
from app.portfolio.models import Assessment, CommentReport, Follow, ProjectComment
from tests.portfolio.citizen_support import comment, headers_for, person, project, settle


def test_export_lists_follows_comments_reports_and_assessments(client, db):
    row = project("Heart failure at home")
    ana, bogdan = person("Ana Pop"), person("Bogdan Ion")
    citizens.follow(row, ana)
    mine = comments.add_comment(row, ana, "My **question**")
    theirs = comment(row, bogdan, "Their answer")
    comments.report_comment(row, theirs.id, ana, "Rude")
    citizens.assess(row, ana, usefulness=3, progress_visible=4, reason="Slow")
    data = client.get("/api/v1/me/export", headers=headers_for(client, ana)).get_json()
    section = data["portfolio"]
    assert [(f["project_id"], f["project"]) for f in section["follows"]] == [(row.id, "Heart failure at home")]
    assert [(c["id"], c["body"]) for c in section["comments"]] == [(mine.id, "My **question**")]
    assert [(r["comment_id"], r["reason"]) for r in section["comment_reports"]] == [(theirs.id, "Rude")]
    assert [(a["usefulness"], a["progress_visible"], a["reason"]) for a in section["assessments"]] == [(3, 4, "Slow")]


def test_erasure_ends_follows_and_keeps_what_was_written(client, db):
    row = project()
    ana = person("Ana Pop")
    citizens.follow(row, ana)
    comments.add_comment(row, ana, "Kept")
    other = comment(row, person("Bogdan Ion"), "Reported")
    comments.report_comment(row, other.id, ana, "")
    citizens.assess(row, ana, usefulness=5, progress_visible=5)
    assert client.delete("/api/v1/me", headers=headers_for(client, ana)).status_code == 204
    settle()
    assert database.session.scalars(database.select(Follow)).all() == []
    assert [c.body for c in database.session.scalars(database.select(ProjectComment).order_by(ProjectComment.id))] \
        == ["Kept", "Reported"]
    assert database.session.scalar(database.select(database.func.count()).select_from(CommentReport)) == 1
    assert database.session.scalar(database.select(database.func.count()).select_from(Assessment)) == 1
    items = client.get(f"/api/v1/portfolio/{row.id}/comments").get_json()["items"]
    assert items[0]["author"] == "deleted user" and items[1]["author"] == "Bogdan Ion"
    assert citizens.assessment_summary(row.id)["count"] == 1
