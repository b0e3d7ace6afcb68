"""Judging pages: the jury set-up, the juror's queue and scoring page, the organisers' console."""
from app.judging import console_views, jury_views, review_views  # noqa: F401 - they register routes
from app.judging.blueprint import bp

__all__ = ["bp"]
