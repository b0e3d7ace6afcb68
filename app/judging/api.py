"""Judging in the JSON API."""
from app.judging import jury_api, ranking_api, review_api  # noqa: F401 - they register routes
from app.judging.blueprint import api_bp as bp

__all__ = ["bp"]
