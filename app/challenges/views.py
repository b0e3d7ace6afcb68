"""Challenges pages."""
from flask import Blueprint

bp = Blueprint("challenges", __name__, template_folder="templates")
