"""Two-step sign-in in the JSON API: a token for a password alone is refused once it is on."""
from __future__ import annotations

import pytest

from app.accounts.models import ApiToken
from tests.accounts.two_step_support import code, count, make_two_step_user
from tests.conftest import DEFAULT_PASSWORD, api_token, bearer, make_user

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def bob(app):
    return make_two_step_user(app, "bob@example.org", name="Bob Marin")


def ask(client, **body):
    return client.post("/api/v1/auth/tokens", json={"email": "bob@example.org", "password": DEFAULT_PASSWORD, **body})


def error(response):
    return response.status_code, response.get_json()["error"]["code"]


def test_the_password_alone_gets_no_token(app, client, bob):
    assert error(ask(client)) == (401, "two_factor_code_required")
    assert error(ask(client, code="")) == (401, "two_factor_code_required")
    assert count(app, ApiToken) == 0


def test_a_wrong_password_is_still_invalid_credentials(client, bob):
    response = ask(client, password="not the password", code="123456")
    assert error(response) == (401, "invalid_credentials")


def test_password_and_current_code_get_a_token_once(app, client, bob):
    _user_id, secret, _codes = bob
    current = code(secret)
    response = ask(client, code=current)
    assert response.status_code == 201
    assert client.get("/api/v1/me", headers=bearer(response.get_json()["token"])).status_code == 200
    assert error(ask(client, code=current)) == (401, "invalid_two_factor_code")  # no replay
    assert count(app, ApiToken) == 1


def test_a_recovery_code_gets_a_token_once(client, bob):
    _user_id, _secret, codes = bob
    assert ask(client, code=codes[3]).status_code == 201
    assert error(ask(client, code=codes[3])) == (401, "invalid_two_factor_code")


def test_wrong_codes_count_towards_the_account_lock(client, bob):
    _user_id, secret, _codes = bob
    for _attempt in range(10):
        assert error(ask(client, code="999999")) == (401, "invalid_two_factor_code")
    locked = ask(client, code=code(secret))
    assert error(locked) == (429, "too_many_requests") and int(locked.headers["Retry-After"]) > 0


def test_accounts_without_two_step_need_no_code(app, client):
    with app.app_context():
        make_user("ana@example.org")
    assert api_token(client, "ana@example.org")


def test_the_openapi_document_describes_the_code(client):
    schema = client.get("/api/v1/openapi.json").get_json()
    text = str(schema)
    assert "code" in text and "two-step" in text
