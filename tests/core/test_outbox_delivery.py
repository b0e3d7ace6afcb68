"""Delivering the outbox: each mail once, retried with back-off while the server is down, never
hung by a silent server, never claimed twice; and the two commands that run it."""
from __future__ import annotations

import datetime as dt
import signal
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from app.core.mailer import CLAIM_SECONDS, MAX_BACKOFF, _claim, backoff, deliver_batch, flush
from app.core.outbox import OutboxMail, queue_mail
from tests.conftest import DEFAULT_PASSWORD, flush_outbox, free_port


def register(client, email: str) -> None:
    response = client.post("/api/v1/auth/register", json={
        "email": email, "password": DEFAULT_PASSWORD, "name": "Ana Pop", "accept_privacy": True})
    assert response.status_code == 202, response.get_json()


def queue(app, count: int) -> list[int]:
    from app.extensions import db

    with app.app_context():
        mails = [queue_mail(f"person{i}@example.org", "password_changed",
                            user={"name": f"Person {i}"}, reset_url="http://salus.test/reset")
                 for i in range(count)]
        db.session.commit()
        return [mail.id for mail in mails]


def mails(app) -> list[OutboxMail]:
    from app.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return list(rows)


@contextmanager
def silent_server():
    """Accepts TCP connections and never says a word (no SMTP banner)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for connection in held:
            connection.close()
        listener.close()


# --- delivery -----------------------------------------------------------------------------------

def test_flush_sends_each_mail_once(app, client, mailbox):
    register(client, "ana@example.org")
    flush_outbox(app)
    flush_outbox(app)
    assert len(mailbox.to("ana@example.org")) == 1
    [mail] = mails(app)
    assert mail.sent_at is not None and mail.attempts == 0 and mail.claimed_until is None


def test_a_mail_outage_delays_mail_and_back_off_is_respected(app, client, mailbox, frozen_clock, monkeypatch):
    start = frozen_clock.now()
    with monkeypatch.context() as outage:
        outage.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
        register(client, "ana@example.org")  # the request does not depend on the mail server
        with app.app_context():
            report = deliver_batch()
        assert report.sent == [] and len(report.failed) == 1
    [mail] = mails(app)
    assert mail.sent_at is None
    assert mail.attempts == 1
    assert mail.last_error
    assert mail.claimed_until is None
    assert mail.next_attempt_at == start + backoff(1)

    # The server is back, but the mail waits for its back-off.
    frozen_clock.advance(seconds=30)
    with app.app_context():
        assert not deliver_batch()
    assert mailbox.messages == []
    assert mails(app)[0].attempts == 1

    frozen_clock.advance(seconds=31)
    with app.app_context():
        assert len(deliver_batch().sent) == 1
        assert not deliver_batch()
        assert not flush()
    assert len(mailbox.to("ana@example.org")) == 1
    [mail] = mails(app)
    assert mail.sent_at == start + dt.timedelta(seconds=61)
    assert mail.attempts == 1


def test_flush_ignores_back_off(app, client, mailbox, frozen_clock, monkeypatch):
    with monkeypatch.context() as outage:
        outage.setitem(app.config, "MAIL_PORT", free_port())
        register(client, "ana@example.org")
        flush_outbox(app)
    assert mails(app)[0].attempts == 1
    flush_outbox(app)
    assert len(mailbox.to("ana@example.org")) == 1


def test_a_mail_that_cannot_be_sent_does_not_hold_back_the_others(app, mailbox):
    from app.extensions import db

    broken, fine = queue(app, 2)
    with app.app_context():
        db.session.get(OutboxMail, broken).subject = "Two\nlines"  # refused before it reaches the server
        db.session.commit()
        report = deliver_batch()
    assert report.failed == [broken] and report.sent == [fine]
    assert [str(m["To"]) for m in mailbox.messages] == ["person1@example.org"]
    first, second = mails(app)
    assert first.attempts == 1 and first.sent_at is None and first.claimed_until is None
    assert second.sent_at is not None


@pytest.mark.timeout(30)
def test_a_silent_server_does_not_hang_delivery(app, monkeypatch, mailbox):
    [mail_id] = queue(app, 1)
    with silent_server() as port:
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 1)
        started = time.monotonic()
        with app.app_context():
            report = deliver_batch()
        elapsed = time.monotonic() - started
    assert elapsed < 5
    assert report.failed == [mail_id] and report.sent == []
    [mail] = mails(app)
    assert mail.attempts == 1 and mail.sent_at is None
    assert mailbox.messages == []


def test_backoff_doubles_from_one_minute_and_stops_at_six_hours():
    assert backoff(0) == dt.timedelta(minutes=1)
    assert [backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(9) == dt.timedelta(minutes=256)
    assert backoff(10) == MAX_BACKOFF == dt.timedelta(hours=6)
    values = [backoff(n) for n in range(0, 200)]
    assert values == sorted(values)
    # A mail that keeps failing for weeks is still retried, not a crash of the worker.
    assert backoff(42) == backoff(10_000) == MAX_BACKOFF


# --- claims --------------------------------------------------------------------------------------

def test_a_claimed_mail_is_not_claimed_again_until_the_claim_runs_out(app, frozen_clock):
    ids = queue(app, 3)
    with app.app_context():
        first = [mail.id for mail in _claim(10, False, set())]
        assert first == ids
        assert _claim(10, False, set()) == []
        assert _claim(10, True, set()) == []  # forcing ignores back-off, not claims
        frozen_clock.advance(seconds=CLAIM_SECONDS + 1)
        assert [mail.id for mail in _claim(10, False, set())] == ids
    assert all(m.claimed_until == frozen_clock.now() + dt.timedelta(seconds=CLAIM_SECONDS) for m in mails(app))


def test_concurrent_claims_never_share_a_mail(app):
    ids = queue(app, 60)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        from app.extensions import db

        mine: list[int] = []
        try:
            with app.app_context():
                barrier.wait()
                while batch := _claim(5, False, set()):
                    mine += [mail.id for mail in batch]
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        claimed.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    every = [mail_id for mine in claimed for mail_id in mine]
    assert sorted(every) == ids  # each mail claimed by exactly one worker


# --- commands --------------------------------------------------------------------------------------

def test_outbox_flush_command(app, client, mailbox, monkeypatch):
    register(client, "ana@example.org")
    with monkeypatch.context() as outage:
        outage.setitem(app.config, "MAIL_PORT", free_port())
        result = app.test_cli_runner().invoke(args=["outbox", "flush"])
        assert result.exit_code == 1, result.output
        assert "sent 0, failed 1" in result.output
    result = app.test_cli_runner().invoke(args=["outbox", "flush"])
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0" in result.output
    assert len(mailbox.to("ana@example.org")) == 1


def test_outbox_work_command_delivers_and_stops(app, client, mailbox):
    register(client, "ana@example.org")
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        started = time.monotonic()
        result = app.test_cli_runner().invoke(args=["outbox", "work", "--max-seconds", "1", "--interval", "0.1"])
        elapsed = time.monotonic() - started
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
    assert result.exit_code == 0, result.output
    assert "Outbox worker running." in result.output
    assert "outbox: sent 1" in result.output
    assert 1 <= elapsed < 10
    assert len(mailbox.to("ana@example.org")) == 1
    assert mails(app)[0].sent_at is not None
