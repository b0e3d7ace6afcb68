"""The migrations build exactly the schema the models describe, and run down and up again."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.config import ENVIRONMENT


def differences(connection, metadata):
    context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                           "compare_server_default": False})
    return compare_metadata(context, metadata)


def test_migrated_database_matches_the_models(db):
    with db.engine.connect() as connection:
        assert differences(connection, db.metadata) == []


def test_flask_db_check_finds_nothing_to_generate(app):
    # Exits non-zero when autogenerate would write a migration.
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_the_comparison_does_see_differences(db):
    with db.engine.connect() as connection:
        missing = {diff[1].name for diff in differences(connection, MetaData()) if diff[0] == "remove_table"}
    assert {"users", "outbox_mails"} <= missing


def test_the_history_has_one_head_and_the_database_is_at_it(app):
    from alembic.script import ScriptDirectory

    from app.extensions import db

    with app.app_context():
        heads = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_heads()
        assert len(heads) == 1, f"the migration history has several heads: {heads}"
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)


# --- a fresh database: up, down, up, through the real command ---------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def flask_db(database_url: str, tmp_path: Path, *args: str) -> None:
    """Run `flask db ...` as an operator would: a new process configured from the environment."""
    env = {name: value for name, value in os.environ.items() if name not in ENVIRONMENT}
    env.update(FLASK_APP="wsgi.py", DATABASE_URL=database_url, SECRET_KEY="migration-test-secret",
               UPLOAD_DIR=str(tmp_path / "uploads"))
    result = subprocess.run([sys.executable, "-m", "flask", "db", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def user_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM users")).scalar()


def insert_user(engine, email: str) -> None:
    from app.accounts.models import User

    now = dt.datetime.now(dt.timezone.utc)
    with Session(engine) as session:
        session.add(User(email=email, email_key=email, password_hash="x", name="Migration Test",
                         created_at=now, password_changed_at=now))
        session.commit()


def round_trip(database_url: str, tmp_path: Path) -> None:
    from app.extensions import db

    engine = create_engine(normalise(database_url))
    try:
        flask_db(database_url, tmp_path, "upgrade")
        assert {"users", "outbox_mails", "alembic_version"} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            assert differences(connection, db.metadata) == []

        insert_user(engine, "kept@example.org")
        flask_db(database_url, tmp_path, "upgrade")  # already at head: nothing to do, nothing lost
        assert user_count(engine) == 1

        flask_db(database_url, tmp_path, "downgrade", "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        flask_db(database_url, tmp_path, "upgrade")
        assert user_count(engine) == 0
        insert_user(engine, "again@example.org")
        assert user_count(engine) == 1
    finally:
        engine.dispose()


def normalise(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)


def test_sqlite_upgrade_downgrade_upgrade(tmp_path):
    round_trip("sqlite:///" + str(tmp_path / "fresh.sqlite3"), tmp_path)


@pytest.mark.database
def test_postgresql_upgrade_downgrade_upgrade(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith(("postgresql", "postgres:")):
        pytest.skip("TEST_DATABASE_URL does not name a PostgreSQL server")
    url = make_url(normalise(base))
    name = f"salus_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        round_trip(url.set(database=name).render_as_string(hide_password=False), tmp_path)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
