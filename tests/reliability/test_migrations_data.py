"""Migrations keep data. With a database full of real rows (tests/reliability/seeding.py: accounts,
a judged challenge with teams, ideas, reviews, awards and published results, portfolio projects
with a comment, an uploaded attachment), every migration is taken down and up again, one at a
time from the newest: whatever a round trip keeps (the tables and columns that exist below it)
comes back unchanged. Tables a migration creates are dropped by its downgrade, so their rows
cannot survive it.

tests/core/test_migrations.py checks that the migrations build exactly the models' schema and
that an empty database goes from base to head, down to base and up again, through `flask db`.
"""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.reliability.instances import Snapshot, fresh_instance, snapshot
from tests.reliability.seeding import seed

SEEDED = {"users", "challenges", "teams", "team_members", "ideas", "attachments", "reviews", "criterion_scores",
          "awards", "publications", "portfolio_projects", "project_comments", "outbox_mails", "audit_events"}


def chain(app) -> list[str]:
    """Revision ids from the first to the head."""
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def restricted(full: tuple[list[str], list[tuple]], columns: list[str]) -> list[tuple]:
    positions = [full[0].index(name) for name in columns]
    return [tuple(row[i] for i in positions) for row in full[1]]


def assert_kept(before: Snapshot, after: Snapshot, where: str) -> None:
    for table, (columns, _rows) in after.items():
        if table not in before:
            continue
        kept = [name for name in columns if name in before[table][0]]
        assert restricted(after[table], kept) == restricted(before[table], kept), f"{table} changed {where}"


def migrate_to(app, revision: str, direction: str) -> None:
    with app.app_context():
        (upgrade if direction == "up" else downgrade)(revision=revision)


def schema_differences(app) -> list:
    from app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, db.metadata)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_each_migration_down_and_up_keeps_the_rows_below_it(app_config, tmp_path, frozen_clock):
    with fresh_instance(app_config, tmp_path, "migdata") as instance:
        app = instance.app
        revisions = chain(app)
        seed(app)
        seeded = snapshot(app)
        empty = {table for table in SEEDED if not seeded.get(table, ([], []))[1]}
        assert not empty, f"the seed left these tables empty: {empty}"

        kept_rows = 0
        for upper, lower in zip(reversed(revisions), list(reversed(revisions))[1:]):
            migrate_to(app, lower, "down")
            below = snapshot(app)
            assert_kept(seeded, below, f"when {upper} was downgraded")
            migrate_to(app, upper, "up")
            assert_kept(below, snapshot(app), f"when {upper} was upgraded again")
            kept_rows += sum(len(rows) for _columns, rows in below.values())
            migrate_to(app, lower, "down")  # and on to the next one down

        first = snapshot(app)
        assert first["users"][1], "the accounts are still there at the first revision"
        migrate_to(app, "head", "up")
        assert_kept(first, snapshot(app), "when going back up to head")
        assert schema_differences(app) == []
    print(f"\n{len(revisions) - 1} migrations taken down and up with data; {kept_rows} rows checked after the round "
          f"trips ({sum(len(rows) for _c, rows in seeded.values())} seeded)")

