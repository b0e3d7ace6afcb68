"""Attachments: recognised by content, limited in size, never half-stored."""
import errno
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.submissions import services, uploads
from app.submissions.models import Attachment
from tests.factories import make_idea
from tests.submissions.helpers import jpeg_bytes, pdf_bytes, png_bytes


def upload(data: bytes, name: str, content_type: str = "application/octet-stream") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def stored_files(app) -> set[str]:
    return set(os.listdir(app.config["UPLOAD_DIR"]))


def attachment_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


@pytest.fixture
def idea(world):
    return make_idea(world.team)


@pytest.mark.parametrize("data, name, content_type", [
    (pdf_bytes(), "Evaluare_Iași.pdf", "application/pdf"),
    (png_bytes(), "schema.png", "image/png"),
    (jpeg_bytes(), "poză.JPG", "image/jpeg"),
])
def test_accepted_files_are_stored_under_a_random_name(app, db, world, idea, data, name, content_type):
    attachment = services.add_attachment(idea, world.alice, upload(data, name))
    assert (attachment.filename, attachment.size, attachment.content_type) == (name, len(data), content_type)
    assert len(attachment.stored_name) == 32 and name not in attachment.stored_name
    path = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
    assert path.read_bytes() == data
    assert not [f for f in stored_files(app) if f.endswith(".part")]


def test_the_base_name_is_kept_and_an_extension_added(db, world, idea):
    attachment = services.add_attachment(idea, world.alice, upload(pdf_bytes(), "C:\\Users\\ana\\..\\plan final"))
    assert attachment.filename == "plan final.pdf"


@pytest.mark.parametrize("data, name, declared", [
    (b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>", "page.html",
     "text/html"),
    (b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>", "plan.pdf",
     "application/pdf"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg",
     "image/svg+xml"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "logo.png", "image/png"),
    (b"Meeting notes\nTuesday\n", "notes.txt", "text/plain"),
    (pdf_bytes(), "plan.html", "text/html"),
    (pdf_bytes(), "plan.htm", "application/pdf"),
    (b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF", "polyglot.pdf", "application/pdf"),
    (png_bytes(), "picture.jpg", "image/jpeg"),
    (b"MZ\x90\x00" + b"\x00" * 60, "setup.pdf", "application/pdf"),
    (b"", "empty.pdf", "application/pdf"),
])
def test_anything_else_is_refused_with_415(app, db, world, idea, data, name, declared):
    before = stored_files(app)
    with pytest.raises(uploads.UnsupportedFileType) as caught:
        services.add_attachment(idea, world.alice, upload(data, name, declared))
    assert caught.value.status == 415
    assert attachment_count(db) == 0 and stored_files(app) == before


def test_a_file_over_the_limit_is_refused_with_413(app, db, world, idea, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    before = stored_files(app)
    big = pdf_bytes() + b"0" * (1024 * 1024)
    with pytest.raises(uploads.FileTooLarge) as caught:
        services.add_attachment(idea, world.alice, upload(big, "big.pdf"))
    assert caught.value.status == 413
    assert attachment_count(db) == 0 and stored_files(app) == before
    exact = pdf_bytes() + b"0" * (1024 * 1024 - len(pdf_bytes()))
    assert services.add_attachment(idea, world.alice, upload(exact, "exact.pdf")).size == 1024 * 1024


def test_a_full_disk_leaves_no_row_and_no_partial_file(app, db, world, idea, monkeypatch):
    before = stored_files(app)
    written = []

    def full_disk(handle, chunk):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(handle.write(chunk))

    monkeypatch.setattr(uploads, "CHUNK", 1024)
    monkeypatch.setattr(uploads, "_write_chunk", full_disk)
    with pytest.raises(uploads.StorageUnavailable):
        services.add_attachment(idea, world.alice, upload(pdf_bytes() + b"x" * 5000, "report.pdf"))
    assert written, "the first chunk was written before the disk filled up"
    assert attachment_count(db) == 0 and stored_files(app) == before

    monkeypatch.undo()
    attachment = services.add_attachment(idea, world.alice, upload(pdf_bytes(), "report.pdf"))
    assert stored_files(app) == before | {attachment.stored_name}


def test_a_failed_move_leaves_no_row_and_no_file(app, db, world, idea, monkeypatch):
    before = stored_files(app)

    def refuse(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(uploads.os, "replace", refuse)
    with pytest.raises(uploads.StorageUnavailable):
        services.add_attachment(idea, world.alice, upload(png_bytes(), "diagram.png"))
    assert attachment_count(db) == 0 and stored_files(app) == before


def test_a_failure_after_the_file_is_placed_removes_it(app, db, world, idea, monkeypatch):
    before = stored_files(app)
    real_record = services.audit.record

    def failing_record(action, **kwargs):
        if action == "idea.attachment_added":
            raise RuntimeError("connection lost while committing")
        return real_record(action, **kwargs)

    monkeypatch.setattr(services.audit, "record", failing_record)
    with pytest.raises(RuntimeError):
        services.add_attachment(idea, world.alice, upload(png_bytes(), "diagram.png"))
    assert attachment_count(db) == 0 and stored_files(app) == before


def test_at_most_ten_attachments(db, world, idea):
    for number in range(services.MAX_ATTACHMENTS):
        services.add_attachment(idea, world.alice, upload(png_bytes(), f"page-{number}.png"))
    with pytest.raises(Conflict) as caught:
        services.add_attachment(idea, world.bob, upload(png_bytes(), "one-too-many.png"))
    assert caught.value.code == "too_many_attachments"
    assert attachment_count(db) == services.MAX_ATTACHMENTS


def test_no_file_is_a_validation_error(db, world, idea):
    with pytest.raises(ValidationFailed) as caught:
        services.add_attachment(idea, world.alice, None)
    assert "file" in caught.value.fields
    with pytest.raises(ValidationFailed):
        services.add_attachment(idea, world.alice, upload(b"", ""))


def test_only_members_attach(app, db, world, idea):
    before = stored_files(app)
    for outsider in (world.carol, world.dave):
        with pytest.raises(NotFound):
            services.add_attachment(idea, outsider, upload(pdf_bytes(), "x.pdf"))
    assert attachment_count(db) == 0 and stored_files(app) == before


def test_removing_deletes_the_file_after_commit(app, db, world, idea):
    attachment = services.add_attachment(idea, world.alice, upload(pdf_bytes(), "plan.pdf"))
    stored = attachment.stored_name
    services.remove_attachment(idea, world.bob, attachment.id)
    assert attachment_count(db) == 0 and stored not in stored_files(app)
    with pytest.raises(NotFound):
        services.remove_attachment(idea, world.bob, attachment.id)
