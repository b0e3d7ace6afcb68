"""With ``RATELIMIT_STORAGE_URI`` naming Redis, the count of failed sign-ins is shared by every
worker process: ten failures spread over two processes lock the account for both.

Each process is a separate interpreter with its own app (as gunicorn workers are), signing in
through the real login page against the test database. Skipped when no Redis answers on
127.0.0.1:6379; the keys it writes are removed afterwards.
"""
from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs this interpreter on a fixed script
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_PASSWORD, make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WRONG = "wrong password!"  # nosec B105 - test credential
ROOT = Path(__file__).resolve().parents[2]

# One worker: signs in with each password in turn and prints the status codes.
WORKER = """
import json, sys
from app import create_app
from tests.conftest import FreshContextClient, csrf_from

config, email, passwords = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
app = create_app(config)
app.test_client_class = FreshContextClient
statuses = []
for password in passwords:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": csrf_from(page), "email": email, "password": password})
    statuses.append(response.status_code)
print(json.dumps(statuses))
"""


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answers at {REDIS_URL}: {error}")
    yield client
    client.close()


def sign_in_from_a_worker(app_config: dict, email: str, passwords: list[str]) -> list[int]:
    config = {**app_config, "RATELIMIT_STORAGE_URI": REDIS_URL}
    done = subprocess.run([sys.executable, "-c", WORKER, json.dumps(config), email, json.dumps(passwords)],  # nosec B603
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_failed_sign_ins_are_counted_across_workers_in_redis(app, app_config, redis_client):
    email = f"ana-{uuid.uuid4().hex[:12]}@example.org"
    with app.app_context():
        make_user(email)
    try:
        assert sign_in_from_a_worker(app_config, email, [WRONG] * 6) == [422] * 6
        # Four more failures in another worker make ten: even the right password is refused there
        # (with memory storage, that worker would have counted only four and let it in).
        assert sign_in_from_a_worker(app_config, email, [WRONG] * 4 + [DEFAULT_PASSWORD]) == [422] * 4 + [429]
        assert any(redis_client.scan_iter(match=f"*{email}*"))
    finally:
        for key in redis_client.scan_iter(match=f"*{email}*"):
            redis_client.delete(key)
