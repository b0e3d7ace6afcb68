"""The portfolio blueprints; the route modules register on them (see views.py and api.py)."""
from flask import Blueprint

from app.core.api import api_blueprint

bp = Blueprint("portfolio", __name__, template_folder="templates")
api_bp = api_blueprint("portfolio_api", __name__)
