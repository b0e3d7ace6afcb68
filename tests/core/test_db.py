"""Column types and transaction rules: aware UTC times everywhere, SQLite tuned for several
writers, and begin_write() making read-then-write steps atomic on both databases."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.db import UTCDateTime, begin_write
from tests.conftest import make_user


def is_sqlite(db) -> bool:
    return db.engine.dialect.name == "sqlite"


def counter_user(db) -> int:
    user = make_user("counter@example.org", name="0")
    return user.id


def read_counter(db, user_id: int) -> int:
    db.session.rollback()
    return int(db.session.scalar(select(User.name).where(User.id == user_id)))


# --- UTCDateTime -------------------------------------------------------------------------------

def test_aware_times_come_back_as_the_same_instant_in_utc(db):
    bucharest = dt.timezone(dt.timedelta(hours=2))
    moment = dt.datetime(2026, 3, 29, 2, 30, 15, 123456, tzinfo=bucharest)
    user = make_user("time@example.org")
    user.confirmed_at = moment
    db.session.commit()
    user_id = user.id
    db.session.expunge_all()

    loaded = db.session.get(User, user_id)
    assert loaded.confirmed_at == moment
    assert loaded.confirmed_at.utcoffset() == dt.timedelta(0)
    assert loaded.confirmed_at.replace(tzinfo=None) == dt.datetime(2026, 3, 29, 0, 30, 15, 123456)
    # Comparisons in SQL see the same instant, whatever offset it was written with.
    found = db.session.scalar(select(User.id).where(
        User.confirmed_at == dt.datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=dt.timezone.utc)))
    assert found == user_id


def test_naive_times_are_refused(db):
    user = make_user("naive@example.org")
    user.confirmed_at = dt.datetime(2026, 1, 1, 12, 0)
    with pytest.raises(StatementError) as caught:
        db.session.commit()
    assert isinstance(caught.value.orig, ValueError)
    assert "naive" in str(caught.value.orig)
    db.session.rollback()


def test_utc_datetime_type_on_each_dialect():
    from sqlalchemy.dialects import postgresql, sqlite

    column = UTCDateTime()
    aware = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    stored_sqlite = column.process_bind_param(aware, sqlite.dialect())
    assert stored_sqlite == dt.datetime(2026, 6, 1, 9, 0) and stored_sqlite.tzinfo is None
    stored_pg = column.process_bind_param(aware, postgresql.dialect())
    assert stored_pg == aware and stored_pg.utcoffset() == dt.timedelta(0)
    assert column.process_result_value(dt.datetime(2026, 6, 1, 9, 0), sqlite.dialect()).tzinfo == dt.timezone.utc
    assert column.process_bind_param(None, sqlite.dialect()) is None
    assert column.process_result_value(None, sqlite.dialect()) is None


# --- SQLite settings ---------------------------------------------------------------------------

def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(db):
    if not is_sqlite(db):
        pytest.skip("SQLite connection settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(db):
    from app.accounts.models import ApiToken

    now = dt.datetime.now(dt.timezone.utc)
    db.session.add(ApiToken(user_id=999_999, token_hash="x" * 64, label="", prefix="sal_x",
                            created_at=now, expires_at=now))
    with pytest.raises(IntegrityError) as caught:
        db.session.commit()
    assert "foreign key" in str(caught.value).lower()
    db.session.rollback()


# --- begin_write ---------------------------------------------------------------------------------

def test_begin_write_refuses_to_drop_pending_changes(db):
    user = make_user("pending@example.org")
    user.name = "changed"
    with pytest.raises(RuntimeError):
        begin_write(db.session)
    db.session.rollback()


def increment(db, user_id: int) -> None:
    """The service pattern for read-then-write: begin_write, then read the row locked."""
    begin_write(db.session)
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    user.name = str(int(user.name) + 1)
    db.session.commit()


@pytest.mark.timeout(120)
def test_concurrent_read_then_write_loses_no_update(app, db):
    user_id = counter_user(db)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(20):
                    increment(db, user_id)
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(100)
    assert errors == []
    assert read_counter(db, user_id) == 160


def test_a_second_writer_waits_for_the_first(app, db):
    """Deterministic form of the test above: B reads only after A committed."""
    user_id = counter_user(db)
    done = threading.Event()

    a = Session(db.engine)
    begin_write(a)
    row = a.scalar(select(User).where(User.id == user_id).with_for_update())

    def writer_b() -> None:
        with app.app_context():
            increment(db, user_id)
            db.session.remove()
        done.set()

    thread = threading.Thread(target=writer_b)
    thread.start()
    time.sleep(0.5)
    assert not done.is_set()  # B is blocked by A's write transaction
    row.name = str(int(row.name) + 1)
    a.commit()
    a.close()
    thread.join(20)
    assert done.is_set()
    assert read_counter(db, user_id) == 2


def test_without_begin_write_an_update_is_lost_or_refused(db):
    """Documents why begin_write exists: two plain read-then-write transactions interleaved."""
    user_id = counter_user(db)
    a, b = Session(db.engine), Session(db.engine)
    try:
        row_a = a.scalar(select(User).where(User.id == user_id))
        row_b = b.scalar(select(User).where(User.id == user_id))
        assert row_a.name == row_b.name == "0"
        row_a.name = str(int(row_a.name) + 1)
        a.commit()
        row_b.name = str(int(row_b.name) + 1)
        try:
            b.commit()
        except OperationalError as error:  # SQLite: B's snapshot is stale, its write is refused
            assert is_sqlite(db)
            assert "locked" in str(error).lower()
            b.rollback()
            assert read_counter(db, user_id) == 1
        else:  # PostgreSQL: B overwrites A's increment
            assert not is_sqlite(db)
            assert read_counter(db, user_id) == 1  # two increments, one survives
    finally:
        a.close()
        b.close()

