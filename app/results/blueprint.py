"""The results blueprints; the route modules register on them (see views.py and api.py)."""
from flask import Blueprint

from app.core.api import api_blueprint

bp = Blueprint("results", __name__, template_folder="templates")
api_bp = api_blueprint("results_api", __name__)
