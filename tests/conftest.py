"""Shared fixtures: one migrated database per run (SQLite, or a throwaway PostgreSQL database),
emptied after every test; a real SMTP server; a controllable clock; small factories."""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.core import clock
from tests import database_only

CHEAP_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
DEFAULT_PASSWORD = "correct horse battery staple"  # nosec B105 - test credential


def pytest_collection_modifyitems(config, items):
    keep, leave_out = database_only.split(items)
    if leave_out:
        config.hook.pytest_deselected(items=leave_out)
        items[:] = keep


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP ---------------------------------------------------------------------------------

@dataclass
class Mailbox:
    """Mail received by the test SMTP server."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    def links(self, message: EmailMessage) -> list[str]:
        return re.findall(r"https?://\S+", self.text(message))


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    _controller, box = smtp_server
    box.clear()
    return box


# --- database -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temporary folder, or a fresh PostgreSQL database dropped at the end."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "salus-test.sqlite3")
        return
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1)
                   if base.startswith("postgresql://") else base)
    name = f"salus_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def app_config(database_url, smtp_server, tmp_path_factory):
    controller, _box = smtp_server
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": database_url,
        "BASE_URL": "http://salus.test",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "MAIL_TIMEOUT": 3,
        "REQUIRE_EMAIL_CONFIRMATION": True,
        "PASSWORD_HASH_PARAMS": CHEAP_HASH,
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "RATELIMIT_STORAGE_URI": "memory://",
        "DEFAULT_TIMEZONE": "Europe/Bucharest",
    }


class FreshContextClient(FlaskClient):
    """Each request gets its own application context, as in production.

    Without this, a test that holds an app context (the ``db`` fixture) would share ``g`` and the
    database session with every request it makes: cached CSRF tokens and stale objects would leak
    from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(app_config):
    from flask_migrate import upgrade

    application = create_app(app_config)
    application.test_client_class = FreshContextClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from app.extensions import db

        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Every test starts from empty tables, a running clock and fresh rate limits."""
    yield
    clock.set_now(None)
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    from app.extensions import db, limiter

    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # DELETE, not TRUNCATE: on a few small tables it is several times faster on PostgreSQL.
        with db.engine.begin() as connection:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
        limiter.reset()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def db(app_ctx):
    from app.extensions import db as database

    return database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def frozen_clock():
    """Time stands still at a known instant until a test moves it (``frozen_clock.advance``)."""
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
    clock.set_now(start)

    class Clock:
        now = staticmethod(clock.now)
        set = staticmethod(clock.set_now)
        advance = staticmethod(clock.advance)

    return Clock()


# --- factories and helpers ----------------------------------------------------------------

def make_user(email: str = "person@example.org", *, password: str = DEFAULT_PASSWORD, name: str = "Test Person",
              organisation: str = "", locale: str = "en", confirmed: bool = True, admin: bool = False):
    """Insert an account directly (needs an app context)."""
    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.extensions import db

    now = clock.now()
    user = User(email=email, email_key=email.strip().lower(), password_hash=hash_password(password), name=name,
                organisation=organisation, locale=locale, is_admin=admin, created_at=now,
                confirmed_at=now if confirmed else None, privacy_accepted_at=now, password_changed_at=now)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def user_factory(app_ctx):
    return make_user


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in page"
    return match.group(1)


def form_post(client, path: str, data: dict | None = None, *, page: str | None = None, **kwargs):
    """Post a form the way a browser does: fetch the page for its CSRF token first."""
    token = csrf_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def login(client, email: str, password: str = DEFAULT_PASSWORD, **extra):
    return form_post(client, "/login", {"email": email, "password": password, **extra})


def api_token(client, email: str, password: str = DEFAULT_PASSWORD) -> str:
    response = client.post("/api/v1/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def flush_outbox(app) -> None:
    from app.core.mailer import flush

    with app.app_context():
        flush()


TESTS_DIR = Path(__file__).parent
