"""Accounts through /api/v1, checked against the contract: status codes, codes and exact bodies."""
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from app.accounts.models import ApiToken, User
from app.core.outbox import OutboxMail
from tests.conftest import DEFAULT_PASSWORD, api_token, bearer, login, make_user

API = "/api/v1"
REGISTRATION = {"email": "ana@example.org", "password": DEFAULT_PASSWORD, "name": "Ana Ionescu",
                "organisation": "UMF Iași", "locale": "ro", "accept_privacy": True}


@pytest.fixture
def ana(app):
    with app.app_context():
        return make_user("ana@example.org", name="Ana Ionescu", organisation="UMF Iași", locale="ro").id


def query(app, fn):
    """Run ``fn(session)`` in its own app context, so requests never share the test's session."""
    from app.extensions import db

    with app.app_context():
        return fn(db.session)


def users(app):
    return query(app, lambda s: [(u.email_key, u.name) for u in s.scalars(select(User).order_by(User.id))])


def mail_kinds(app):
    return query(app, lambda s: [(m.kind, m.to_address) for m in s.scalars(select(OutboxMail).order_by(OutboxMail.id))])


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    assert ("fields" in error) == (status == 422)
    return error


# --- registration -----------------------------------------------------------------------

def test_register_answers_202_and_creates_the_account(app, client):
    response = client.post(f"{API}/auth/register", json=REGISTRATION)
    assert response.status_code == 202
    assert response.get_json() == {"status": "registered"}
    assert users(app) == [("ana@example.org", "Ana Ionescu")]
    assert mail_kinds(app) == [("confirm_email", "ana@example.org")]
    assert query(app, lambda s: s.scalar(select(User.locale))) == "ro"


@pytest.mark.parametrize("address", ["ana@example.org", "ANA@Example.ORG", " Ana@example.org "])
def test_register_known_address_answers_the_same_and_mails_the_owner(app, client, ana, address):
    response = client.post(f"{API}/auth/register", json={**REGISTRATION, "email": address, "name": "Intruder"})
    assert response.status_code == 202
    assert response.get_json() == {"status": "registered"}
    assert users(app) == [("ana@example.org", "Ana Ionescu")]
    assert mail_kinds(app) == [("already_registered", "ana@example.org")]


def test_register_takes_the_language_from_accept_language(app, client):
    body = {k: v for k, v in REGISTRATION.items() if k != "locale"}
    response = client.post(f"{API}/auth/register", json=body, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert response.status_code == 202
    assert query(app, lambda s: s.scalar(select(User.locale))) == "fr"


@pytest.mark.parametrize("changes, fields", [
    ({"password": "short"}, {"password"}),
    ({"password": "password123"}, {"password"}),
    ({"password": "qwertyuiop"}, {"password"}),
    ({"email": "not-an-address"}, {"email"}),
    ({"accept_privacy": False}, {"accept_privacy"}),
    ({"accept_privacy": None}, {"accept_privacy"}),
    ({"accept_privacy": "not sure"}, {"accept_privacy"}),
    ({"name": "n" * 201}, {"name"}),
    ({"organisation": "o" * 201}, {"organisation"}),
    ({"email": "e" * 400 + "@example.org"}, {"email"}),
    ({"locale": "xx"}, {"locale"}),
    ({"name": "  "}, {"name"}),
])
def test_register_validation(app, client, changes, fields):
    response = client.post(f"{API}/auth/register", json={**REGISTRATION, **changes})
    error = assert_error(response, 422, "validation_failed")
    assert set(error["fields"]) == fields and all(error["fields"].values())
    assert users(app) == [] and mail_kinds(app) == []


def test_register_without_accept_privacy_is_refused(app, client):
    body = {k: v for k, v in REGISTRATION.items() if k != "accept_privacy"}
    error = assert_error(client.post(f"{API}/auth/register", json=body), 422)
    assert set(error["fields"]) == {"accept_privacy"}
    assert users(app) == []


def test_register_with_empty_body_names_every_missing_field(client):
    error = assert_error(client.post(f"{API}/auth/register"), 422)
    assert {"email", "password", "name"} <= set(error["fields"])


@pytest.mark.parametrize("raw", [b"{not json", b'{"email": "a@example.org",}', b"[]", b"[1, 2]",
                                 b'"text"', b"42", b"null", b"\xff\xfe\x00", b"[" * 50000 + b"]" * 50000])
def test_malformed_bodies_answer_400(app, client, raw):
    response = client.post(f"{API}/auth/register", data=raw, content_type="application/json")
    assert_error(response, 400, "malformed_json")
    assert users(app) == []


def test_body_above_the_upload_limit_answers_413(app, client):
    raw = json.dumps({**REGISTRATION, "name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert_error(client.post(f"{API}/auth/register", data=raw, content_type="application/json"), 413)


ODD_BODIES = [
    {"email": 123, "password": 456, "name": 789, "accept_privacy": 1},
    {"email": ["a@example.org"], "password": {"p": 1}, "name": [], "accept_privacy": []},
    {"email": None, "password": None, "name": None, "organisation": None, "locale": None, "accept_privacy": None},
    {**REGISTRATION, "email": True, "locale": 5},
    {**REGISTRATION, "name": "x" * 1_000_000},
    {**REGISTRATION, "password": "p" * 100_000},
    {**REGISTRATION, "email": "a" * 100_000 + "@example.org"},
    {**REGISTRATION, "name": "Ștefan 🧑‍⚕️ עברית مرحبا \u202e\u0301"},
    {**REGISTRATION, "email": "ștefan@spital.ro", "name": "\U0001F600" * 200},
    {**REGISTRATION, "name": "nul\u0000in the middle"},
    {**REGISTRATION, "organisation": "\u0000"},
    {**REGISTRATION, "email": "ana\u0000@example.org"},
    {**REGISTRATION, "password": "correct\u0000horse battery"},
    {**REGISTRATION, "name": "\ud800 lone surrogate"},
    {**REGISTRATION, "extra": {"deep": [[[[["x"]]]]]}, "locale": ""},
    {**REGISTRATION, "email": "\n\t ", "name": "\u0000"},
]


@pytest.mark.parametrize("path", ["/auth/register", "/auth/tokens"])
@pytest.mark.parametrize("body", ODD_BODIES, ids=range(len(ODD_BODIES)))
def test_no_body_causes_a_server_error(app, client, ana, path, body):
    response = client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 202, 400, 401, 422), response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        error = assert_error(response, response.status_code)
        if response.status_code == 422:
            assert error["fields"] and set(error["fields"]) <= set(body) | {"body"}
    # Whatever was sent, the existing account is untouched.
    assert query(app, lambda s: s.get(User, ana).name) == "Ana Ionescu"


def test_nul_in_a_field_is_reported_on_that_field(app, client):
    response = client.post(f"{API}/auth/register", json={**REGISTRATION, "name": "Ana\u0000"})
    assert set(assert_error(response, 422)["fields"]) == {"name"}
    assert users(app) == []


# --- tokens -----------------------------------------------------------------------------

def test_token_for_good_credentials(app, client, ana, frozen_clock):
    response = client.post(f"{API}/auth/tokens", json={"email": "ANA@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"token", "expires_at"} and body["token"].startswith("sal_")
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None
    assert expires == frozen_clock.now() + dt.timedelta(days=30)
    assert client.get(f"{API}/me", headers=bearer(body["token"])).status_code == 200


def test_unknown_address_and_wrong_password_answer_the_same(client, ana):
    unknown = client.post(f"{API}/auth/tokens", json={"email": "nobody@example.org", "password": DEFAULT_PASSWORD})
    wrong = client.post(f"{API}/auth/tokens", json={"email": "ana@example.org", "password": "not my password"})
    assert_error(unknown, 401, "invalid_credentials")
    assert unknown.get_json() == wrong.get_json() and wrong.status_code == 401


def test_unconfirmed_account_gets_403(app, client):
    with app.app_context():
        make_user("new@example.org", confirmed=False)
    response = client.post(f"{API}/auth/tokens", json={"email": "new@example.org", "password": DEFAULT_PASSWORD})
    assert_error(response, 403, "email_not_confirmed")
    assert query(app, lambda s: s.scalar(select(func.count()).select_from(ApiToken))) == 0


def test_eleventh_attempt_after_ten_failures_answers_429(client, ana):
    for _attempt in range(10):
        response = client.post(f"{API}/auth/tokens", json={"email": "ana@example.org", "password": "wrong guess!"})
        assert response.status_code == 401
    response = client.post(f"{API}/auth/tokens", json={"email": "ana@example.org", "password": DEFAULT_PASSWORD})
    assert_error(response, 429, "too_many_requests")
    assert 0 < int(response.headers["Retry-After"]) <= 901
    assert "token" not in response.get_json()


def test_revoke_current_token(client, ana):
    token = api_token(client, "ana@example.org")
    other = api_token(client, "ana@example.org")
    response = client.delete(f"{API}/auth/tokens/current", headers=bearer(token))
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401, "invalid_token")
    assert_error(client.delete(f"{API}/auth/tokens/current", headers=bearer(token)), 401)
    assert client.get(f"{API}/me", headers=bearer(other)).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic YTpi"},
                                     {"Authorization": "Bearer sal_not-a-real-token"}])
def test_me_needs_a_valid_token(client, ana, headers):
    assert_error(client.get(f"{API}/me", headers=headers), 401)
    assert_error(client.delete(f"{API}/auth/tokens/current", headers=headers), 401)


def test_expired_token_answers_401(client, ana, frozen_clock):
    token = api_token(client, "ana@example.org")
    frozen_clock.advance(days=29, hours=23)
    assert client.get(f"{API}/me", headers=bearer(token)).status_code == 200
    frozen_clock.advance(hours=1)
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401, "invalid_token")


def test_browser_session_is_not_accepted_for_api_writes(app, client, ana):
    assert login(client, "ana@example.org").status_code == 302
    assert client.get("/account").status_code == 200
    assert_error(client.delete(f"{API}/me"), 401)
    assert_error(client.delete(f"{API}/auth/tokens/current"), 401)
    assert query(app, lambda s: s.get(User, ana).erased_at) is None


# --- the signed-in person ---------------------------------------------------------------

def test_me(client, ana):
    response = client.get(f"{API}/me", headers=bearer(api_token(client, "ana@example.org")))
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("id", "email", "name", "organisation", "locale", "is_admin")} == {
        "id": ana, "email": "ana@example.org", "name": "Ana Ionescu", "organisation": "UMF Iași",
        "locale": "ro", "is_admin": False}
    assert not {"password_hash", "email_key"} & set(body)


def test_export(client, ana):
    token = api_token(client, "ana@example.org")
    response = client.get(f"{API}/me/export", headers=bearer(token))
    assert response.status_code == 200
    data = response.get_json()
    assert data["account"]["email"] == "ana@example.org" and data["account"]["name"] == "Ana Ionescu"
    assert [t["label"] for t in data["api_tokens"]] == ["API"]
    text = response.get_data(as_text=True)
    assert token not in text and "argon2" not in text and "token_hash" not in text
    assert_error(client.get(f"{API}/me/export"), 401)


def test_delete_me_erases_the_account(app, client, ana):
    token = api_token(client, "ana@example.org")
    second = api_token(client, "ana@example.org")
    response = client.delete(f"{API}/me", headers=bearer(token))
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.get(f"{API}/me", headers=bearer(token)), 401)
    assert_error(client.get(f"{API}/me", headers=bearer(second)), 401)
    assert_error(client.post(f"{API}/auth/tokens", json={"email": "ana@example.org", "password": DEFAULT_PASSWORD}),
                 401, "invalid_credentials")
    user = query(app, lambda s: s.get(User, ana))
    assert user.name == "deleted user" and user.organisation == "" and "ana" not in user.email
    assert user.erased_at is not None
    assert query(app, lambda s: s.scalar(select(func.count()).select_from(ApiToken))) == 0
    # The address can register again, as a new account.
    assert client.post(f"{API}/auth/register", json=REGISTRATION).status_code == 202
    assert [key for key, _name in users(app)][-1] == "ana@example.org"
    assert mail_kinds(app) == [("confirm_email", "ana@example.org")]
