"""The archive pages: organisers download, administrators import; everyone else is refused."""
from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from app.accounts.models import User
from app.challenges.models import Challenge
from app.extensions import db as database
from app.results import rules
from app.results.archive import build_archive
from app.results.models import Award, Publication
from tests.conftest import csrf_from, login, make_user
from tests.factories import make_challenge, make_idea, make_juror, make_review, make_team
from tests.results.archive_support import members, published, rewrite, row_counts


@pytest.fixture
def world(app):
    with app.app_context():
        built = published()
        make_user("admin@example.org", name="Ada Admin", admin=True)
        make_challenge(title="Another challenge", organisers=[make_user("other@example.org", name="Other Organiser")])
        draft = make_challenge(title="A draft", status="draft", organisers=[built.organiser])
        return {"challenge_id": built.challenge.id, "draft_id": draft.id}


def signed_in(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code in (302, 303)
    return client


# --- export -------------------------------------------------------------------------------

def test_organisers_download_the_archive_as_an_attachment(app, world):
    for email in ("olga@example.org", "admin@example.org"):
        response = signed_in(app, email).get(f"/challenges/{world['challenge_id']}/archive.zip")
        assert response.status_code == 200
        assert response.mimetype == "application/zip"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"salus-challenge-{world['challenge_id']}-smart-health-city-ia-i-2026.zip" in disposition
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "datapackage.json" in members(response.data)


@pytest.mark.parametrize("email", [None, "a1@example.org", "juror1@example.org", "other@example.org",
                                   "out@example.org"])
def test_everyone_else_is_refused_the_archive(app, world, email):
    client = signed_in(app, email) if email else app.test_client()
    assert client.get(f"/challenges/{world['challenge_id']}/archive.zip").status_code == 403
    assert client.get(f"/challenges/{world['draft_id']}/archive.zip").status_code == 404
    assert client.get("/challenges/999999/archive.zip").status_code == 404


def count_export_queries(app, challenge_id: int) -> int:
    client = signed_in(app, "boss@example.org")
    statements = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = database.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        response = client.get(f"/challenges/{challenge_id}/archive.zip")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(statements)


def build_challenge(app, size: int) -> int:
    """A published challenge with ``size`` teams, entries, reviews and awards."""
    with app.app_context():
        boss = database.session.scalar(select(User).where(User.email == "boss@example.org")) \
            or make_user("boss@example.org")
        juror = make_user(f"juror-{size}@example.org")
        challenge = make_challenge(title=f"Size {size}", status="judging", organisers=[boss], kind="call",
                                   opens_in=dt.timedelta(days=-10), deadline_in=dt.timedelta(days=-1))
        make_juror(challenge, juror)
        criteria = [c.id for c in challenge.criteria]
        for n in range(size):
            team = make_team(challenge, make_user(f"m{n}-{size}@example.org"), name=f"Team {n}")
            idea = make_idea(team, status="submitted", budget_requested=Decimal("1000"))
            make_review(idea, juror, {cid: 3 for cid in criteria}, comment="Fine.")
            database.session.add(Award(challenge_id=challenge.id, idea_id=idea.id, name=f"Prize {n}", position=n))
        database.session.add(Publication(challenge_id=challenge.id, method="raw", visibility="full", awards=[],
                                         ranking=[], digest=rules.digest([], []), full_ranking=[]))
        challenge.status = "published"
        database.session.commit()
        return challenge.id


def test_the_export_takes_a_constant_number_of_queries(app):
    small = count_export_queries(app, build_challenge(app, 2))
    large = count_export_queries(app, build_challenge(app, 10))
    print(f"archive export queries: {small} for 2 entries, {large} for 10")
    assert small == large, (small, large)
    assert large <= 20


# --- import -------------------------------------------------------------------------------

def package_of(app, challenge_id: int) -> bytes:
    with app.app_context():
        return build_archive(database.session.get(Challenge, challenge_id))


def upload(client, data: bytes, name: str = "archive.zip", **kwargs):
    token = csrf_from(client.get("/admin/archives/import").get_data(as_text=True))
    return client.post("/admin/archives/import", data={"csrf_token": token, "archive": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", **kwargs)


def counts(app) -> dict[str, int]:
    with app.app_context():
        return row_counts()


def test_an_administrator_imports_an_archive_and_sees_what_was_made(app, world):
    client = signed_in(app, "admin@example.org")
    page = client.get("/admin/archives/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    before = counts(app)

    response = upload(client, package_of(app, world["challenge_id"]))
    assert response.status_code == 303
    assert "/admin/archives/import?imported=" in response.headers["Location"]
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The archive is imported as a new challenge" in summary
    assert "Imported: Smart Health City Iași 2026" in summary and "Archived" in summary
    assert "http://salus.test" in summary and "so that the digest still verifies" in summary
    after = counts(app)
    assert after["challenges"] == before["challenges"] + 1 and after["ideas"] == before["ideas"] + 4
    assert after["team_members"] == before["team_members"]
    with app.app_context():
        copy = database.session.scalar(select(Challenge).order_by(Challenge.id.desc()).limit(1))
        original = database.session.get(Publication, world["challenge_id"])
        assert database.session.get(Publication, copy.id).digest == original.digest
    assert client.get(f"/challenges/{copy.id}").status_code == 200


def test_a_malformed_archive_is_shown_in_the_error_summary_and_nothing_is_stored(app, world):
    client = signed_in(app, "admin@example.org")
    before = counts(app)
    response = upload(client, b"just some text", name="notes.zip")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and "not a ZIP archive" in page

    broken = rewrite(package_of(app, world["challenge_id"]),
                     ideas_csv=lambda c: c.decode().replace("60000.00", "lots").encode())
    page = upload(client, broken).get_data(as_text=True)
    assert "ideas.csv, row 2, budget_requested" in page and "Must be an amount" in page

    late = rewrite(package_of(app, world["challenge_id"]),
                   datapackage_json=lambda c: json.dumps({**json.loads(c), "salus_archive_version": 7}).encode())
    assert "format version 7" in upload(client, late).get_data(as_text=True)

    response = client.post("/admin/archives/import", data={"csrf_token": csrf_from(page)},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose the .zip file" in response.get_data(as_text=True)
    assert counts(app) == before


def test_an_upload_over_the_limit_answers_413_on_the_form(app, world):
    client = signed_in(app, "admin@example.org")
    before = counts(app)
    response = upload(client, b"PK" + bytes(app.config["MAX_CONTENT_LENGTH"]))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than 10 MB" in page and "Import a challenge archive" in page
    assert counts(app) == before


@pytest.mark.parametrize("email", ["olga@example.org", "a1@example.org", "juror1@example.org"])
def test_only_administrators_reach_the_import(app, world, email):
    client = signed_in(app, email)
    before = counts(app)
    assert client.get("/admin/archives/import").status_code == 403
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/admin/archives/import", content_type="multipart/form-data",
                           data={"csrf_token": token,
                                 "archive": (io.BytesIO(package_of(app, world["challenge_id"])), "a.zip")})
    assert response.status_code == 403
    assert counts(app) == before


def test_anonymous_visitors_are_sent_to_sign_in(app, world):
    response = app.test_client().get("/admin/archives/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
