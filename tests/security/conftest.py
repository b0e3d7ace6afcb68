"""The small world of the fuzz, limit and half-written tests: built once per module, put back
as it was before each test."""
from __future__ import annotations

import pytest

from tests.security.fuzz_world import FuzzWorld, frozen_world


@pytest.fixture(scope="module")
def world_snapshot(app, tmp_path_factory):
    return frozen_world(app, tmp_path_factory.mktemp("world-uploads"))


@pytest.fixture
def world(app, world_snapshot, frozen_clock) -> FuzzWorld:
    built, snapshot = world_snapshot
    with app.app_context():
        snapshot.restore()
    return built
