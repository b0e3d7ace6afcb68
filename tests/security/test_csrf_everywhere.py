"""Every form of the site needs its CSRF token: a POST (or other write) without it to any HTML
route of the URL map is a 400 and changes nothing, whoever sends it. The JSON API is the exception
by design: it takes no cookie, only a bearer token, so a forged cross-site request has nothing to
ride on (tested in test_classic_bugs.py)."""
from __future__ import annotations

from werkzeug.routing import Rule

from app.core.api import API_PREFIX
from tests.conftest import login, make_user

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def html_writes(app) -> list[tuple[Rule, str]]:
    return [(rule, method) for rule in app.url_map.iter_rules() if not rule.rule.startswith(API_PREFIX)
            for method in sorted((rule.methods or set()) & WRITES)]


def some_url(rule: Rule) -> str:
    """The rule with 1 for every argument (the refusal comes before anything looks the row up)."""
    url = rule.rule
    for argument in rule.arguments:
        url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
        for converter in ("string", "path", "any"):
            url = url.replace(f"<{converter}:{argument}>", "1")
    return url


def test_the_site_has_forms_to_check(app):
    assert len(html_writes(app)) >= 80


def test_no_html_write_is_taken_without_its_csrf_token(app):
    with app.app_context():
        make_user("admin@example.org", admin=True)
    anonymous, admin = app.test_client(), app.test_client()
    login(admin, "admin@example.org")
    accepted = []
    for rule, method in html_writes(app):
        url = some_url(rule)
        for client in (anonymous, admin):
            response = client.open(url, method=method, data={"anything": "1"})
            if response.status_code != 400:
                accepted.append(f"{method} {url}: {response.status_code}")
    assert not accepted, "answered without a CSRF token:\n" + "\n".join(accepted)
    # The administrator's session survived all of that (a sign-out without token is refused too).
    assert admin.get("/account").status_code == 200
