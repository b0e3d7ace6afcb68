"""Reliability tests: a gunicorn server on loopback, on the session's test database."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from app.config import ENVIRONMENT
from tests.conftest import free_port
from tests.reliability.server import Gunicorn

# The instant the frozen clock of the tests starts at: the server's clock starts there too, so the
# rows a test writes beforehand and the server's own writes share one timeline.
SERVER_EPOCH = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def gunicorn_server(app, app_config, tmp_path_factory):
    """The app under gunicorn (3 processes × 8 threads) on a free loopback port, for one module."""
    env = {name: value for name, value in os.environ.items() if name not in ENVIRONMENT}
    env.update(DATABASE_URL=app_config["DATABASE_URL"], SECRET_KEY=app_config["SECRET_KEY"],
               BASE_URL=app_config["BASE_URL"], MAIL_SERVER=app_config["MAIL_SERVER"],
               MAIL_PORT=str(app_config["MAIL_PORT"]), MAIL_TIMEOUT="3", UPLOAD_DIR=app_config["UPLOAD_DIR"],
               RATELIMIT_STORAGE_URI="memory://", DEFAULT_TIMEZONE=app_config["DEFAULT_TIMEZONE"],
               PYTHONDONTWRITEBYTECODE="1")
    offset = (SERVER_EPOCH - dt.datetime.now(dt.timezone.utc)).total_seconds()
    server = Gunicorn(port=free_port(), env=env, log_dir=tmp_path_factory.mktemp("gunicorn"), clock_offset_s=offset)
    server.start()
    try:
        yield server
    finally:
        server.stop()
