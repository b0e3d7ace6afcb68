"""Salus: health-innovation challenges, from the hackathon idea to the city's project portfolio."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path, test_config))
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_web(app)
    return app


def register_extensions(app: Flask) -> None:
    from app.core.db import configure_engine
    from app.core.i18n import select_locale, select_timezone
    from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    app.config.setdefault("MAIL_SUPPRESS_SEND", False)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(ROOT / "app" / "translations"))
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.accounts import api as accounts_api
    from app.accounts import views as accounts_views
    from app.core import openapi, pages
    from app.extensions import csrf

    app.register_blueprint(pages.bp)
    app.register_blueprint(accounts_views.bp)
    for api_bp in (openapi.bp, accounts_api.bp):
        csrf.exempt(api_bp)
        app.register_blueprint(api_bp)


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)


def register_web(app: Flask) -> None:
    from app.core.errors import register_error_handlers
    from app.core.i18n import register_i18n
    from app.core.layout import register_layout
    from app.core.security import register_security_headers

    register_error_handlers(app)
    register_i18n(app)
    register_layout(app)
    register_security_headers(app)
