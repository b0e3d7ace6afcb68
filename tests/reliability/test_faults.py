"""Faults: the mail server dies mid-batch, the database is locked or gone. Each time the visitor
gets a clear answer in their language (a 503 page, or the API's 503 envelope), nothing is
half-written, and the app recovers by itself when the fault ends. A worker killed in the middle
of a write transaction: test_faults_worker.py.

Refused connections, silent servers and back-off of the mail server are proven in
tests/core/test_outbox_delivery.py.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text

from app.core.mailer import deliver_batch
from app.core.outbox import OutboxMail, queue_mail
from tests.conftest import DEFAULT_PASSWORD, csrf_from, free_port, make_user
from tests.reliability.instances import Instance, accounts_and_mails as counts, admin_engine, fresh_instance

ROMANIAN_503 = "Serviciul este temporar indisponibil"
ROMANIAN_TITLE = "Salus este temporar indisponibil"
LOCK_TIMEOUT_S = 0.4
RO = {"Accept-Language": "ro"}


# --- the mail server dies in the middle of a batch ------------------------------------------------

class DyingServer:
    """Accepts ``survive`` messages, then drops the connection in the middle of the next one."""

    def __init__(self, survive: int) -> None:
        self.survive = survive
        self.accepted: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        if len(self.accepted) >= self.survive:
            server.transport.close()
            return "421 Shutting down"
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted"


def test_a_mail_server_dying_mid_batch_loses_nothing_and_sends_nothing_twice(app, mailbox, frozen_clock, monkeypatch):
    from app.extensions import db

    with app.app_context():
        for n in range(6):
            queue_mail(f"person{n}@example.org", "password_changed", user={"name": f"Person {n}"},
                       reset_url="http://salus.test/reset")
        db.session.commit()
    dying = DyingServer(survive=2)
    controller = Controller(dying, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        with app.app_context():
            report = deliver_batch()
    finally:
        controller.stop()
    assert len(report.sent) == 2 and len(report.failed) == 4
    assert dying.accepted == ["person0@example.org", "person1@example.org"]

    # The server is back (the session's); the failed mails wait for their back-off, then go once.
    monkeypatch.undo()
    with app.app_context():
        assert not deliver_batch()
    frozen_clock.advance(minutes=1, seconds=1)
    with app.app_context():
        assert len(deliver_batch().sent) == 4
        assert not deliver_batch()
        rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        assert all(row.sent_at is not None and row.claimed_until is None for row in rows)
    received = sorted(str(message["To"]) for message in mailbox.messages)
    assert received == [f"person{n}@example.org" for n in range(2, 6)]  # 0 and 1 were not sent again


# --- the database is locked -------------------------------------------------------------------------

@pytest.fixture
def instance(app_config, tmp_path) -> Iterator[Instance]:
    with fresh_instance(app_config, tmp_path, "faults", DATABASE_LOCK_TIMEOUT=LOCK_TIMEOUT_S) as fresh:
        yield fresh


@contextmanager
def locked(instance: Instance, table: str) -> Iterator[None]:
    """Another program holds the database: SQLite's write lock, or on PostgreSQL an exclusive lock on
    ``table`` (reads go on, writes wait)."""
    if instance.kind == "sqlite":
        holder = sqlite3.connect(instance.sqlite_path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    from sqlalchemy import create_engine

    engine = create_engine(instance.url)
    try:
        with engine.connect() as holder:
            holder.execute(text(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE'))
            yield
            holder.rollback()
    finally:
        engine.dispose()


def register_form(client, email: str):
    page = client.get("/register", headers=RO)
    assert page.status_code == 200
    return client.post("/register", headers=RO, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "name": "Ana Pop", "email": email,
        "password": DEFAULT_PASSWORD, "locale": "ro", "accept_privacy": "y"})


def register_api(client, email: str):
    return client.post("/api/v1/auth/register", headers=RO, json={
        "email": email, "password": DEFAULT_PASSWORD, "name": "Ana Pop", "accept_privacy": True})


def assert_romanian_503_page(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert response.mimetype == "text/html"
    assert '<html lang="ro">' in page
    assert ROMANIAN_TITLE in page and ROMANIAN_503 in page
    assert response.headers["Retry-After"]


def assert_503_envelope(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert error["code"] == "unavailable"
    assert ROMANIAN_503 in error["message"]
    assert response.headers["Retry-After"]


def save_profile(client, name: str):
    page = client.get("/account", headers=RO)
    assert page.status_code == 200
    return client.post("/account/profile", headers=RO, data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                  "name": name, "organisation": "", "locale": "ro", "timezone": ""})


def user_names(instance: Instance) -> list[str]:
    from app.extensions import db

    with instance.app.app_context():
        names = list(db.session.scalars(text("SELECT name FROM users ORDER BY id")))
        db.session.remove()
    return names


def test_a_locked_database_answers_503_in_the_users_language_and_writes_nothing(instance):
    with instance.app.app_context():
        make_user("ioana@example.org", locale="ro", name="Ioana Pop")
    client, member = instance.client(), instance.client()
    sign_in(member, "ioana@example.org")
    started = time.monotonic()
    # On PostgreSQL a registration writes its account, then waits for the outbox and gives up:
    # the account row must go with it.
    with locked(instance, "outbox_mails"):
        assert_romanian_503_page(register_form(client, "ana@example.org"))
        assert_503_envelope(register_api(client, "bob@example.org"))
        assert counts(instance) == (1, 0)
    with locked(instance, "users"):
        assert_romanian_503_page(save_profile(member, "Ioana Popescu"))
    waited = time.monotonic() - started
    # Each refused request waited for the lock, then gave up; no worker hangs for ever.
    assert LOCK_TIMEOUT_S <= waited < 10
    assert user_names(instance) == ["Ioana Pop"]

    # The lock is gone: the very same requests go through.
    assert register_form(client, "ana@example.org").status_code == 200
    assert register_api(client, "bob@example.org").status_code == 202
    assert save_profile(member, "Ioana Popescu").status_code in (302, 303)
    assert counts(instance) == (3, 2)
    assert user_names(instance) == ["Ioana Popescu", "Ana Pop", "Ana Pop"]
    print(f"\nlocked {instance.kind} database: 3 writes answered 503 in {waited:.2f} s, nothing stored; "
          f"the same 3 accepted once the lock was released")


# --- the database is gone ---------------------------------------------------------------------------

@contextmanager
def gone(instance: Instance) -> Iterator[None]:
    """The database stops answering: PostgreSQL refuses connections to it (and ends the open ones);
    SQLite's folder disappears (an unmounted volume) and the pool reconnects."""
    if instance.kind == "sqlite":
        folder = instance.sqlite_path.parent
        hidden = folder.with_name(folder.name + "-away")
        folder.rename(hidden)
        instance.dispose()
        try:
            yield
        finally:
            hidden.rename(folder)
        return
    admin = admin_engine()
    name = instance.database_name
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                               {"name": name})
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def sign_in(client, email: str) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                           "email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


def test_a_vanished_database_answers_503_and_the_app_recovers_when_it_returns(instance):
    with instance.app.app_context():
        make_user("ioana@example.org", locale="ro", name="Ioana Pop")
        from app.extensions import db

        db.session.remove()
    visitor, member = instance.client(), instance.client()
    sign_in(member, "ioana@example.org")
    answer = instance.client().post("/api/v1/auth/tokens", json={"email": "ioana@example.org",
                                                                 "password": DEFAULT_PASSWORD})
    token = answer.get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}", **RO}
    assert member.get("/account").status_code == 200

    with gone(instance):
        started = time.monotonic()
        assert_romanian_503_page(visitor.get("/challenges", headers=RO))
        assert_romanian_503_page(member.get("/account", headers=RO))  # a signed-in page, too
        assert_romanian_503_page(register_form(visitor, "dan@example.org"))
        assert_503_envelope(visitor.get("/api/v1/challenges", headers=RO))
        assert_503_envelope(visitor.get("/api/v1/me", headers=bearer))
        assert_503_envelope(register_api(visitor, "eva@example.org"))
        assert visitor.get("/healthz").status_code == 503
        elapsed = time.monotonic() - started
    assert elapsed < 10

    # Back: every page answers again, the signed-in session and the token still work.
    assert visitor.get("/challenges").status_code == 200
    assert member.get("/account").status_code == 200
    assert visitor.get("/api/v1/me", headers=bearer).get_json()["email"] == "ioana@example.org"
    assert visitor.get("/healthz").status_code == 200
    assert counts(instance) == (1, 0)  # nothing from the outage was stored
    assert register_api(visitor, "eva@example.org").status_code == 202
    print(f"\n{instance.kind} database gone: 7 requests answered 503 in {elapsed:.2f} s; all answered again after")

