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
    if app.config["PROXY_FIX_HOPS"]:
        # Behind a TLS proxy: client addresses (rate limits) and https come from its headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
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
        configure_engine(db.engine, app.config.get("DATABASE_LOCK_TIMEOUT", 15))
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(ROOT / "app" / "translations"))
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)


def import_models() -> None:
    """Every feature's tables, so the metadata (and so migrations) always sees all of them."""
    from app.accounts import models as _accounts  # noqa: F401
    from app.challenges import models as _challenges  # noqa: F401
    from app.core import audit as _audit, outbox as _outbox  # noqa: F401
    from app.judging import models as _judging  # noqa: F401
    from app.portfolio import models as _portfolio  # noqa: F401
    from app.results import models as _results  # noqa: F401
    from app.submissions import models as _submissions  # noqa: F401
    from app.teams import models as _teams  # noqa: F401


def register_blueprints(app: Flask) -> None:
    import_models()
    from app.accounts import api as accounts_api
    from app.accounts import views as accounts_views
    from app.challenges import api as challenges_api
    from app.challenges import views as challenges_views
    from app.core import openapi, pages
    from app.extensions import csrf
    from app.judging import api as judging_api
    from app.judging import views as judging_views
    from app.portfolio import api as portfolio_api
    from app.portfolio import views as portfolio_views
    from app.results import api as results_api
    from app.results import views as results_views
    from app.submissions import api as submissions_api
    from app.submissions import views as submissions_views
    from app.teams import api as teams_api
    from app.teams import views as teams_views

    app.register_blueprint(pages.bp)
    for html_bp in (accounts_views.bp, challenges_views.bp, teams_views.bp, submissions_views.bp, judging_views.bp,
                   results_views.bp, portfolio_views.bp):
        app.register_blueprint(html_bp)
    for api_bp in (openapi.bp, accounts_api.bp, challenges_api.bp, teams_api.bp, submissions_api.bp,
                   judging_api.bp, results_api.bp, portfolio_api.bp):
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
