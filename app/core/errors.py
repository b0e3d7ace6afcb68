"""Domain errors, and the one place where they become HTTP answers (HTML or JSON)."""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, flash, g, redirect, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.config import SUPPORTED_LOCALES
from app.core.security import safe_next


class DomainError(Exception):
    """A refusal a user can understand. ``code`` is the contract's snake_case code."""

    status = 400
    code = "bad_request"
    default_message: Any = lazy_gettext("The request could not be processed.")

    def __init__(self, message: Any = None, *, code: str | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        if code:
            self.code = code
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        super().__init__(self.message)


class NotFound(DomainError):
    """Absent, or not visible to this user: the two are never told apart."""

    status = 404
    code = "not_found"
    default_message = lazy_gettext("This page or item does not exist, or you cannot see it.")


class Unauthorised(DomainError):
    status = 401
    code = "unauthorised"
    default_message = lazy_gettext("Sign in to continue.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = lazy_gettext("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = lazy_gettext("This cannot be done in the current state.")


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    default_message = lazy_gettext("Some answers need correcting.")


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    default_message = lazy_gettext("Too many attempts. Please wait and try again.")

    def __init__(self, message: Any = None, *, retry_after: int = 60, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_envelope(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None) -> tuple[dict[str, Any], int]:
    error: dict[str, Any] = {"code": code, "message": message}
    if status == 422:
        error["fields"] = fields or {}
    return {"error": error}, status


_HTTP_CODES = {
    400: ("bad_request", lazy_gettext("The request was malformed.")),
    401: ("unauthorised", lazy_gettext("Sign in to continue.")),
    403: ("forbidden", lazy_gettext("You are not allowed to do this.")),
    404: ("not_found", lazy_gettext("This page or item does not exist, or you cannot see it.")),
    405: ("method_not_allowed", lazy_gettext("This method is not allowed here.")),
    413: ("too_large", lazy_gettext("The request is too large.")),
    415: ("unsupported_media_type", lazy_gettext("This type of file or content is not accepted.")),
    429: ("too_many_requests", lazy_gettext("Too many attempts. Please wait and try again.")),
    503: ("unavailable", lazy_gettext("The service is briefly unavailable. Please try again in a minute.")),
}


def _same_site_referrer() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    # A path of this host can still name another one to a browser: "//evil.example/x".
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""), "") or None


def _loaded_account_locale() -> str | None:
    """The signed-in account's language if this request has already read it (no query)."""
    state = sa_inspect(g.get("_login_user"), raiseerr=False)  # None for the anonymous visitor
    locale = state.dict.get("locale") if state is not None else None
    return locale if locale in SUPPORTED_LOCALES else None


def _html_page(status: int, message: str):
    return render_template("core/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    from app.extensions import db

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        headers = {}
        if isinstance(error, TooManyRequests):
            headers["Retry-After"] = str(error.retry_after)
        elif error.status == 503:
            headers["Retry-After"] = "60"
        if wants_json():
            body, status = error_envelope(error.status, error.code, error.message, error.fields)
            return body, status, headers
        if error.status in (401, 403, 404, 429) or request.method == "GET":
            body, status = _html_page(error.status, error.message)
            return body, status, headers
        # A refused HTML form post: say why on the page the user came from (on this site only).
        flash(error.message, "error")
        return redirect(_same_site_referrer() or request.path), 303

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        code, message = _HTTP_CODES.get(status, ("error", error.description))
        if status == 400 and getattr(error, "description", "") and "CSRF" in str(error.description):
            message = _("This form has expired or was not sent from this site. Please reload the page and try again.")
        headers = dict(error.get_headers()) if status in (405, 429) else {}
        headers.pop("Content-Type", None)
        if wants_json():
            body, status = error_envelope(status, code, str(message))
            return body, status, headers
        body, status = _html_page(status, str(message))
        return body, status, headers

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError):
        # A locked or vanished database: nothing was committed; say so plainly.
        locale = _loaded_account_locale()
        db.session.rollback()
        app.logger.warning("database unavailable: %s", error)
        # The page is drawn without the database, which would fail the same way again: the
        # visitor is shown as signed out, in their account's language if it is already known,
        # else in their browser's.
        g._login_user = app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        with force_locale(locale) if locale else nullcontext():
            code, message = _HTTP_CODES[503]
            if wants_json():
                body, status = error_envelope(503, code, str(message))
            else:
                body, status = _html_page(503, str(message))
        return body, status, {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unexpected error")
        message = _("Something went wrong on our side. Nothing was saved. Please try again.")
        if wants_json():
            body, status = error_envelope(500, "internal_error", message)
            return body, status
        return _html_page(500, message)
