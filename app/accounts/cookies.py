"""The sign-in cookies: marked Secure whenever the request came over https.

``SESSION_COOKIE_SECURE`` follows ``BASE_URL``; behind a TLS proxy (``PROXY_FIX_HOPS`` with
``X-Forwarded-Proto: https``) the request itself says https even when ``BASE_URL`` does not, and a
cookie sent over https must never travel back over plain http.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask.sessions import SecureCookieSessionInterface


def _mark_secure(response: Any) -> None:
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies or all("; secure" in c.lower() for c in cookies):
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie if "; secure" in cookie.lower() else cookie + "; Secure")


class SecureWhenHttpsSessionInterface(SecureCookieSessionInterface):
    """Flask's signed session, saved after every other cookie (the "remember me" one included),
    so it is the last moment to mark them all."""

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        super().save_session(app, session, response)
        if request.is_secure:
            _mark_secure(response)
