"""Comments on the project page and the comments page: writing one with the form, refusals that keep
the text, signing in first, reading page by page, in a fixed number of queries."""
from __future__ import annotations

from app.extensions import db as database
from app.portfolio.models import ProjectComment
from tests.conftest import csrf_from, login
from tests.portfolio.citizen_support import comment, counting_queries, person, project, settle, unconfirm


def comments_of(row) -> list[str]:
    settle()
    return list(database.session.scalars(database.select(ProjectComment.body)
                                         .where(ProjectComment.project_id == row.id).order_by(ProjectComment.id)))


def page(client, row) -> str:
    response = client.get(f"/portfolio/{row.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_signed_in_citizen_comments_from_the_project_page(client, db):
    row = project()
    person("Ana Pop")
    login(client, "ana.pop@example.org")
    html = page(client, row)
    assert "No comments yet" in html and f'action="/portfolio/{row.id}/comments"' in html
    response = client.post(f"/portfolio/{row.id}/comments",
                           data={"body": "When does it reach **Tătărași**?", "csrf_token": csrf_from(html)})
    assert response.status_code == 303
    settle()
    (comment_id,) = [c.id for c in database.session.scalars(database.select(ProjectComment))]
    assert response.headers["Location"].endswith(f"/portfolio/{row.id}#comment-{comment_id}")
    html = page(client, row)
    assert "Your comment is published." in html
    assert "When does it reach <strong>Tătărași</strong>?" in html and "Comments <span class=\"citizens-count\">(1)" in html
    assert '<strong class="comment-author">Ana Pop</strong>' in html


def test_a_refused_comment_keeps_its_text(client, db):
    row = project()
    person("Ana Pop")
    login(client, "ana.pop@example.org")
    token = csrf_from(page(client, row))
    long_text = "Too long. " * 501
    response = client.post(f"/portfolio/{row.id}/comments", data={"body": long_text, "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "At most 5000 characters." in html
    assert long_text.strip() in html
    response = client.post(f"/portfolio/{row.id}/comments", data={"body": "   ", "csrf_token": token})
    assert response.status_code == 422 and "Write something first." in response.get_data(as_text=True)
    assert client.post(f"/portfolio/{row.id}/comments", data={"body": "No token"}).status_code == 400
    assert comments_of(row) == []


def test_visitors_sign_in_first_and_unconfirmed_accounts_are_refused(client, db):
    row = project()
    html = page(client, row)
    assert "Sign in to comment" in html and 'name="body"' not in html
    token = csrf_from(html)
    response = client.post(f"/portfolio/{row.id}/comments", data={"body": "Hi", "csrf_token": token})
    assert response.status_code == 303 and "/login?next=" in response.headers["Location"]
    ana = person("Ana Pop")
    login(client, ana.email)
    unconfirm(ana)
    html = page(client, row)
    assert "Confirm your e-mail address to comment" in html and 'name="body"' not in html
    response = client.post(f"/portfolio/{row.id}/comments", data={"body": "Hi", "csrf_token": csrf_from(html)})
    assert response.status_code == 403
    assert client.get("/portfolio/999999/comments").status_code == 404
    assert comments_of(row) == []


def test_the_31st_comment_in_an_hour_is_refused_and_kept_in_the_form(client, db):
    row = project()
    person("Ana Pop")
    login(client, "ana.pop@example.org")
    token = csrf_from(page(client, row))
    for i in range(30):
        response = client.post(f"/portfolio/{row.id}/comments", data={"body": f"Comment {i}", "csrf_token": token})
        assert response.status_code == 303
    response = client.post(f"/portfolio/{row.id}/comments", data={"body": "Number 31", "csrf_token": token})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    html = response.get_data(as_text=True)
    assert "many comments in the last hour" in html and "Number 31</textarea>" in html
    assert len(comments_of(row)) == 30


def test_the_page_shows_the_first_fifty_and_the_comments_page_the_rest(client, db):
    row = project()
    ana = person("Ana Pop")
    for i in range(55):
        comment(row, ana, f"Comment number {i:02d}.")
    html = page(client, row)
    assert "Comment number 49." in html and "Comment number 50." not in html
    assert f'href="/portfolio/{row.id}/comments?page=2"' in html
    second = client.get(f"/portfolio/{row.id}/comments?page=2").get_data(as_text=True)
    assert "Comment number 50." in second and "Comment number 54." in second and "Comment number 49." not in second
    assert "Page 2 of 2" in second and '<ol class="comment-list" start="51">' in second
    for odd in ("?page=0", "?page=x", "?page=999"):
        assert client.get(f"/portfolio/{row.id}/comments{odd}").status_code == 200


def test_comments_load_in_a_fixed_number_of_queries(client, db):
    viewer = person("Viewer")
    login(client, viewer.email)
    settle()
    counts = []
    for n in (2, 10):
        row = project(f"Project {n}")
        for i in range(n):
            author = person(f"Author {n} {i}")
            comment(row, author, f"Comment {i}", hidden=i % 3 == 0, hidden_reason="Off topic")
        settle()
        for url in (f"/portfolio/{row.id}", f"/portfolio/{row.id}/comments"):
            client.get(url)
            with counting_queries() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
    print(f"queries (project page, comments page) with 2 comments: {counts[:2]}, with 10: {counts[2:]}")
    assert counts[:2] == counts[2:], counts
