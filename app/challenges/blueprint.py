"""The challenges blueprint, shared by its page modules, with what its templates need."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, url_for
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l

from app.challenges import labels
from app.challenges.services import organiser_roles
from app.core.layout import NavItem, register_nav, register_role_provider
from app.core.markdown import render_markdown

bp = Blueprint("challenges", __name__, template_folder="templates")

register_nav(NavItem(_l("Challenges"), "challenges.index", None, order=10))
register_role_provider(organiser_roles)


def optional_url(endpoint: str, **values: Any) -> str | None:
    """A link to another feature's page, or None while that feature is not installed."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None):
    return render_markdown(text)


@bp.context_processor
def _challenge_context() -> dict[str, Any]:
    # A deadline is read as a day and an hour, without seconds.
    return {**labels.template_context(), "optional_url": optional_url,
            "long_date": "long", "short_date": "short", "current_timezone": get_timezone().zone}
