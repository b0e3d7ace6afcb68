"""Challenges in the JSON API."""
from app.core.api import api_blueprint

bp = api_blueprint("challenges_api", __name__)
