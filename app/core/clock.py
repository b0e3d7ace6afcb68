"""The one clock of the application.

Every deadline and expiry is decided with :func:`now`. Tests move time with :func:`set_now`
instead of sleeping; a server started for a test can be given a fixed offset through
``SALUS_CLOCK_OFFSET`` (seconds), so "one second before the deadline" is exact.
"""
from __future__ import annotations

import datetime as dt
import os

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, aware, in UTC, to the microsecond."""
    if _frozen is not None:
        return _frozen
    current = dt.datetime.now(dt.timezone.utc)
    offset = os.environ.get("SALUS_CLOCK_OFFSET")
    if offset:
        current += dt.timedelta(seconds=float(offset))
    return current


def set_now(value: dt.datetime | None) -> None:
    """Freeze the clock at ``value`` (aware) or, with ``None``, let it run again."""
    global _frozen
    if value is not None and value.tzinfo is None:
        raise ValueError("the clock only takes aware datetimes")
    _frozen = value


def advance(**delta: float) -> dt.datetime:
    """Move a frozen clock forward, e.g. ``advance(minutes=5)``."""
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock")
    set_now(_frozen + dt.timedelta(**delta))
    return now()
