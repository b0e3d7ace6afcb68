"""Administrators require two-step sign-in for roles: the setting, and what it does to people in
those roles who have not set it up (pages, API tokens), while participants are left alone."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.core.audit import AuditEvent
from tests.accounts.two_step_support import code, count, html, secret_on_page, sign_in_with_code
from tests.conftest import api_token, bearer, form_post, login, make_user
from tests.factories import make_challenge, make_juror

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def people(app):
    with app.app_context():
        admin = make_user("admin@example.org", name="Ada Admin", admin=True)
        organiser = make_user("org@example.org", name="Olga Organiser")
        juror = make_user("juror@example.org", name="Iuri Juror")
        make_user("pat@example.org", name="Pat Participant")
        challenge = make_challenge(organisers=[organiser])
        make_juror(challenge, juror)
        return {"admin": admin.id, "challenge": challenge.id}


def require(app, *roles):
    from app.accounts.models import User
    from app.accounts.site_settings import set_required_two_step_roles
    from app.extensions import db

    with app.test_request_context():
        admin = db.session.query(User).filter_by(email_key="admin@example.org").one()
        set_required_two_step_roles(admin, list(roles))


def where(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def test_only_administrators_see_the_setting(app, client, people):
    login(client, "org@example.org")
    assert client.get("/admin/security").status_code == 403
    assert form_post(client, "/admin/security", {"roles": ["juror"]}, page="/account").status_code == 403


def test_an_administrator_requires_roles_and_it_is_audited(app, client, people):
    login(client, "admin@example.org")
    page = html(client.get("/admin/security"))
    assert 'value="organiser"' in page and "checked" not in page
    response = form_post(client, "/admin/security", {"roles": ["organiser", "juror"]})
    assert response.status_code == 302 and where(response) == "/admin/security"
    assert html(client.get("/admin/security")).count("checked") == 2
    assert count(app, AuditEvent, AuditEvent.action == "settings.two_step_roles") == 1
    refused = form_post(client, "/admin/security", {"roles": ["participant"]})
    assert refused.status_code == 422 and html(client.get("/admin/security")).count("checked") == 2


@pytest.mark.parametrize("email, roles", [("org@example.org", ["organiser"]), ("juror@example.org", ["juror"]),
                                          ("admin@example.org", ["administrator"])])
def test_a_required_role_is_sent_to_set_up_and_can_do_nothing_else(app, client, people, email, roles,
                                                                    frozen_clock):
    require(app, *roles)
    response = login(client, email, next="/account")
    assert where(response) == "/account/two-step"
    for path in ("/", "/account", f"/challenges/{people['challenge']}", "/admin/security"):
        assert where(client.get(path)) == "/account/two-step", path
    refused = form_post(client, "/account/profile", {"name": "Changed", "locale": "en"},
                        page="/account/two-step")
    assert refused.status_code == 303 and where(refused) == "/account/two-step"
    assert client.get("/privacy").status_code == 200
    page = html(client.get("/account/two-step"))
    assert "Your role requires two-step sign-in" in page
    secret = secret_on_page(page)
    assert form_post(client, "/account/two-step", {"code": code(secret)}).status_code == 201
    assert client.get("/account").status_code == 200
    # Required: it cannot be turned off.
    assert "cannot be turned off" in html(client.get("/account/two-step"))


def test_participants_and_other_roles_are_left_alone(app, client, people):
    require(app, "juror")
    assert where(login(client, "pat@example.org")) == "/"
    assert client.get("/account").status_code == 200
    other = app.test_client()
    assert where(login(other, "org@example.org")) == "/"
    assert other.get("/account").status_code == 200


def test_sign_out_stays_possible(app, client, people):
    require(app, "organiser")
    login(client, "org@example.org")
    response = form_post(client, "/logout", page="/account/two-step")
    assert response.status_code == 302 and where(client.get("/account")) == "/login"


def test_api_tokens_wait_for_the_set_up(app, client, people, frozen_clock):
    earlier = api_token(client, "org@example.org")
    require(app, "organiser")
    response = client.post("/api/v1/auth/tokens", json={"email": "org@example.org",
                                                        "password": "correct horse battery staple"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "two_factor_setup_required"
    used = client.get("/api/v1/me", headers=bearer(earlier))
    assert used.status_code == 403 and used.get_json()["error"]["code"] == "two_factor_setup_required"
    assert client.get("/api/v1/me", headers=bearer(api_token(client, "pat@example.org"))).status_code == 200

    browser = app.test_client()
    login(browser, "org@example.org")
    secret = secret_on_page(html(browser.get("/account/two-step")))
    form_post(browser, "/account/two-step", {"code": code(secret, steps=-1)})
    assert client.get("/api/v1/me", headers=bearer(earlier)).status_code == 200
    token = client.post("/api/v1/auth/tokens", json={"email": "org@example.org", "code": code(secret),
                                                     "password": "correct horse battery staple"})
    assert token.status_code == 201


def test_people_with_two_step_sign_in_pass_straight_through(app, client, people, frozen_clock):
    require(app, "organiser")
    login(client, "org@example.org")
    secret = secret_on_page(html(client.get("/account/two-step")))
    form_post(client, "/account/two-step", {"code": code(secret, steps=-1)})
    later = app.test_client()
    assert where(sign_in_with_code(later, "org@example.org", code(secret), next="/account")) == "/account"
    assert later.get("/account").status_code == 200
