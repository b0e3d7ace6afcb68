"""Pages that belong to no feature: home, privacy notice, language switcher, health check."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text

from app.config import SUPPORTED_LOCALES
from app.core.forms import ActionForm
from app.core.layout import NavItem, register_nav
from app.core.security import safe_next
from app.extensions import db

bp = Blueprint("pages", __name__, template_folder="templates")

register_nav(NavItem(_l("Home"), "pages.home", None, order=0))
register_nav(NavItem(_l("My account"), "accounts.account", "user", order=90))


@bp.get("/")
def home():
    return render_template("core/home.html")


@bp.get("/privacy")
def privacy():
    return render_template("core/privacy.html")


@bp.post("/language")
def set_language():
    """Remember the chosen language in the session, and on the account when signed in."""
    form = ActionForm()
    locale = request.form.get("locale", "")
    back = safe_next(request.form.get("next"), url_for("pages.home"))
    if form.validate_on_submit() and locale in SUPPORTED_LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(back, 303)


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
