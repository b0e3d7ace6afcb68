"""Backups of a whole instance: the database and the uploaded files, described by a manifest.

A backup is a directory holding a consistent copy of the database (SQLite's online backup API,
or ``pg_dump`` in its custom format for PostgreSQL), ``uploads.tar.gz`` with the files of
UPLOAD_DIR, and ``manifest.json``: when it was made, which database, the schema revision, the
row count of every table and every file with its size and SHA-256. The manifest is written last,
so a directory without one is an unfinished backup. Restoring checks every checksum before it
changes anything, and refuses a database or upload folder that already holds data.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump/pg_restore with a fixed argument list
import tarfile
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url

from app.core import clock

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
UPLOADS_FILE = "uploads.tar.gz"
HASH_CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


# --- shared ---------------------------------------------------------------------------------------

def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def database_kind(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {url.get_backend_name()}.")


def find_tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a clear error when it is not installed."""
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found on the PATH. Install the PostgreSQL client programs "
                          f"(e.g. the postgresql-client package, of the server's major version or newer) "
                          f"or add their folder to the PATH.")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(path: Path, name: str) -> dict[str, Any]:
    return {"name": name, "size": path.stat().st_size, "sha256": sha256_of(path)}


def row_counts(connection: Connection) -> dict[str, int]:
    tables = sorted(name for name in inspect(connection).get_table_names() if name != "alembic_version")
    # The names come from the database's own catalogue, never from a request.
    return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # nosec B608
            for table in tables}


def schema_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _postgres_command(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment that carries it: the
    password never appears in the process list."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit code {result.returncode}): {result.stderr.strip()[-2000:]}")


# --- backup ---------------------------------------------------------------------------------------

def backup(directory: Path) -> dict[str, Any]:
    """Write a backup of the database and UPLOAD_DIR into ``directory`` (new, or empty).

    The database is copied first, then the files: an attachment added meanwhile is at worst a file
    without a row, never a row without its file (files are placed before their row commits).
    """
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} is not an empty directory: choose a new one for each backup.")
    url = database_url()
    kind = database_kind(url)
    if kind == "postgresql":
        find_tool("pg_dump")  # before anything is written
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)  # personal data: its owner only
    created_at = clock.now()
    if kind == "sqlite":
        database_file = directory / SQLITE_FILE
        revision, counts = _backup_sqlite(Path(url.database or ""), database_file)
    else:
        database_file = directory / POSTGRES_FILE
        revision, counts = _backup_postgres(url, database_file)
    uploads = _archive_uploads(Path(current_app.config["UPLOAD_DIR"]), directory / UPLOADS_FILE)
    manifest = {
        "format": FORMAT,
        "application": "Salus",
        "created_at": created_at.isoformat(),
        "database": {"kind": kind, "file": database_file.name, "revision": revision, "tables": counts},
        "files": [file_entry(database_file, database_file.name),
                  file_entry(directory / UPLOADS_FILE, UPLOADS_FILE)],
        "uploads": uploads,
    }
    partial = directory / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(directory / MANIFEST)
    return manifest


def _backup_sqlite(source: Path, target: Path) -> tuple[str | None, dict[str, int]]:
    """SQLite's online backup: one consistent snapshot, taken while the app keeps running."""
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    live = sqlite3.connect(source, timeout=30)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)  # all pages in one step, under one read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The copy of the SQLite database failed its integrity check.")
    finally:
        copy.close()
        live.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return schema_revision(connection), row_counts(connection)
    finally:
        engine.dispose()


def _backup_postgres(url: URL, target: Path) -> tuple[str | None, dict[str, int]]:
    """pg_dump of a snapshot exported by this transaction, so the row counts in the manifest are
    those of the dump itself."""
    pg_dump = find_tool("pg_dump")
    conninfo, env = _postgres_command(url)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision, counts = schema_revision(connection), row_counts(connection)
            _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--no-password",
                  f"--snapshot={snapshot}", f"--file={target}", f"--dbname={conninfo}"], env, "pg_dump")
    finally:
        engine.dispose()
    return revision, counts


def _archive_uploads(upload_dir: Path, target: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    with tarfile.open(target, "w:gz") as archive:
        if upload_dir.is_dir():
            for path in sorted(upload_dir.rglob("*")):
                relative = path.relative_to(upload_dir)
                # Hidden names are uploads still being written (".upload-….part"), not stored files.
                if not path.is_file() or path.is_symlink() or any(p.startswith(".") for p in relative.parts):
                    continue
                entries.append(file_entry(path, relative.as_posix()))
                archive.add(path, arcname=relative.as_posix(), recursive=False)
    return entries


# --- restore --------------------------------------------------------------------------------------

def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a complete backup whose files all match their checksums."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} holds no {MANIFEST}: it is not a backup, or an unfinished one.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup manifest this version of Salus reads (format {FORMAT}).")
    for entry in manifest.get("files", []):
        name = str(entry.get("name", ""))
        file = Path(directory) / name
        if "/" in name or not file.is_file():
            raise BackupError(f"The backup is incomplete: {name} is missing.")
        if file.stat().st_size != entry.get("size") or sha256_of(file) != entry.get("sha256"):
            raise BackupError(f"{name} does not match its checksum in the manifest: the backup is damaged.")
    return manifest


def database_is_empty(engine: Engine) -> bool:
    """No table holds a row (a freshly migrated schema counts as empty)."""
    with engine.connect() as connection:
        return not any(row_counts(connection).values())


def uploads_are_empty(upload_dir: Path) -> bool:
    return not upload_dir.exists() or not any(path.is_file() for path in upload_dir.rglob("*"))


def restore(directory: Path, engine: Engine, *, force: bool = False) -> dict[str, Any]:
    """Bring the database and UPLOAD_DIR back to the state of the backup in ``directory``.

    Refuses, before changing anything, a damaged backup, one of another kind of database, and a
    database or upload folder that holds data (unless ``force``: then it is replaced).
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    url = database_url()
    kind = database_kind(url)
    if manifest["database"]["kind"] != kind:
        raise BackupError(f"This backup is of a {manifest['database']['kind']} database; "
                          f"DATABASE_URL names a {kind} one.")
    if kind == "postgresql":
        find_tool("pg_restore")
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    if not force:
        if not database_is_empty(engine):
            raise BackupError("The database is not empty. Restore into a new, empty database, "
                              "or use --force to replace everything in it.")
        if not uploads_are_empty(upload_dir):
            raise BackupError(f"The upload folder {upload_dir} is not empty. Use an empty one, "
                              f"or --force to replace its files.")
    engine.dispose()  # no pooled connection may outlive the database it was opened on
    database_file = directory / manifest["database"]["file"]
    if kind == "sqlite":
        _restore_sqlite(database_file, Path(url.database or ""))
    else:
        _restore_postgres(database_file, url, engine)
    with engine.connect() as connection:
        counts = row_counts(connection)
    if counts != manifest["database"]["tables"]:
        raise BackupError("The restored database does not hold the rows the manifest lists.")
    _restore_uploads(directory / UPLOADS_FILE, upload_dir, manifest.get("uploads", []))
    return manifest


def _restore_sqlite(backup_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    copy = sqlite3.connect(backup_file)
    live = sqlite3.connect(target, timeout=30)
    try:
        copy.backup(live)  # replaces every page of the target, in one transaction
        if live.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The restored SQLite database failed its integrity check.")
    finally:
        live.close()
        copy.close()


def _restore_postgres(dump: Path, url: URL, engine: Engine) -> None:
    pg_restore = find_tool("pg_restore")
    _drop_everything(engine)
    conninfo, env = _postgres_command(url)
    _run([pg_restore, "--no-owner", "--no-privileges", "--no-password", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(dump)], env, "pg_restore")


def _drop_everything(engine: Engine) -> None:
    """Empty the database's schema (tables, views, sequences, enum types) for the dump to fill."""
    with engine.begin() as connection:
        found = inspect(connection)
        for view in found.get_view_names():
            connection.execute(text(f'DROP VIEW IF EXISTS "{view}" CASCADE'))
        for table in found.get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        for sequence in found.get_sequence_names():
            connection.execute(text(f'DROP SEQUENCE IF EXISTS "{sequence}" CASCADE'))
        for enum in found.get_enums():
            connection.execute(text(f'DROP TYPE IF EXISTS "{enum["name"]}" CASCADE'))


def _restore_uploads(archive_path: Path, upload_dir: Path, expected: list[dict[str, Any]]) -> None:
    upload_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(upload_dir.rglob("*"), reverse=True):  # files before their folders
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
    with tarfile.open(archive_path, "r:gz") as archive:
        # The "data" filter refuses absolute paths, "..", links out of the folder and devices.
        archive.extractall(upload_dir, filter="data")  # nosec B202 - filtered
    for entry in expected:
        path = upload_dir / entry["name"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise BackupError(f"The uploaded file {entry['name']} did not come back intact.")
