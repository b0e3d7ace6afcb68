"""`flask backup` and `flask restore`: a backup taken from a live instance brings a fresh one (a
new SQLite file, or a new PostgreSQL database, and an empty upload folder) back to exactly the
same rows and files, and that instance serves the restored attachment. Restores refuse damaged
backups and databases that already hold data; the copy is consistent while writes go on."""
from __future__ import annotations

import json
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text

from app.core import backup as backups
from tests.conftest import DEFAULT_PASSWORD, make_user
from tests.reliability.instances import Instance, Snapshot, fresh_instance, snapshot
from tests.reliability.seeding import ATTACHMENT, Seeded, seed


@dataclass
class BackedUp:
    source: Instance
    seeded: Seeded
    folder: Path
    output: str
    seconds: float
    rows: Snapshot  # the source's rows when the backup was taken


@pytest.fixture(scope="module")
def backed_up(app_config, tmp_path_factory) -> Iterator[BackedUp]:
    """One seeded instance and one backup of it, for every test of this module."""
    folder = tmp_path_factory.mktemp("backups")
    with fresh_instance(app_config, folder, "source") as source:
        seeded = seed(source.app)
        started = time.monotonic()
        result = run(source, "backup", str(folder / "backup"))
        seconds = time.monotonic() - started
        assert result.exit_code == 0, result.output
        yield BackedUp(source, seeded, folder / "backup", result.output, seconds, snapshot(source.app))


def run(instance: Instance, *args: str):
    return instance.app.test_cli_runner().invoke(args=list(args))


def head_revision(instance: Instance) -> str:
    from alembic.script import ScriptDirectory

    with instance.app.app_context():
        [head] = ScriptDirectory.from_config(instance.app.extensions["migrate"].migrate.get_config()).get_heads()
    return head


def test_a_restore_brings_a_fresh_instance_back_to_the_same_state(backed_up, app_config, tmp_path):
    source, seeded, folder = backed_up.source, backed_up.seeded, backed_up.folder
    assert "Backup written to" in backed_up.output and "1 uploaded files" in backed_up.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["kind"] == source.kind
    assert manifest["database"]["revision"] == head_revision(source)
    assert manifest["uploads"] == [{"name": seeded.stored_name, "size": len(ATTACHMENT),
                                    "sha256": backups.sha256_of(source.upload_dir / seeded.stored_name)}]
    assert {entry["name"] for entry in manifest["files"]} == {manifest["database"]["file"], "uploads.tar.gz"}
    assert folder.stat().st_mode & 0o077 == 0  # readable by its owner only

    with fresh_instance(app_config, tmp_path, "restored", migrated=False) as target:
        started = time.monotonic()
        result = run(target, "restore", str(folder))
        restore_s = time.monotonic() - started
        assert result.exit_code == 0, result.output
        assert "Restored" in result.output and "flask db upgrade" not in result.output

        after = snapshot(target.app)
        assert {table: len(rows) for table, (_c, rows) in after.items()} == manifest["database"]["tables"]
        assert after == backed_up.rows  # every row of every table
        assert (target.upload_dir / seeded.stored_name).read_bytes() == ATTACHMENT

        # The restored instance works: the member signs in and downloads the attachment.
        client = target.client()
        token = client.post("/api/v1/auth/tokens", json={"email": seeded.member_email,
                                                         "password": DEFAULT_PASSWORD}).get_json()["token"]
        download = client.get(f"/api/v1/ideas/{seeded.idea_id}/attachments/{seeded.attachment_id}",
                              headers={"Authorization": f"Bearer {token}"})
        assert download.status_code == 200
        assert download.data == ATTACHMENT
        assert client.get("/challenges").status_code == 200
    rows = sum(manifest["database"]["tables"].values())
    print(f"\nbackup of {rows} rows and 1 file on {source.kind}: {backed_up.seconds:.2f} s; restore: {restore_s:.2f} s")


def test_a_restore_refuses_data_it_would_overwrite_unless_forced(backed_up):
    """Restoring over a live instance (here: the source, changed since its backup) needs --force,
    and then brings back exactly the backup: the later account and file are gone."""
    source = backed_up.source
    with source.app.app_context():
        make_user("later@example.org")
    (source.upload_dir / ("f" * 32)).write_bytes(b"a file stored after the backup")
    before = snapshot(source.app)

    refused = run(source, "restore", str(backed_up.folder))
    assert refused.exit_code == 1
    assert "The database is not empty" in refused.output and "--force" in refused.output
    assert snapshot(source.app) == before

    forced = run(source, "restore", str(backed_up.folder), "--force")
    assert forced.exit_code == 0, forced.output
    assert snapshot(source.app) == backed_up.rows
    assert [p.name for p in source.upload_dir.iterdir()] == [backed_up.seeded.stored_name]


def test_a_damaged_or_unfinished_backup_is_refused_before_anything_changes(backed_up, tmp_path):
    source = backed_up.source
    folder = tmp_path / "copy"
    shutil.copytree(backed_up.folder, folder)
    archive = folder / "uploads.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    before = snapshot(source.app)

    refused = run(source, "restore", str(folder), "--force")
    assert refused.exit_code == 1 and "uploads.tar.gz does not match its checksum" in refused.output
    (folder / "manifest.json").unlink()
    refused = run(source, "restore", str(folder), "--force")
    assert refused.exit_code == 1 and "unfinished" in refused.output
    assert snapshot(source.app) == before
    assert [p.name for p in source.upload_dir.iterdir()] == [backed_up.seeded.stored_name]

    again = run(source, "backup", str(backed_up.folder))  # a used folder is never overwritten
    assert again.exit_code == 1 and "not an empty directory" in again.output


def test_a_missing_pg_dump_is_reported_clearly(backed_up, tmp_path, monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump was not found on the PATH"):
        backups.find_tool("pg_dump")
    if backed_up.source.kind == "postgresql":
        result = run(backed_up.source, "backup", str(tmp_path / "backup"))
        assert result.exit_code == 1 and "pg_dump was not found on the PATH" in result.output
        assert not (tmp_path / "backup").exists()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_the_copy_is_consistent_while_writes_go_on(backed_up, tmp_path):
    """A writer adds two mails per transaction during the backup: the copy never holds half of one."""
    from app.core.outbox import queue_mail
    from app.extensions import db

    source = backed_up.source
    with source.app.app_context():
        already = db.session.scalar(text("SELECT count(*) FROM outbox_mails"))
        db.session.remove()
    stop, written, errors = threading.Event(), [0], []

    def writer() -> None:
        try:
            with source.app.app_context():
                while not stop.is_set():
                    for n in (1, 2):
                        queue_mail(f"pair{written[0]}-{n}@example.org", "password_changed",
                                   user={"name": "Pair"}, reset_url="http://salus.test/reset")
                    db.session.commit()
                    written[0] += 1
                db.session.remove()
        except BaseException as error:  # reported in the test's thread
            errors.append(error)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        while written[0] < 20 and thread.is_alive():
            time.sleep(0.01)
        result = run(source, "backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        thread.join(30)
    assert errors == [] and result.exit_code == 0, result.output
    in_copy = json.loads((tmp_path / "backup" / "manifest.json").read_text())["database"]["tables"]["outbox_mails"]
    with source.app.app_context():
        total = db.session.scalar(text("SELECT count(*) FROM outbox_mails"))
        db.session.remove()
    added = in_copy - already
    assert added % 2 == 0 and 40 <= added <= total - already == 2 * written[0]
    print(f"\nbackup during writes on {source.kind}: {added // 2} of {written[0]} two-row transactions in the "
          f"copy, none cut in half")
