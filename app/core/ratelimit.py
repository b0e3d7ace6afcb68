"""Counting failures (not requests) against Flask-Limiter's storage.

Flask-Limiter counts every request a decorator sees; failed sign-ins must be counted only when
they fail, and checked before the password is even looked at, so they use its storage directly.
"""
from __future__ import annotations

import time

from limits import parse

from app.core.errors import TooManyRequests
from app.extensions import limiter


def _strategy():
    return limiter.limiter


def check(limit: str, *identifiers: str, message: str | None = None) -> None:
    """Raise 429 when ``limit`` (e.g. '10 per 15 minutes') is used up for these identifiers."""
    if not limiter.enabled:
        return
    item = parse(limit)
    if not _strategy().test(item, *identifiers):
        stats = _strategy().get_window_stats(item, *identifiers)
        raise TooManyRequests(message, retry_after=int(stats.reset_time - time.time()) + 1)


def hit(limit: str, *identifiers: str) -> None:
    """Count one event (a failure, a reset mail) against ``limit``."""
    if limiter.enabled:
        _strategy().hit(parse(limit), *identifiers)
