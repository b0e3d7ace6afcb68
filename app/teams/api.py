"""Teams in the JSON API."""
from app.core.api import api_blueprint

bp = api_blueprint("teams_api", __name__)
