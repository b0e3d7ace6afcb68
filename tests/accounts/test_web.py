"""Account pages through the test client, as a browser uses them."""
import datetime as dt
import json
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.accounts.models import ApiToken, User
from app.core.outbox import OutboxMail
from tests.conftest import DEFAULT_PASSWORD, bearer, csrf_from, flush_outbox, form_post, login, make_user

NEW_PASSWORD = "a different long passphrase"  # nosec B105 - test credential
SIGNUP = {"name": "Ana Ionescu", "email": "ana@example.org", "organisation": "UMF Iași", "locale": "en",
          "password": DEFAULT_PASSWORD, "accept_privacy": "y"}


@pytest.fixture
def ana(app):
    with app.app_context():
        return make_user("ana@example.org", name="Ana Ionescu").id


def query(app, fn):
    from app.extensions import db

    with app.app_context():
        return fn(db.session)


def count(app, model):
    return query(app, lambda s: s.scalar(select(func.count()).select_from(model)))


def html(response):
    return response.get_data(as_text=True)


def lang(response):
    return re.search(r'<html lang="([^"]+)"', html(response)).group(1)


def error_summary(response):
    match = re.search(r'<div class="error-summary".*?</div>', html(response), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip() if match else None


def without_addresses(response):
    """A page without its CSRF token and e-mail addresses, to compare answers for two people."""
    return re.sub(r'value="[^"]+"|[a-z]+@example\.org', "", html(response), flags=re.I)


def signed_in(client):
    response = client.get("/account")
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
        return False
    assert response.status_code == 200
    return True


def replay(app, client):
    """A second browser carrying the cookies captured from ``client`` at this moment."""
    other = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


# --- registration and confirmation ------------------------------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"password": "short"}, "password", "Use at least 10 characters."),
    ({"password": "password123"}, "password", "This password is too common."),
    ({"email": "not-an-address"}, "email", "Enter a valid e-mail address"),
    ({"accept_privacy": None}, "accept_privacy", "You need to accept the privacy notice"),
    ({"name": ""}, "name", "Enter your name."),
])
def test_register_shows_errors_and_creates_nothing(app, client, changes, field, message):
    data = {k: v for k, v in {**SIGNUP, **changes}.items() if v is not None}
    response = form_post(client, "/register", data)
    assert response.status_code == 422
    assert message in error_summary(response)
    page = html(response)
    assert f'id="{field}-error"' in page and message in page.split(f'id="{field}-error"')[1][:300]
    assert count(app, User) == 0 and count(app, OutboxMail) == 0


def test_registration_confirmed_through_the_mail_received(app, client, mailbox):
    response = form_post(client, "/register", {**SIGNUP, "email": "Ana@Example.org"})
    assert response.status_code == 200 and "Check your e-mail" in html(response)
    assert mailbox.to("ana@example.org") == []  # nothing is sent during the request
    flush_outbox(app)
    [message] = mailbox.to("ana@example.org")
    assert "Ana Ionescu" in mailbox.text(message)
    [link] = [url for url in mailbox.links(message) if "/confirm/" in url]
    assert login(client, "ana@example.org").status_code == 422
    path = urlsplit(link).path
    assert client.get(path[:-3] + "xyz").status_code == 404
    response = client.get(path)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert login(client, "ANA@example.org").status_code == 302 and signed_in(client)


def test_registering_a_known_address_looks_the_same_and_mails_the_owner(app, client, mailbox, ana):
    new = form_post(app.test_client(), "/register", {**SIGNUP, "email": "bob@example.org"})
    known = form_post(client, "/register", {**SIGNUP, "email": "ana@example.org"})
    assert new.status_code == known.status_code == 200 and without_addresses(new) == without_addresses(known)
    flush_outbox(app)
    [message] = mailbox.to("ana@example.org")
    assert "already have a Salus account" in message["Subject"]
    assert count(app, User) == 2


# --- signing in and out -----------------------------------------------------------------

def test_wrong_credentials_get_the_same_answer(client, ana):
    unknown = login(client, "nobody@example.org")
    wrong = login(client, "ana@example.org", "not my password")
    assert unknown.status_code == wrong.status_code == 422
    assert error_summary(unknown) == error_summary(wrong) and "not right" in error_summary(wrong)
    assert not signed_in(client)


def test_unconfirmed_account_is_offered_a_new_link(app, client):
    with app.app_context():
        make_user("new@example.org", confirmed=False)
    response = login(client, "new@example.org")
    assert response.status_code == 422 and 'href="/confirm"' in html(response)
    assert not signed_in(client)


def test_sign_in_with_an_unusual_user_agent(client, ana):
    token = csrf_from(html(client.get("/login")))
    data = {"email": "ana@example.org", "password": DEFAULT_PASSWORD, "csrf_token": token}
    response = client.post("/login", data=data, headers={"User-Agent": "Mozilla\x00/5.0 " + "x" * 500})
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.parametrize("path, data", [
    ("/login", {"email": "ana\x00@example.org", "password": DEFAULT_PASSWORD}),
    ("/register", {**SIGNUP, "name": "Ana\x00Ionescu"}),
    ("/register", {**SIGNUP, "organisation": "\x00"}),
])
def test_nul_character_in_a_form_answers_400(app, client, path, data):
    assert form_post(client, path, data).status_code == 400
    assert count(app, User) == 0 and not signed_in(client)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/x", "/\\evil.example",
                                    "http:evil.example", "javascript:alert(1)", " //evil.example"])
def test_login_never_redirects_off_site(client, ana, target):
    response = login(client, "ana@example.org", next=target)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path == "/"
    again = client.get("/login", query_string={"next": target})
    assert urlsplit(again.headers["Location"]).netloc in ("", "localhost")


def test_login_follows_a_next_on_this_site(client, ana):
    response = login(client, "ana@example.org", next="/account")
    assert response.headers["Location"] == "/account"


def test_logout_ends_the_session_on_the_server(app, client, ana):
    login(client, "ana@example.org", remember="y")
    stolen = replay(app, client)
    assert signed_in(stolen)  # the copy works while the session lives
    assert form_post(client, "/logout", page="/account").status_code == 302
    assert not signed_in(client)
    assert not signed_in(stolen)
    assert not signed_in(replay(app, stolen))


def test_password_change_ends_other_sessions(app, client, ana):
    login(client, "ana@example.org")
    stolen = replay(app, client)
    assert signed_in(stolen)
    response = form_post(client, "/account/password",
                         {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, page="/account")
    assert response.status_code == 302
    assert signed_in(client)  # this browser gets a fresh session
    assert not signed_in(stolen)
    assert login(app.test_client(), "ana@example.org", NEW_PASSWORD).status_code == 302


def test_wrong_current_password_changes_nothing(app, client, ana):
    login(client, "ana@example.org")
    response = form_post(client, "/account/password",
                         {"current_password": "not my password", "new_password": NEW_PASSWORD}, page="/account")
    assert response.status_code == 422 and "current password is not right" in html(response)
    assert signed_in(client)
    assert login(app.test_client(), "ana@example.org").status_code == 302


def test_sign_out_on_every_device(app, client, ana):
    login(client, "ana@example.org")
    other_device = app.test_client()
    login(other_device, "ana@example.org", remember="y")
    stolen = replay(app, client)
    assert signed_in(stolen) and signed_in(other_device)
    response = form_post(client, "/account/sessions/end-all", page="/account")
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert not signed_in(client) and not signed_in(stolen) and not signed_in(other_device)


def test_remember_me_lasts_at_most_thirty_days(app, client, ana):
    response = login(client, "ana@example.org")
    assert "remember_token=" not in " ".join(response.headers.getlist("Set-Cookie"))
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie

    response = login(app.test_client(), "ana@example.org", remember="y")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    lifetime = expires - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=29, hours=23) < lifetime <= dt.timedelta(days=30)
    rows = query(app, lambda s: [(r.remember, r.expires_at - r.created_at) for r in s.get(User, ana).login_sessions])
    assert sorted(rows) == [(False, dt.timedelta(days=3)), (True, dt.timedelta(days=30))]


@pytest.mark.parametrize("path, data", [
    ("/login", {"email": "ana@example.org", "password": DEFAULT_PASSWORD}),
    ("/register", {**SIGNUP, "email": "new@example.org"}),
    ("/reset", {"email": "ana@example.org"}),
    ("/language", {"locale": "ro"}),
    ("/logout", {}),
    ("/account/profile", {"name": "Changed", "locale": "ro", "timezone": ""}),
    ("/account/password", {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}),
    ("/account/sessions/end-all", {}),
    ("/account/tokens", {"label": "x"}),
    ("/account/delete", {}),
])
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_form_without_valid_csrf_token_answers_400(app, client, ana, path, data, token):
    login(client, "ana@example.org")
    response = client.post(path, data={**data, **({"csrf_token": token} if token else {})})
    assert response.status_code == 400
    assert signed_in(client)
    user = query(app, lambda s: s.get(User, ana))
    assert (user.name, user.locale, user.erased_at) == ("Ana Ionescu", "en", None)
    assert count(app, User) == 1 and count(app, ApiToken) == 0 and count(app, OutboxMail) == 0
    assert login(app.test_client(), "ana@example.org").status_code == 302


# --- password reset ---------------------------------------------------------------------

def test_reset_through_the_mail(app, client, mailbox, ana):
    browser = app.test_client()
    login(browser, "ana@example.org")
    response = form_post(client, "/reset", {"email": "ANA@example.org"})
    assert response.status_code == 200 and "Check your e-mail" in html(response)
    unknown = form_post(client, "/reset", {"email": "nobody@example.org"})
    assert unknown.status_code == 200 and without_addresses(unknown) == without_addresses(response)
    flush_outbox(app)
    assert mailbox.to("nobody@example.org") == []
    [message] = mailbox.to("ana@example.org")
    path = urlsplit(next(u for u in mailbox.links(message) if "/reset/" in u)).path
    assert client.get(path).status_code == 200
    assert form_post(client, path, {"password": "qwertyuiop"}).status_code == 422
    response = form_post(client, path, {"password": NEW_PASSWORD})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert client.get(path).status_code == 404  # single use
    assert not signed_in(browser)
    assert login(client, "ana@example.org").status_code == 422
    assert login(client, "ana@example.org", NEW_PASSWORD).status_code == 302


# --- the account page -------------------------------------------------------------------

def test_update_profile_and_language(app, client, ana):
    login(client, "ana@example.org")
    response = form_post(client, "/account/profile", {"name": "Ana Maria Ionescu", "organisation": "Primăria Iași",
                                                      "locale": "ro", "timezone": "Europe/Paris"}, page="/account")
    assert response.status_code == 302
    page = client.get("/account", headers={"Accept-Language": "en"})
    assert lang(page) == "ro" and "Ana Maria Ionescu" in html(page)
    if expected := romanian(app, "My account"):
        assert expected in html(page)
    user = query(app, lambda s: s.get(User, ana))
    assert (user.name, user.organisation, user.locale, user.timezone) == (
        "Ana Maria Ionescu", "Primăria Iași", "ro", "Europe/Paris")


@pytest.mark.parametrize("changes", [{"name": ""}, {"locale": "xx"}, {"timezone": "Mars/Olympus"},
                                     {"name": "n" * 201}])
def test_invalid_profile_changes_nothing(app, client, ana, changes):
    login(client, "ana@example.org")
    data = {"name": "Other Name", "organisation": "", "locale": "ro", "timezone": "", **changes}
    assert form_post(client, "/account/profile", data, page="/account").status_code == 422
    assert query(app, lambda s: (s.get(User, ana).name, s.get(User, ana).locale)) == ("Ana Ionescu", "en")


def test_create_and_revoke_an_api_token_in_the_browser(app, client, ana):
    login(client, "ana@example.org")
    response = form_post(client, "/account/tokens", {"label": "spreadsheet"}, page="/account")
    assert response.status_code == 201
    raw = re.search(r'id="new-token">(sal_[^<]+)<', html(response)).group(1)
    assert client.get("/api/v1/me", headers=bearer(raw)).get_json()["email"] == "ana@example.org"
    page = html(client.get("/account"))
    assert raw not in page and raw[:10] in page and "spreadsheet" in page  # shown once, then only its prefix

    with app.app_context():
        make_user("bob@example.org")
    token_id = query(app, lambda s: s.scalar(select(ApiToken.id)))
    bob = app.test_client()
    login(bob, "bob@example.org")
    assert form_post(bob, f"/account/tokens/{token_id}/revoke", page="/account").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200

    response = form_post(client, f"/account/tokens/{token_id}/revoke", page="/account")
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_export_downloads_json(client, ana):
    assert urlsplit(client.get("/account/export").headers["Location"]).path == "/login"
    login(client, "ana@example.org")
    response = client.get("/account/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data())
    assert data["account"]["email"] == "ana@example.org" and len(data["sessions"]) == 1


def test_erase_asks_for_confirmation_then_erases(app, client, ana):
    login(client, "ana@example.org")
    page = client.get("/account/delete")
    assert page.status_code == 200 and "This cannot be undone." in html(page)
    assert query(app, lambda s: s.get(User, ana).erased_at) is None
    response = client.post("/account/delete", data={"csrf_token": csrf_from(html(page))})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"
    assert not signed_in(client)
    user = query(app, lambda s: s.get(User, ana))
    assert user.erased_at is not None and user.display_name == "deleted user" and "ana" not in user.email
    assert login(client, "ana@example.org").status_code == 422


# --- language, headers ------------------------------------------------------------------

def romanian(app, message):
    """The Romanian catalogue's translation of ``message`` once translations are compiled, else None."""
    from babel.support import Translations

    folder = Path(app.root_path) / "translations"
    if not (folder / "ro" / "LC_MESSAGES" / "messages.mo").is_file():
        return None
    translated = Translations.load(str(folder), ["ro"]).gettext(message)
    return translated if translated != message else None


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/reset", "/confirm", "/privacy", "/no-such-page"])
def test_every_page_answers_in_the_accept_language(app, client, path):
    response = client.get(path, headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"})
    assert lang(response) == "ro"
    if expected := romanian(app, "Privacy notice"):
        assert expected in html(response)
    assert lang(client.get(path, headers={"Accept-Language": "da"})) == "da"
    assert lang(client.get(path, headers={"Accept-Language": "de, en;q=0.1"})) == "en"


def test_language_switcher(app, client, ana):
    home = client.get("/", headers={"Accept-Language": "en"})
    response = client.post("/language", data={"locale": "fr", "next": "/login", "csrf_token": csrf_from(html(home))})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert lang(client.get("/login", headers={"Accept-Language": "en"})) == "fr"
    response = client.post("/language",
                           data={"locale": "ro", "next": "//evil.example", "csrf_token": csrf_from(html(home))})
    assert response.headers["Location"] == "/"
    assert lang(client.get("/register")) == "ro"
    login(client, "ana@example.org")  # the account's own language wins once signed in
    assert lang(client.get("/account")) == "en" and lang(client.get("/account/delete")) == "en"
    form_post(client, "/language", {"locale": "it", "next": "/account"}, page="/account")
    assert lang(client.get("/account")) == "it"
    assert query(app, lambda s: s.get(User, ana).locale) == "it"


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/privacy", "/no-such-page", "/api/v1/me"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    if response.mimetype == "text/html":
        page = html(response)
        # CSP forbids inline code, so a page relying on it would silently break.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        assert not re.search(r"\son[a-z]+=|style=", page)
