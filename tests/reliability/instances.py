"""Throwaway instances of the app for fault, migration and backup tests.

Each has a database of the kind the suite runs on (a new SQLite file, or a new PostgreSQL
database on the server of TEST_DATABASE_URL, dropped afterwards) and an upload folder of its own,
so a test can lock, cut off, downgrade or overwrite it without touching the session's database.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import _normalise_database_url
from tests.conftest import FreshContextClient


def database_kind() -> str:
    """"postgresql" when the suite runs on PostgreSQL, else "sqlite"."""
    return "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres") else "sqlite"


def admin_engine():
    """An AUTOCOMMIT engine on the server's maintenance database (PostgreSQL only)."""
    url = make_url(_normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


@contextmanager
def throwaway_database(tmp_path: Path, label: str) -> Iterator[str]:
    """The URL of a new, empty database, removed when the block ends."""
    if database_kind() == "sqlite":
        folder = tmp_path / f"db-{label}"
        folder.mkdir(parents=True, exist_ok=True)
        yield "sqlite:///" + str(folder / "salus.sqlite3")
        return
    name = f"salus_{label}_{uuid.uuid4().hex[:8]}"
    admin = admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(_normalise_database_url(os.environ["TEST_DATABASE_URL"])).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Instance:
    app: Flask
    url: str
    upload_dir: Path

    @property
    def kind(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return Path(make_url(self.url).database or "")

    @property
    def database_name(self) -> str:
        return make_url(self.url).database or ""

    def client(self):
        return self.app.test_client()

    def dispose(self) -> None:
        from app.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def new_app(base_config: dict[str, Any], url: str, upload_dir: Path, **overrides: Any) -> Flask:
    """An app like the session's, on another database and upload folder."""
    application = create_app({**base_config, "DATABASE_URL": url, "UPLOAD_DIR": str(upload_dir), **overrides})
    application.test_client_class = FreshContextClient
    return application


def migrate(application: Flask, revision: str = "head") -> None:
    from flask_migrate import upgrade

    with application.app_context():
        upgrade(revision=revision)


@contextmanager
def fresh_instance(base_config: dict[str, Any], tmp_path: Path, label: str = "fresh", *, migrated: bool = True,
                   **overrides: Any) -> Iterator[Instance]:
    """A new database (migrated to head unless told otherwise), upload folder and app."""
    with throwaway_database(tmp_path, label) as url:
        upload_dir = tmp_path / f"uploads-{label}"
        upload_dir.mkdir(parents=True, exist_ok=True)
        instance = Instance(new_app(base_config, url, upload_dir, **overrides), url, upload_dir)
        try:
            if migrated:
                migrate(instance.app)
            yield instance
        finally:
            instance.dispose()


def table_rows(connection, table: str, columns: list[str] | None = None) -> list[tuple]:
    """Every row of ``table`` (only ``columns`` when given), in primary-key order."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    names = columns or [column["name"] for column in inspector.get_columns(table)]
    order = inspector.get_pk_constraint(table).get("constrained_columns") or names
    quoted = ", ".join(f'"{name}"' for name in names)
    ordering = ", ".join(f'"{name}"' for name in order)
    return [tuple(row) for row in connection.execute(text(f'SELECT {quoted} FROM "{table}" ORDER BY {ordering}'))]


Snapshot = dict[str, tuple[list[str], list[tuple]]]


def snapshot(application: Flask) -> Snapshot:
    """Every table but alembic_version: its columns and all its rows."""
    from sqlalchemy import inspect

    from app.extensions import db

    with application.app_context():
        db.session.remove()
        with db.engine.connect() as connection:
            found = inspect(connection)
            result = {}
            for table in found.get_table_names():
                if table != "alembic_version":
                    columns = [column["name"] for column in found.get_columns(table)]
                    result[table] = (columns, table_rows(connection, table, columns))
        return result


def accounts_and_mails(instance: Instance) -> tuple[int, int]:
    """How many users and outbox mails the instance's database holds."""
    from app.extensions import db

    with instance.app.app_context():
        users = db.session.scalar(text("SELECT count(*) FROM users"))
        mails = db.session.scalar(text("SELECT count(*) FROM outbox_mails"))
        db.session.remove()
    return users, mails
