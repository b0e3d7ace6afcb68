"""A gunicorn worker killed in the middle of a request: its open write transaction leaves nothing
behind (no account, no mail), the lock it held is released, and the server answers again.

The request is made to stop between writing its rows and committing them by a test-only entry
point (stalling_wsgi.py), so the kill lands mid-transaction every time.
"""
from __future__ import annotations

import http.client as http_client
import json
import os
import shutil
import signal
import sqlite3
import subprocess  # nosec B404 - starts our own server on loopback
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text

from app.config import ENVIRONMENT
from tests.conftest import DEFAULT_PASSWORD, free_port
from tests.reliability.instances import Instance, accounts_and_mails as counts, admin_engine, fresh_instance

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance(app_config, tmp_path) -> Iterator[Instance]:
    with fresh_instance(app_config, tmp_path, "killed") as fresh:
        yield fresh


@contextmanager
def stalling_server(instance: Instance, app_config: dict, tmp_path: Path) -> Iterator[tuple[int, int, Path]]:
    """gunicorn, one worker, serving tests/reliability/stalling_wsgi.py on the instance's database;
    yields (port, the pid of the process we started, the file the stalled worker writes its pid to)."""
    port, mark = free_port(), tmp_path / "stalled.pid"
    env = {name: value for name, value in os.environ.items() if name not in ENVIRONMENT}
    env.update(DATABASE_URL=instance.url, SECRET_KEY=app_config["SECRET_KEY"], BASE_URL=app_config["BASE_URL"],
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(free_port()), UPLOAD_DIR=str(instance.upload_dir),
               RATELIMIT_STORAGE_URI="memory://", SALUS_TEST_STALL_FILE=str(mark), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--preload", "--timeout", "120", "--graceful-timeout", "2",
               "--error-logfile", str(tmp_path / "gunicorn.log"), "tests.reliability.stalling_wsgi:app"]
    if shutil.which("timeout"):  # the server dies by itself even if this test run is killed
        command = [shutil.which("timeout") or "timeout", "--kill-after=5", "180", *command]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,  # nosec B603 - fixed argv
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: http(port, "GET", "/healthz")[0] == 200, 60, "gunicorn to answer",
                 lambda: (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:])
        yield port, process.pid, mark
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group start_new_session gave our server alone
            process.wait(timeout=10)


def ancestors(pid: int) -> list[int]:
    found = []
    while pid > 1:
        status = Path(f"/proc/{pid}/status").read_text()
        pid = int(status.split("PPid:", 1)[1].split()[0])
        found.append(pid)
    return found


def http(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    """(status, body) of one request; status None when the connection broke."""
    connection = http_client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json",
                                                                "Connection": "close", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    except OSError as error:
        return None, repr(error)
    finally:
        connection.close()


def wait_for(condition, seconds: float, what: str, details=lambda: "") -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if condition():
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{details()}")


def holds_a_write(instance: Instance) -> bool:
    """Whether some other connection has an uncommitted write on the instance's database."""
    if instance.kind == "sqlite":
        probe = sqlite3.connect(instance.sqlite_path, isolation_level=None, timeout=0.1)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    admin = admin_engine()
    try:
        with admin.connect() as connection:
            return bool(connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND state = 'idle in transaction' "
                "AND backend_xid IS NOT NULL"), {"name": instance.database_name}).scalar())
    finally:
        admin.dispose()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_worker_killed_mid_transaction_leaves_nothing_behind(instance, app_config, tmp_path):
    body = {"email": "ana@example.org", "password": DEFAULT_PASSWORD, "name": "Ana Pop", "accept_privacy": True}
    with stalling_server(instance, app_config, tmp_path) as (port, server, mark):
        outcome: list = []
        request = threading.Thread(target=lambda: outcome.append(
            http(port, "POST", "/api/v1/auth/register", body, {"X-Test-Stall": "1"})), daemon=True)
        request.start()
        wait_for(mark.exists, 60, "the request to write its rows", lambda: f"{outcome}\n" + (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:])
        worker = int(mark.read_text())
        assert server in ancestors(worker)  # a worker of the server this test started
        assert holds_a_write(instance), "the stalled request holds an open write transaction"
        assert counts(instance) == (0, 0)  # written, not committed: nobody else sees it

        killed_at = time.monotonic()
        os.kill(worker, signal.SIGKILL)
        request.join(60)
        assert outcome and outcome[0][0] is None, outcome  # the client saw the connection drop
        released = wait_for(lambda: not holds_a_write(instance), 30, "the transaction to be rolled back")
        assert counts(instance) == (0, 0)  # the account and its mail both went with the worker

        # gunicorn starts a new worker; the same registration goes through, once.
        wait_for(lambda: http(port, "GET", "/healthz")[0] == 200, 60, "a new worker")
        status, answer = http(port, "POST", "/api/v1/auth/register", body)
        recovered = time.monotonic() - killed_at
        assert status == 202, answer
    assert counts(instance) == (1, 1)
    if instance.kind == "sqlite":
        with sqlite3.connect(instance.sqlite_path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    print(f"\nworker killed mid-transaction on {instance.kind}: lock released in {released:.2f} s, "
          f"writes accepted again {recovered:.2f} s after the kill")
