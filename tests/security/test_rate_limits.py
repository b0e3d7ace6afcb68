"""Brute force from one address or against one account: registration (200 an hour per address)
and password reset (5 an hour per account) answer 429 with Retry-After and a clear message, in
HTML and JSON; failed sign-ins lock; successful sign-ins of a whole venue behind one address do not.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.accounts.models import LoginSession, User
from app.core.outbox import OutboxMail
from tests.conftest import DEFAULT_PASSWORD, csrf_from, make_user

VENUE = "203.0.113.7"
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.9"}
FROM_VENUE = {"REMOTE_ADDR": VENUE}


def count(app, model, *where) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def register_api(client, n: int, environ=FROM_VENUE):
    return client.post("/api/v1/auth/register", environ_base=environ, json={
        "email": f"person{n}@example.org", "password": DEFAULT_PASSWORD, "name": f"Person {n}",
        "accept_privacy": True})


def register_page(client, n: int, environ=FROM_VENUE):
    page = client.get("/register", environ_base=environ).get_data(as_text=True)
    return client.post("/register", environ_base=environ, data={
        "csrf_token": csrf_from(page), "email": f"person{n}@example.org", "password": DEFAULT_PASSWORD,
        "name": f"Person {n}", "locale": "en", "accept_privacy": "y"})


def assert_429(response, words: str, upper: int):
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= upper
    if response.is_json:
        error = response.get_json()["error"]
        assert error["code"] == "too_many_requests" and words in error["message"]
    else:
        assert words in response.get_data(as_text=True)


@pytest.mark.slow
def test_two_hundred_registrations_an_hour_from_one_address(app, client):
    for n in range(199):
        assert register_api(client, n).status_code == 202
    assert register_page(client, 199).status_code == 200  # the 200th, from the page
    assert count(app, User) == 200
    assert_429(register_page(client, 200), "Too many accounts were registered from your network", 3600)
    assert_429(register_api(client, 201), "Too many accounts were registered from your network", 3600)
    assert count(app, User) == 200
    # Another address is not affected.
    assert register_api(client, 202, ELSEWHERE).status_code == 202
    assert register_page(client, 203, ELSEWHERE).status_code == 200


def test_the_429_page_is_in_the_users_language(app, client):
    from app.core import ratelimit
    from app.accounts.services import REGISTRATIONS_PER_ADDRESS

    with app.test_request_context():
        for _n in range(200):
            ratelimit.hit(REGISTRATIONS_PER_ADDRESS, "register", VENUE)
    response = client.post("/api/v1/auth/register", environ_base=FROM_VENUE, headers={"Accept-Language": "fr"},
                           json={"email": "x@example.org", "password": DEFAULT_PASSWORD, "name": "X",
                                 "accept_privacy": True})
    assert response.status_code == 429
    assert response.get_json()["error"]["message"] != (
        "Too many accounts were registered from your network in the last hour. Please try again later.")


def reset(client, email: str, environ=FROM_VENUE):
    page = client.get("/reset", environ_base=environ).get_data(as_text=True)
    return client.post("/reset", environ_base=environ, data={"csrf_token": csrf_from(page), "email": email})


def test_five_password_resets_an_hour_per_account(app, client):
    with app.app_context():
        make_user("ana@example.org")
        make_user("bob@example.org")
    for attempt in range(5):
        assert reset(client, "ana@example.org" if attempt % 2 else "ANA@example.org").status_code == 200
    assert_429(reset(client, "ana@example.org"), "Too many reset requests for this address", 3600)
    # From another address too: the limit is the account's.
    assert_429(reset(client, "ana@example.org", ELSEWHERE), "Too many reset requests for this address", 3600)
    assert count(app, OutboxMail, OutboxMail.kind == "reset_password") == 5
    assert reset(client, "bob@example.org").status_code == 200
    # Unknown addresses are limited alike, so the answer tells nobody who has an account.
    for _attempt in range(5):
        assert reset(client, "nobody@example.org").status_code == 200
    assert reset(client, "nobody@example.org").status_code == 429


def test_failed_sign_ins_lock_the_account_with_a_clear_page(app, client):
    with app.app_context():
        make_user("ana@example.org")
    for _attempt in range(10):
        assert sign_in(client, "ana@example.org", "wrong password!").status_code == 422
    assert_429(sign_in(client, "ana@example.org"), "Too many failed sign-ins for this account", 15 * 60 + 1)


def sign_in(client, email: str, password: str = DEFAULT_PASSWORD, environ=FROM_VENUE):
    page = client.get("/login", environ_base=environ).get_data(as_text=True)
    return client.post("/login", environ_base=environ,
                       data={"csrf_token": csrf_from(page), "email": email, "password": password})


@pytest.fixture
def venue(app):
    """Two hundred participants, inserted at once (one password hash shared: hashing is not the test)."""
    from app.accounts.passwords import hash_password
    from app.core import clock
    from app.extensions import db

    with app.app_context():
        now = clock.now()
        hashed = hash_password(DEFAULT_PASSWORD)
        db.session.add_all([User(email=f"p{n}@example.org", email_key=f"p{n}@example.org", password_hash=hashed,
                                 name=f"Participant {n}", organisation="", created_at=now, confirmed_at=now,
                                 privacy_accepted_at=now, password_changed_at=now) for n in range(200)])
        db.session.commit()
    return [f"p{n}@example.org" for n in range(200)]


@pytest.mark.slow
def test_a_venue_of_two_hundred_signs_in_within_a_minute_from_one_address(app, venue):
    started = time.monotonic()
    # A few typos on the way: 30 failures from the venue, under the per-address limit of 100.
    for n in range(30):
        assert sign_in(app.test_client(), venue[n], "wrong password!").status_code == 422
    for email in venue:
        response = sign_in(app.test_client(), email)
        assert response.status_code == 302, (email, response.status_code)
    assert count(app, LoginSession) == 200
    # Real time, as the limiter counts it: all of it inside one minute.
    assert time.monotonic() - started < 60
    # The same room asking the API for tokens is not limited either.
    client = app.test_client()
    for email in venue:
        response = client.post("/api/v1/auth/tokens", environ_base=FROM_VENUE,
                               json={"email": email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 201, (email, response.status_code)
