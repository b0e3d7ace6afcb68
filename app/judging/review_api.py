"""(routes to come)."""
from app.judging.blueprint import api_bp  # noqa: F401
