"""A full disk during an upload: the person is told plainly (503 with Retry-After, in their
language, on the page and in the API), no attachment row is left, no partial file stays in
UPLOAD_DIR, and the next upload succeeds once there is room again."""
from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.submissions import uploads
from app.submissions.models import Attachment
from tests.conftest import api_token, bearer, form_post, login, make_user
from tests.factories import make_challenge, make_idea, make_team
from tests.submissions.helpers import pdf_bytes

ROMANIAN = "Fișierul nu a putut fi stocat. Nu s-a salvat nimic."
ENGLISH = "The file could not be stored. Nothing was saved."
FILE = pdf_bytes("a report of several chunks") + b"%" + b"x" * 9000


@pytest.fixture
def world(db, frozen_clock):
    bogdan = make_user("bogdan@example.org", name="Bogdan Bălan", locale="ro")
    alice = make_user("alice@example.org", name="Alice Ababei", locale="en")
    team = make_team(make_challenge(), bogdan, alice, name="Heart at home")
    return make_idea(team).id, team.id


@pytest.fixture
def full_disk(monkeypatch):
    """The disk fills up after the first chunk of any upload; records what was on disk then."""
    seen: list[list[str]] = []

    def write(handle, chunk: bytes) -> None:
        if handle.tell() > 0:
            seen.append(sorted(os.listdir(Path(handle.name).parent)))
            raise OSError(errno.ENOSPC, "No space left on device")
        handle.write(chunk)

    monkeypatch.setattr(uploads, "CHUNK", 1024)
    monkeypatch.setattr(uploads, "_write_chunk", write)
    return seen


def stored(app) -> set[str]:
    return set(os.listdir(app.config["UPLOAD_DIR"]))


def attachments(db) -> int:
    db.session.rollback()  # a fresh look, not this test's earlier snapshot
    return db.session.scalar(select(func.count()).select_from(Attachment))


def upload_page(client, idea_id: int, team_id: int, name: str):
    return form_post(client, f"/ideas/{idea_id}/attachments", {"file": (io.BytesIO(FILE), name)},
                     page=f"/teams/{team_id}/idea")


def upload_api(client, token: str, idea_id: int, name: str):
    return client.post(f"/api/v1/ideas/{idea_id}/attachments", headers=bearer(token),
                       data={"file": (io.BytesIO(FILE), name)}, content_type="multipart/form-data")


def test_a_full_disk_refuses_the_upload_cleanly_and_the_next_one_succeeds(app, db, client, world, full_disk,
                                                                          monkeypatch):
    idea_id, team_id = world
    before = stored(app)
    login(client, "bogdan@example.org")
    token = api_token(app.test_client(), "alice@example.org")

    page = upload_page(client, idea_id, team_id, "raport.pdf")
    html = page.get_data(as_text=True)
    assert page.status_code == 503, html[:300]
    assert page.headers["Retry-After"]
    assert '<html lang="ro">' in html and ROMANIAN in html
    assert 'name="title"' in html  # the idea's form, not a bare error page

    answer = upload_api(client, token, idea_id, "report.pdf")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert answer.get_json() == {"error": {"code": "storage_unavailable", "message": ENGLISH
                                           + " Please try again in a few minutes."}}

    # The first chunk had reached the disk in a temporary file when the disk filled up; it is gone.
    assert len(full_disk) == 2
    assert all(any(name.startswith(".upload-") for name in listing) for listing in full_disk)
    assert attachments(db) == 0
    assert stored(app) == before

    monkeypatch.undo()  # room again
    assert upload_page(client, idea_id, team_id, "raport.pdf").status_code == 303
    created = upload_api(client, token, idea_id, "report.pdf")
    assert created.status_code == 201, created.get_json()
    assert attachments(db) == 2
    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(row.filename, row.size) for row in rows] == [("raport.pdf", len(FILE)), ("report.pdf", len(FILE))]
    assert stored(app) == before | {row.stored_name for row in rows}
    assert all(uploads.stored_path(row.stored_name).read_bytes() == FILE for row in rows)
