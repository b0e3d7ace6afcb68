"""Results in the JSON API."""
from app.results import (announcement_api, audit_api, award_api, feedback_api, publication_api,  # noqa: F401
                         vote_api)
from app.results.blueprint import api_bp as bp

__all__ = ["bp"]
