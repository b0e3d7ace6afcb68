"""What every answer shares: security headers, no inline scripts, error pages and the JSON error
envelope, the size limit, the page language, the health check, the OpenAPI document, pagination."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.core.api import MAX_PER_PAGE, page_args, paginate
from app.core.errors import ValidationFailed
from tests.conftest import DEFAULT_PASSWORD, form_post, login, make_user
from tests.core.helpers import install_catalog

PUBLIC = ["/", "/register", "/login", "/privacy", "/api/v1/openapi.json", "/no-such-page"]
HTML_PAGES = ["/", "/register", "/login", "/privacy", "/no-such-page"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
HTML_LANG = re.compile(r'<html lang="([a-z]{2})">')


def html_lang(response) -> str:
    match = HTML_LANG.search(response.get_data(as_text=True))
    assert match, "no <html lang> on the page"
    return match.group(1)


# --- headers and markup ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", PUBLIC)
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == (404 if path == "/no-such-page" else 200)
    policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_have_no_inline_script_handler_or_style(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "<script" in html  # the page does load its (external) script
    assert INLINE_SCRIPT.findall(html) == []
    assert EVENT_HANDLER.findall(html) == []
    assert "javascript:" not in html.lower()
    # style-src 'self' would silently drop these.
    assert INLINE_STYLE.findall(html) == []


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.get("/register")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_tile_host_is_allowed_for_images_only(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://{s}.tile.example.org/{z}/{x}/{y}.png")
    policy = client.get("/").headers["Content-Security-Policy"]
    img = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "https://*.tile.example.org" in img
    assert policy.count("tile.example.org") == 1


# Every kind of answer a browser can be sent to: (method, path, form data, expected status, a download?).
ANSWER_KINDS = {
    "HTML page": ("GET", "/portfolio", None, 200, False),
    "HTML error page": ("GET", "/challenges/987654", None, 404, False),
    "HTML form refused (CSRF)": ("POST", "/login", {"email": "x@example.org", "password": "x"}, 400, False),
    "HTML wrong method": ("PUT", "/login", None, 405, False),
    "API JSON": ("GET", "/api/v1/portfolio", None, 200, False),
    "API error": ("GET", "/api/v1/me", None, 401, False),
    "API wrong method": ("DELETE", "/api/v1/portfolio", None, 405, False),
    "health check": ("GET", "/healthz", None, 200, False),
    "static file": ("GET", "/static/js/salus.js", None, 200, False),
    "feed": ("GET", "/portfolio/feed.atom", None, 200, False),
    "CSV download": ("GET", "/portfolio/export.csv", None, 200, True),
    "JSON download": ("GET", "/portfolio/export.json", None, 200, True),
    "ZIP download": ("GET", "/portfolio/export.zip", None, 200, True),
}


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("kind", ANSWER_KINDS)
def test_every_kind_of_answer_keeps_the_browser_rules(client, kind):
    """Whatever the answer, a browser runs no inline script from it, frames it nowhere, does not
    guess its type and sends no full address onwards; a file to save runs nothing at all."""
    method, path, data, status, download = ANSWER_KINDS[kind]
    response = client.open(path, method=method, data=data)
    assert response.status_code == status
    policy = response.headers["Content-Security-Policy"]
    found = directives(policy)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert found.get("script-src", found.get("default-src")) in (["'self'"], ["'none'"])
    assert found.get("frame-ancestors") == ["'none'"] or response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")
    assert "Strict-Transport-Security" not in response.headers  # plain http: HSTS would be ignored or wrong
    if download:
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert policy == "default-src 'none'; sandbox"


@pytest.mark.parametrize("path", ["/", "/api/v1/portfolio", "/portfolio/export.csv", "/no-such-page"])
def test_hsts_only_over_https(client, path):
    assert "Strict-Transport-Security" not in client.get(path).headers
    secure = client.get(path, base_url="https://salus.test")
    hsts = dict(part.strip().partition("=")[::2] for part in secure.headers["Strict-Transport-Security"].split(";"))
    assert int(hsts["max-age"]) >= 365 * 24 * 3600 and "includeSubDomains" in hsts


# --- errors -------------------------------------------------------------------------------------------

def test_an_unknown_page_is_an_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert html_lang(response) == "en"


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) == {"code", "message"}
    assert error["code"] == "not_found" and error["message"]


def test_a_wrong_method_on_the_api_is_a_json_405(client):
    response = client.get("/api/v1/auth/register")
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_the_error_envelope(client):
    malformed = client.post("/api/v1/auth/register", data="{not json", content_type="application/json")
    assert malformed.status_code == 400
    error = malformed.get_json()["error"]
    assert set(error) == {"code", "message"} and error["code"] == "malformed_json"

    invalid = client.post("/api/v1/auth/register", json={"email": "bad", "password": "short", "name": "A"})
    assert invalid.status_code == 422
    error = invalid.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "validation_failed"
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", error["code"])
    assert {"email", "password", "accept_privacy"} <= set(error["fields"])
    assert all(isinstance(text, str) and text for text in error["fields"].values())

    unauthorised = client.get("/api/v1/me")
    assert unauthorised.status_code == 401
    assert set(unauthorised.get_json()["error"]) == {"code", "message"}


def test_error_messages_follow_the_language(app, client, monkeypatch, tmp_path):
    english = "This page or item does not exist, or you cannot see it."
    install_catalog(app, monkeypatch, tmp_path, "ro", {english: "Pagina nu există."})
    assert client.get("/api/v1/nope", headers={"Accept-Language": "ro"}).get_json()["error"]["message"] \
        == "Pagina nu există."
    assert client.get("/api/v1/nope", headers={"Accept-Language": "en"}).get_json()["error"]["message"] == english
    assert "Pagina nu există." in client.get("/no-such-page", headers={"Accept-Language": "ro"}).get_data(as_text=True)


def test_a_body_over_the_limit_answers_413(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    body = '{"email": "a@example.org", "name": "' + "x" * 4096 + '"}'
    response = client.post("/api/v1/auth/register", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"

    form = client.post("/register", data={"name": "x" * 4096})
    assert form.status_code == 413
    assert form.mimetype == "text/html"

    small = client.post("/api/v1/auth/register", data="{}", content_type="application/json")
    assert small.status_code == 422


def test_the_default_limit_comes_from_upload_max_mb(app):
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["UPLOAD_MAX_MB"] * 1024 * 1024


# --- language ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["ro", "fr", "it", "da", "en"])
def test_html_lang_follows_accept_language(client, language):
    assert html_lang(client.get("/", headers={"Accept-Language": f"{language},en;q=0.5"})) == language
    assert html_lang(client.get("/no-such-page", headers={"Accept-Language": language})) == language


def test_an_unsupported_language_falls_back_to_english(client):
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})) == "en"
    assert html_lang(client.get("/", headers={"Accept-Language": "de,fr;q=0.5"})) == "fr"


def test_the_language_switcher_wins_over_accept_language(client):
    response = form_post(client, "/language", {"locale": "it", "next": "/privacy"}, page="/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/privacy"
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "it"

    form_post(client, "/language", {"locale": "xx", "next": "/"}, page="/")
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "it"

    response = form_post(client, "/language", {"locale": "da", "next": "//evil.example/"}, page="/")
    assert response.headers["Location"] == "/"
    assert html_lang(client.get("/")) == "da"


def test_the_language_switcher_needs_its_csrf_token(client):
    response = client.post("/language", data={"locale": "ro", "next": "/"})
    assert response.status_code == 400
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "en"


def test_the_switcher_also_changes_a_signed_in_account(app, client):
    from app.accounts.models import User
    from app.extensions import db

    with app.app_context():
        make_user("ana@example.org", locale="en")
    assert login(client, "ana@example.org", DEFAULT_PASSWORD).status_code == 302
    form_post(client, "/language", {"locale": "ro", "next": "/"}, page="/")
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email_key == "ana@example.org")) == "ro"
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "ro"


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


# --- OpenAPI -----------------------------------------------------------------------------------------

def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule)


def resolve(document: dict, ref: str) -> dict:
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_openapi_document_lists_every_declared_endpoint(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://salus.test"}]
    declared = set()
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions.get(rule.endpoint), "api_meta", None) is None:
            continue
        assert rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            declared.add((openapi_path(rule.rule), method.lower()))
    assert ("/api/v1/auth/register", "post") in declared and ("/api/v1/me", "delete") in declared
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented == declared
    for path, item in document["paths"].items():
        assert "<" not in path
        for operation in item.values():
            assert operation["summary"] and operation["responses"]
            names = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path))


def test_openapi_request_bodies_and_references(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, fields in (("/api/v1/auth/register", {"email", "password", "name", "accept_privacy"}),
                         ("/api/v1/auth/tokens", {"email", "password"})):
        operation = document["paths"][path]["post"]
        schema = resolve(document, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
        assert fields <= set(schema["properties"])
        assert {"email", "password"} <= set(schema["required"])
        assert "422" in operation["responses"]
    token = document["paths"]["/api/v1/auth/tokens"]["post"]["responses"]["201"]
    assert {"token", "expires_at"} <= set(resolve(document, token["content"]["application/json"]["schema"]["$ref"])
                                          ["properties"])
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"bearer": []}]
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))
    assert refs
    for ref in refs:
        assert isinstance(resolve(document, ref), dict), ref


# --- pagination --------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("", (1, 20)), ("?page=3", (3, 20)), ("?per_page=100", (1, 100)), ("?page=2&per_page=1", (2, 1)),
])
def test_page_arguments(app, query, expected):
    with app.test_request_context(f"/api/v1/x{query}"):
        assert page_args() == expected


@pytest.mark.parametrize("query, bad", [
    ("?page=0", {"page"}), ("?page=-1", {"page"}), ("?page=two", {"page"}), ("?per_page=0", {"per_page"}),
    (f"?per_page={MAX_PER_PAGE + 1}", {"per_page"}), ("?page=0&per_page=x", {"page", "per_page"}),
    ("?page=" + "9" * 30, {"page"}),
])
def test_bad_page_arguments_are_a_422_with_fields(app, query, bad):
    with app.test_request_context(f"/api/v1/x{query}"):
        with pytest.raises(ValidationFailed) as caught:
            page_args()
    assert caught.value.status == 422
    assert set(caught.value.fields) == bad


def test_paginate_answers_the_contract_page(app, db):
    from app.accounts.models import User

    ids = [make_user(f"p{i}@example.org").id for i in range(5)]
    statement = select(User).order_by(User.id)
    with app.test_request_context("/api/v1/x?page=2&per_page=2"):
        page = paginate(db.session, statement, lambda user: {"id": user.id})
    assert page == {"items": [{"id": ids[2]}, {"id": ids[3]}], "total": 5, "page": 2, "per_page": 2}
    with app.test_request_context("/api/v1/x?page=4&per_page=2"):
        assert paginate(db.session, statement, lambda user: {"id": user.id})["items"] == []
    with app.test_request_context("/api/v1/x"):
        page = paginate(db.session, statement, lambda user: {"id": user.id})
    assert page["per_page"] == 20 and page["total"] == 5 and len(page["items"]) == 5
