"""(routes to come)."""
from app.judging.blueprint import bp  # noqa: F401
