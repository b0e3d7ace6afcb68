"""Which tests a second run on another database repeats.

`make test` runs the whole suite on SQLite, then again on PostgreSQL. A test that never reaches a
database (scoring maths, rules, configuration parsing, catalogues) would prove the same thing
twice, so the second run, started with ``SALUS_DATABASE_TESTS_ONLY=1``, keeps only the tests that
reach one: through the app or database fixtures, or marked ``database`` when they connect on their
own.
"""
from __future__ import annotations

import os
from typing import Any

ENV_FLAG = "SALUS_DATABASE_TESTS_ONLY"
DATABASE_FIXTURES = frozenset({"app", "app_config", "database_url"})


def reaches_database(item: Any) -> bool:
    return bool(DATABASE_FIXTURES & set(item.fixturenames)) or item.get_closest_marker("database") is not None


def split(items: list[Any]) -> tuple[list[Any], list[Any]]:
    """The tests to run and the ones to leave out, in their collected order."""
    if os.environ.get(ENV_FLAG) != "1":
        return list(items), []
    keep = [item for item in items if reaches_database(item)]
    return keep, [item for item in items if not reaches_database(item)]
