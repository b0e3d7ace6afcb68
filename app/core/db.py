"""Database base class, column types and the transaction rules every feature relies on."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every database.

    SQLite forgets offsets; storing naive UTC and re-attaching UTC on the way out means a
    deadline compares the same way on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={dt.datetime: UTCDateTime})


# Set per connection by begin_write(); read by the SQLite "begin" hook below.
IMMEDIATE = "salus_immediate"


def configure_engine(engine: Engine, lock_timeout_s: float = 15.0) -> None:
    """How long a request waits for a lock, on both databases; SQLite: WAL, foreign keys, and
    BEGIN IMMEDIATE for check-then-write work.

    A request that waits longer than ``lock_timeout_s`` (app setting ``DATABASE_LOCK_TIMEOUT``)
    for a lock held elsewhere fails with OperationalError, which answers 503: a stuck transaction
    must never hang every worker. PostgreSQL would otherwise wait for ever.

    pysqlite's own transaction handling starts transactions late and as DEFERRED; two deferred
    writers that both read first lose updates or fail with "database is locked". We take over
    BEGIN so that services can ask for an immediate (write-locked) transaction.
    """
    timeout_ms = max(1, int(float(lock_timeout_s) * 1000))
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _on_pg_connect(dbapi_connection: Any, _record: Any) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {timeout_ms}")
            dbapi_connection.autocommit = autocommit
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write(session: Any) -> None:
    """Start the transaction of a service that checks state and then writes.

    Ends the read-only transaction a request may already have open (loading the user, say) and
    opens a write transaction: BEGIN IMMEDIATE on SQLite, so the check and the write are one
    atomic step; on PostgreSQL services also lock the rows they check (``with_for_update``).
    Pending changes would be lost by this, so having any is a programming error.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() called with unsaved changes in the session")
    session.commit()
    session.connection(execution_options={IMMEDIATE: True})
