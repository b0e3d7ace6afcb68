"""Helpers for the two-step sign-in tests: an authenticator app that reads the frozen clock."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pyotp
from sqlalchemy import func, select

from app.core import clock
from tests.conftest import DEFAULT_PASSWORD, csrf_from, form_post, login, make_user


def code(secret: str, *, steps: int = 0) -> str:
    """What the phone shows now (or ``steps`` periods of 30 seconds away)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(clock.now()) + steps)


def html(response) -> str:
    return response.get_data(as_text=True)


def secret_on_page(page: str) -> str:
    """The key as the set-up page shows it, and as its otpauth:// link carries it (they agree)."""
    shown = re.search(r'id="two-step-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    uri = re.search(r'href="(otpauth://[^"]+)"', page).group(1).replace("&amp;", "&")
    parts = urlsplit(uri)
    assert parts.netloc == "totp" and parse_qs(parts.query)["issuer"] == ["Salus"]
    assert parse_qs(parts.query)["secret"] == [shown]
    return shown


def recovery_codes_on_page(page: str) -> list[str]:
    return re.findall(r'<code class="token">([a-z0-9]{5}-[a-z0-9]{5})</code>', page)


def enable(app, email: str) -> tuple[str, list[str]]:
    """Turn two-step sign-in on for an existing account through the services; (secret, recovery codes)."""
    from app.accounts import two_step
    from app.accounts.models import User
    from app.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email_key == email.lower()))
        secret = two_step.begin_setup(user).secret
        # The previous period's code (still accepted): the current one stays free for the test.
        codes = two_step.confirm_setup(user, code(secret, steps=-1))
    return secret, codes


def make_two_step_user(app, email: str, **kwargs) -> tuple[int, str, list[str]]:
    with app.app_context():
        user_id = make_user(email, **kwargs).id
    secret, codes = enable(app, email)
    return user_id, secret, codes


def sign_in_with_code(client, email: str, value: str, password: str = DEFAULT_PASSWORD, **extra):
    first = login(client, email, password, **extra)
    assert first.status_code == 302 and urlsplit(first.headers["Location"]).path == "/login/code", first
    # Posted where the page posts, with its hidden ``next``.
    page = first.headers["Location"]
    return form_post(client, page, {"code": value}, page=page)


def post_code(client, value: str):
    page = client.get("/login/code")
    return client.post("/login/code", data={"code": value, "csrf_token": csrf_from(html(page))})


def count(app, model, *where) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def signed_in(client) -> bool:
    response = client.get("/account")
    return response.status_code == 200
