"""The portfolio in the JSON API."""
from app.portfolio import catalogue_api, citizen_api, lifecycle_api, project_api  # noqa: F401
from app.portfolio.blueprint import api_bp as bp

__all__ = ["bp"]
