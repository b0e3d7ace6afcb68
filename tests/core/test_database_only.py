"""The second run on another database keeps every test that reaches a database."""
from __future__ import annotations

import pytest

from tests import database_only
from tests.core import test_migrations


class FakeItem:
    def __init__(self, name: str, fixtures: tuple[str, ...] = (), marker: str | None = None):
        self.name, self.fixturenames, self.marker = name, list(fixtures), marker

    def get_closest_marker(self, name: str):
        return object() if name == self.marker else None


ITEMS = [FakeItem("maths"), FakeItem("page", ("client", "app")), FakeItem("service", ("db", "app_ctx", "app")),
         FakeItem("config", ("monkeypatch",)), FakeItem("engine", ("database_url",)),
         FakeItem("own_connection", ("tmp_path",), marker="database"), FakeItem("settings", ("app_config",))]


def names(items) -> list[str]:
    return [item.name for item in items]


def test_without_the_flag_every_test_runs(monkeypatch):
    monkeypatch.delenv(database_only.ENV_FLAG, raising=False)
    keep, leave_out = database_only.split(ITEMS)
    assert names(keep) == names(ITEMS) and leave_out == []


def test_with_the_flag_only_the_tests_that_reach_a_database_run(monkeypatch):
    monkeypatch.setenv(database_only.ENV_FLAG, "1")
    keep, leave_out = database_only.split(ITEMS)
    assert names(keep) == ["page", "service", "engine", "own_connection", "settings"]
    assert names(leave_out) == ["maths", "config"]


def test_the_postgresql_migration_round_trip_is_marked():
    marks = [mark.name for mark in getattr(test_migrations.test_postgresql_upgrade_downgrade_upgrade, "pytestmark", [])]
    assert "database" in marks


@pytest.mark.database
def test_a_marked_test_is_kept(request, monkeypatch):
    monkeypatch.setenv(database_only.ENV_FLAG, "1")
    assert database_only.reaches_database(request.node)
