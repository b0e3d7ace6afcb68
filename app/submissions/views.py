"""Submissions pages."""
from flask import Blueprint

bp = Blueprint("submissions", __name__, template_folder="templates")
