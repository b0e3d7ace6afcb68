"""Sign-in sessions from the attacker's side: the session id rotates at sign-in (a planted or
pre-login id is never promoted), dies at sign-out, and the cookies carrying it are HttpOnly,
SameSite=Lax and, over https, Secure."""
from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface

from app import create_app
from tests.accounts.two_step_support import code, make_two_step_user, post_code
from tests.conftest import DEFAULT_PASSWORD, FreshContextClient, csrf_from, form_post, login, make_user


@pytest.fixture
def ana(app):
    with app.app_context():
        return make_user("ana@example.org", name="Ana Ionescu").id


def session_data(app, client) -> dict:
    """What the signed session cookie holds (Flask-Login keeps the server-side session id in it)."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return {}
    return SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.value)


def session_id(app, client) -> str | None:
    return session_data(app, client).get("_user_id")


def forged_cookie(app, data: dict) -> str:
    """A cookie an attacker planted (signed here, as the worst case of a leaked pre-login cookie)."""
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(data)


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def carrying(app, cookie_value: str, name: str = "session"):
    other = app.test_client()
    other.set_cookie(name, cookie_value)
    return other


def test_sign_in_issues_a_new_session_id_each_time(app, client, ana):
    client.get("/login")
    before = client.get_cookie("session").value
    assert session_id(app, client) is None  # nothing before sign-in names a user
    login(client, "ana@example.org")
    first = session_id(app, client)
    assert first and client.get_cookie("session").value != before
    form_post(client, "/logout", page="/account")
    login(client, "ana@example.org")
    second = session_id(app, client)
    assert second and second != first


def test_a_pre_login_session_is_not_carried_over(app, client, ana):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "ana@example.org")
    assert "planted" not in session_data(app, client)


def test_a_planted_session_id_is_never_promoted(app, client, ana):
    planted = "attacker-chosen-session-id"
    client.set_cookie("session", forged_cookie(app, {"_user_id": planted, "_fresh": True}))
    assert not signed_in(client)
    login(client, "ana@example.org")
    assert session_id(app, client) != planted
    assert not signed_in(carrying(app, forged_cookie(app, {"_user_id": planted, "_fresh": True})))


def test_the_old_session_id_is_dead_after_sign_out(app, client, ana):
    login(client, "ana@example.org", remember="y")
    stolen_session = client.get_cookie("session").value
    stolen_remember = client.get_cookie("remember_token").value
    assert signed_in(carrying(app, stolen_session))
    assert signed_in(carrying(app, stolen_remember, "remember_token"))
    form_post(client, "/logout", page="/account")
    assert not signed_in(client)
    assert not signed_in(carrying(app, stolen_session))
    assert not signed_in(carrying(app, stolen_remember, "remember_token"))


@pytest.mark.parametrize("ending", ["password", "end-all"])
def test_a_replayed_cookie_is_refused_after_a_password_change_or_end_all(app, client, ana, ending):
    login(client, "ana@example.org")
    stolen = client.get_cookie("session").value
    if ending == "password":
        form_post(client, "/account/password", {"current_password": "correct horse battery staple",
                                                "new_password": "a different long passphrase"}, page="/account")
    else:
        form_post(client, "/account/sessions/end-all", page="/account")
    assert not signed_in(carrying(app, stolen))


def test_the_second_step_rotates_the_session_too(app, client, frozen_clock):
    _user_id, secret, _codes = make_two_step_user(app, "bob@example.org")
    login(client, "bob@example.org")
    pending = client.get_cookie("session").value
    assert session_id(app, client) is None and "pending_sign_in" in session_data(app, client)
    post_code(client, code(secret))
    assert signed_in(client) and client.get_cookie("session").value != pending
    assert "pending_sign_in" not in session_data(app, client)
    assert not signed_in(carrying(app, pending))


def flags(response, name: str) -> dict[str, str | bool]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            parts = [p.strip() for p in header.split(";")[1:]]
            return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else True) for p in parts}
    raise AssertionError(f"no {name} cookie set")


def login_via(client, email: str, remember: bool = True, **request):
    """Sign in with ``request`` options (base_url, headers) on both the page and the post."""
    page = client.get("/login", **request).get_data(as_text=True)
    data = {"email": email, "password": DEFAULT_PASSWORD, "csrf_token": csrf_from(page)}
    if remember:
        data["remember"] = "y"
    # Over https, CSRF protection also wants a same-site Referer, as a browser sends.
    headers = request.pop("headers", {})
    origin = request.get("base_url") or ("https://localhost" if headers.get("X-Forwarded-Proto") == "https"
                                         else "http://localhost")
    headers = {**headers, "Referer": origin + "/login"}
    return client.post("/login", data=data, headers=headers, **request)


def test_cookies_are_httponly_and_samesite_lax_without_secure_over_http(client, ana):
    response = login(client, "ana@example.org", remember="y")
    for name in ("session", "remember_token"):
        cookie = flags(response, name)
        assert cookie.get("httponly") is True and cookie.get("samesite") == "Lax", name
        assert "secure" not in cookie, name  # a plain-http development server must still work


def test_cookies_are_secure_when_the_request_came_over_https(app, ana):
    client = app.test_client()
    response = login_via(client, "ana@example.org", base_url="https://salus.test")
    for name in ("session", "remember_token"):
        cookie = flags(response, name)
        assert cookie.get("secure") is True and cookie.get("httponly") is True and cookie.get("samesite") == "Lax"


@pytest.fixture
def proxied(app_config):
    """The app behind one TLS-terminating proxy, configured for http (so only the proxy says https)."""
    application = create_app({**app_config, "PROXY_FIX_HOPS": 1})
    application.test_client_class = FreshContextClient
    return application


def test_behind_a_tls_proxy_x_forwarded_proto_makes_cookies_secure(app, proxied, ana):
    https = proxied.test_client()
    response = login_via(https, "ana@example.org", headers={"X-Forwarded-Proto": "https"})
    assert flags(response, "session").get("secure") is True
    assert flags(response, "remember_token").get("secure") is True
    assert response.headers["Strict-Transport-Security"]
    plain = proxied.test_client()
    assert "secure" not in flags(login_via(plain, "ana@example.org"), "session")


def test_an_https_base_url_makes_cookies_secure_always(app_config, ana):
    application = create_app({**app_config, "BASE_URL": "https://salus.example"})
    assert application.config["SESSION_COOKIE_SECURE"] and application.config["REMEMBER_COOKIE_SECURE"]
    assert application.config["PREFERRED_URL_SCHEME"] == "https"
    with application.test_request_context("/"):
        from flask import url_for

        assert url_for("accounts.login", _external=True).startswith("https://")
