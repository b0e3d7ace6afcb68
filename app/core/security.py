"""Headers every answer carries, input no database can hold, and safe redirects."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request

DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def content_security_policy() -> str:
    img = "'self' data:"
    tiles = current_app.config.get("MAP_TILE_URL") or ""
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.netloc:
            host = parts.netloc.split(".", 1)[1] if "{s}" in tiles else parts.netloc
            img += f" {parts.scheme}://{'*.' if '{s}' in tiles else ''}{host}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {img}; font-src 'self'; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def register_security_headers(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_characters():
        # PostgreSQL can neither store nor compare text holding NUL, so such a value would fail
        # deep inside a query; no browser form or real link sends one: it is a malformed request.
        for source in (request.args, request.form):
            if any("\x00" in value for values in source.listvalues() for value in values):
                abort(400)

    @app.after_request
    def _headers(response):
        headers = response.headers
        if headers.get("Content-Disposition", "").startswith("attachment"):
            # A file to save, never a page: nothing in it may run, whatever a browser makes of it.
            headers.setdefault("Content-Security-Policy", DOWNLOAD_POLICY)
        headers.setdefault("Content-Security-Policy", content_security_policy())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure or current_app.config["BASE_URL"].startswith("https://"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            # Pages show personal data: no shared cache may keep them.
            headers.setdefault("Cache-Control", "no-store")
        return response


def safe_next(target: str | None, fallback: str) -> str:
    """A redirect target on this site only: ``//evil.example`` and ``https://evil`` fall back."""
    if not target:
        return fallback
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if any(ord(ch) < 32 for ch in target):
        return fallback
    return target
